import { getDeployment, startExclusive } from "../lib/registry.js";
import { type ApiDeps, startDeps, stateMachines } from "./deps.js";
import { type ApiRequest, type ApiResponse, badRequest, json, nameProblems } from "./http.js";

/**
 * `POST /deployments/{name}/destroy` with `{"confirm": "<name>"}`: starts Destroy of a registered deployment
 * (400 without the matching confirmation, 404 when unknown, 409 when another execution is running). The
 * confirmation goes on to the state machine, which checks it again before touching anything.
 */
export async function destroyDeployment(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const problems = nameProblems(request.name);
  const confirm = (request.body as { confirm?: unknown } | undefined)?.confirm;
  if (!problems.length && confirm !== request.name)
    problems.push({
      path: "confirm",
      rule: `must equal the deployment name "${request.name}" (destroy deletes every cluster of the deployment)`,
    });
  if (problems.length || !request.name) return badRequest(problems);

  const deploymentName = request.name;
  if (!(await getDeployment(deps.registry, deploymentName)))
    return json(404, { error: "DeploymentNotFound", message: `deployment ${deploymentName} is not registered` });

  const stateMachineArn = stateMachines().destroy;
  const started = await startExclusive(startDeps(deps, stateMachineArn), {
    deploymentName,
    operation: "destroy",
    stateMachineArn,
    input: { deploymentName, confirm: deploymentName },
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    mustExist: true,
  });
  deps.log.info("destroy started", {
    deploymentName,
    executionArn: started.executionArn,
    requestedBy: request.requestedBy,
  });
  return json(202, { deploymentName, operation: "destroy", ...started });
}
