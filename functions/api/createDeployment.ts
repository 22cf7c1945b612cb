import { checkPlan } from "../lib/plan.js";
import { startExclusive } from "../lib/registry.js";
import { type ApiDeps, startDeps, stateMachines } from "./deps.js";
import { type ApiRequest, type ApiResponse, badRequest, json } from "./http.js";

/**
 * `POST /deployments`: validates the plan with the same schema as Deploy (400 lists every problem with its path),
 * registers it and starts Deploy, unless an execution of that deployment is running (409). Deploy converges, so
 * posting the plan of an existing deployment applies the changes.
 */
export async function createDeployment(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  if (request.body === undefined) return badRequest([{ path: "(body)", rule: "is required (the plan document)" }]);
  const checked = checkPlan(request.body);
  if (!checked.ok) return badRequest(checked.problems);

  const deploymentName = checked.plan.deploymentName;
  const stateMachineArn = stateMachines().deploy;
  const started = await startExclusive(startDeps(deps, stateMachineArn), {
    deploymentName,
    operation: "deploy",
    stateMachineArn,
    input: request.body,
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    set: { status: "DEPLOYING", plan: request.body as Record<string, unknown> },
  });
  deps.log.info("deploy started", {
    deploymentName,
    executionArn: started.executionArn,
    requestedBy: request.requestedBy,
  });
  return json(
    202,
    { deploymentName, operation: "deploy", ...started, location: `/deployments/${deploymentName}` },
    { location: `/deployments/${deploymentName}` },
  );
}
