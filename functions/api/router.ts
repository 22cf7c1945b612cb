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

/**
 * The route for a route key. Own properties only: a key such as `constructor` or `__proto__` must not reach
 * Object.prototype and answer with something that is not a route.
 */
export function routeOf(routeKey: string): Route | undefined {
  return Object.hasOwn(ROUTES, routeKey) ? ROUTES[routeKey] : undefined;
}

/** No route for the key: 405 with `Allow` when the path exists with other methods, otherwise 404. */
function noRoute(routeKey: string) {
  const [method, path] = routeKey.split(" ", 2);
  const allowed = Object.keys(ROUTES)
    .filter((key) => key.split(" ")[1] === path)
    .map((key) => key.split(" ")[0] as string);
  if (path && allowed.length)
    return json(
      405,
      { error: "MethodNotAllowed", message: `${path} answers ${allowed.join(", ")}, not ${method}` },
      { allow: allowed.join(", ") },
    );
  return json(404, { error: "NotFound", message: `no route ${routeKey}` });
}

/** Parses the event, runs its route and turns any error into an HTTP answer (never a Lambda error). */
export async function route(event: ApiEvent, deps: ApiDeps) {
  const request = parseEvent(event);
  if (!("routeKey" in request)) return toResult(request);
  const handle = routeOf(request.routeKey);
  if (!handle) return toResult(noRoute(request.routeKey));
  try {
    return toResult(await handle(request, deps));
  } catch (error) {
    const e = error as Error;
    deps.log.error("request failed", { routeKey: request.routeKey, errorName: e.name, errorMessage: e.message });
    return toResult(errorResponse(error));
  }
}
