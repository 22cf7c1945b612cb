import { checkDeployment } from "./checkDeployment.js";
import { createDeployment } from "./createDeployment.js";
import type { ApiDeps } from "./deps.js";
import { destroyDeployment } from "./destroyDeployment.js";
import { getDeployment } from "./getDeployment.js";
import { type ApiEvent, type ApiRequest, type ApiResponse, errorResponse, json, parseEvent, toResult } from "./http.js";
import { listDeployments } from "./listDeployments.js";

export type Route = (request: ApiRequest, deps: ApiDeps) => Promise<ApiResponse>;

/** Every route, by the HTTP API route key sst.config.ts registers (each with IAM auth). */
export const ROUTES: Record<string, Route> = {
  "POST /deployments": createDeployment,
  "GET /deployments": listDeployments,
  "GET /deployments/{name}": getDeployment,
  "POST /deployments/{name}/check": checkDeployment,
  "POST /deployments/{name}/destroy": destroyDeployment,
};

/** Parses the event, runs its route and turns any error into an HTTP answer (never a Lambda error). */
export async function route(event: ApiEvent, deps: ApiDeps) {
  const request = parseEvent(event);
  if (!("routeKey" in request)) return toResult(request);
  const handle = ROUTES[request.routeKey];
  if (!handle) return toResult(json(404, { error: "NotFound", message: `no route ${request.routeKey}` }));
  try {
    return toResult(await handle(request, deps));
  } catch (error) {
    const e = error as Error;
    deps.log.error("request failed", { routeKey: request.routeKey, errorName: e.name, errorMessage: e.message });
    return toResult(errorResponse(error));
  }
}
