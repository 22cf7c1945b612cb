import * as z from "zod";
import { formatPath } from "../lib/plan.js";
import { getDeployment, startExclusive } from "../lib/registry.js";
import { type ApiDeps, startDeps, stateMachines } from "./deps.js";
import { type ApiRequest, type ApiResponse, badRequest, json, nameProblems } from "./http.js";

/** Body of `POST /deployments/{name}/check` (optional). */
export const checkBodySchema = z.strictObject({
  /** Start a Deploy of the registered plan if drift is found. @default false */
  remediate: z.boolean().default(false),
});

/**
 * `POST /deployments/{name}/check`: starts a DriftCheck of a registered deployment (404 when unknown, 409 when it
 * was destroyed or another execution is running). With `{"remediate": true}` a drift found starts a Deploy.
 */
export async function checkDeployment(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const problems = nameProblems(request.name);
  const body = checkBodySchema.safeParse(request.body ?? {});
  if (!body.success)
    problems.push(...body.error.issues.map((i) => ({ path: formatPath(["(body)", ...i.path]), rule: i.message })));
  if (problems.length || !request.name || !body.success) return badRequest(problems);

  const deploymentName = request.name;
  const record = await getDeployment(deps.registry, deploymentName);
  if (!record)
    return json(404, { error: "DeploymentNotFound", message: `deployment ${deploymentName} is not registered` });
  if (record.status === "DESTROYED")
    return json(409, {
      error: "DeploymentDestroyed",
      message: `deployment ${deploymentName} was destroyed; there is nothing to check`,
    });

  const stateMachineArn = stateMachines().driftCheck;
  const started = await startExclusive(startDeps(deps, stateMachineArn), {
    deploymentName,
    operation: "check",
    stateMachineArn,
    input: { deploymentName, remediate: body.data.remediate },
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    mustExist: true,
  });
  deps.log.info("drift check started", {
    deploymentName,
    executionArn: started.executionArn,
    remediate: body.data.remediate,
  });
  return json(202, { deploymentName, operation: "check", remediate: body.data.remediate, ...started });
}
