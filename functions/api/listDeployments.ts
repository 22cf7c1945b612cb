import { consoleUrl, type DeploymentRecord, listDeployments as listRecords } from "../lib/registry.js";
import type { ApiDeps } from "./deps.js";
import type { ApiRequest, ApiResponse } from "./http.js";
import { json } from "./http.js";

/** One line of the list: no plan, no findings (GET /deployments/{name} has them). */
export function deploymentSummary(record: DeploymentRecord) {
  const report = record.lastDriftReport;
  return {
    deploymentName: record.deploymentName,
    status: record.status,
    ...(record.currentExecution
      ? { currentExecution: { ...record.currentExecution, consoleUrl: consoleUrl(record.currentExecution.arn) } }
      : {}),
    ...(record.lastExecution ? { lastExecution: record.lastExecution } : {}),
    ...(report
      ? { lastDriftCheck: { checkedAt: report.checkedAt, drifted: report.drifted, counts: report.counts } }
      : {}),
    updatedAt: record.updatedAt,
  };
}

/** `GET /deployments`: every registered deployment with its status, running execution and last drift check. */
export async function listDeployments(_request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const records = await listRecords(deps.registry);
  return json(200, { deployments: records.map(deploymentSummary) });
}
