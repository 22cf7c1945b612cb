/**
 * The portal API's request and response shapes (API Gateway HTTP API, payload format 2.0, IAM auth) and how
 * errors become HTTP answers. Bodies are JSON; every 4xx names what to fix.
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { isThrottling } from "../lib/aws-errors.js";
import { DeploymentNotFound, ExecutionInProgress, OrchestratorError } from "../lib/errors.js";
import { MAX_DEPLOYMENT_NAME, type PlanProblem } from "../lib/plan.js";
import { consoleUrl } from "../lib/registry.js";

/** The HTTP API event (IAM authorizer: the caller's ARN is in `requestContext.authorizer.iam.userArn`). */
export type ApiEvent = APIGatewayProxyEventV2WithIAMAuthorizer;

/** A request, parsed: the route, the `{name}` path parameter, the JSON body, who asked. */
export interface ApiRequest {
  /** e.g. `POST /deployments/{name}/check`. */
  routeKey: string;
  name?: string;
  /** The parsed JSON body; undefined when there is none. */
  body: unknown;
  /** IAM principal ARN of the caller. */
  requestedBy?: string;
}

/** An answer before it is serialized. */
export interface ApiResponse {
  statusCode: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const json = (statusCode: number, body: unknown, headers?: Record<string, string>): ApiResponse => ({
  statusCode,
  body,
  ...(headers ? { headers } : {}),
});

/** 400 listing every problem at once (the same shape as the plan's validation). */
export const badRequest = (problems: PlanProblem[]): ApiResponse =>
  json(400, { error: "InvalidRequest", message: problems.map((p) => `${p.path}: ${p.rule}`).join("; "), problems });

/** Serializes an answer for API Gateway. */
export const toResult = (response: ApiResponse): APIGatewayProxyStructuredResultV2 => ({
  statusCode: response.statusCode,
  headers: { "content-type": "application/json", "cache-control": "no-store", ...response.headers },
  body: JSON.stringify(response.body),
});

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Problems with a `{name}` path parameter (the deployment name rules of the plan). */
export function nameProblems(name: string | undefined): PlanProblem[] {
  if (!name) return [{ path: "name", rule: "is required (the deployment name in the path)" }];
  if (name.length > MAX_DEPLOYMENT_NAME)
    return [{ path: "name", rule: `must be at most ${MAX_DEPLOYMENT_NAME} characters` }];
  if (!DNS1123_LABEL.test(name))
    return [
      {
        path: "name",
        rule: "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric",
      },
    ];
  return [];
}

/** Reads the event into a request; a body that is not JSON is a 400. */
export function parseEvent(event: ApiEvent): ApiRequest | ApiResponse {
  let body: unknown;
  if (event.body !== undefined && event.body !== "") {
    const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
    try {
      body = JSON.parse(text);
    } catch {
      return badRequest([{ path: "(body)", rule: "must be a JSON document" }]);
    }
  }
  const requestedBy = event.requestContext?.authorizer?.iam?.userArn;
  return {
    routeKey: event.routeKey,
    ...(event.pathParameters?.name ? { name: event.pathParameters.name } : {}),
    body,
    ...(requestedBy ? { requestedBy } : {}),
  };
}

/**
 * What an error becomes: another execution running → 409 with its console link; unknown deployment → 404;
 * AWS throttling → 503 (retry later); anything else → 500 with the named error's message (they never hold
 * secrets) or a generic one.
 */
export function errorResponse(error: unknown): ApiResponse {
  if (error instanceof ExecutionInProgress)
    return json(409, {
      error: error.name,
      message: error.message,
      ...(error.executionArn ? { executionArn: error.executionArn, consoleUrl: consoleUrl(error.executionArn) } : {}),
    });
  if (error instanceof DeploymentNotFound) return json(404, { error: error.name, message: error.message });
  if (isThrottling(error))
    return json(
      503,
      { error: "ServiceUnavailable", message: "AWS is throttling requests; try again shortly" },
      { "retry-after": "5" },
    );
  if (error instanceof OrchestratorError) return json(500, { error: error.name, message: error.message });
  return json(500, { error: "InternalError", message: "the request failed; the API's log has the details" });
}
