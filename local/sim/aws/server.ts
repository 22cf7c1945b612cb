// Source: local/sim/SOURCES.md § aws/server.ts
/**
 * The one HTTP endpoint (127.0.0.1, random port) behind `AWS_ENDPOINT_URL`: it tells services apart the way the
 * SDK addresses them — `X-Amz-Target` (JSON 1.1), form-encoded `Action=` with the SigV4 credential scope naming
 * `ec2` or `elasticloadbalancing` (query protocols), anything else is EKS's REST-JSON paths. The region and the
 * caller come from the SigV4 `Authorization` header.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { SimAccount } from "../account.js";
import { denialMessage, type IamDenial } from "../iam.js";
import { listen } from "../kube/server.js";
import { iamRequests } from "./authorize.js";
import { handleBuilds } from "./codebuild.js";
import { handleDynamoDb } from "./dynamodb.js";
import { handleEc2 } from "./ec2.js";
import { handleEks } from "./eks.js";
import { handleElbv2 } from "./elbv2.js";
import { handleIam } from "./iam.js";
import { handleEvents, handleMetrics } from "./observability.js";
import { AwsError, ec2Error, jsonError, jsonResponse, parseQuery, queryError, type WireResponse } from "./protocol.js";
import { handleSecrets } from "./secrets.js";
import { handleStepFunctions } from "./sfn.js";

const JSON_10_TYPE = "application/x-amz-json-1.0";

type Protocol = "json" | "rest-json" | "ec2" | "query";

/** `X-Amz-Target` prefixes of the JSON protocols → the service (as the SigV4 scope names it). */
const JSON_TARGETS: Record<string, string> = {
  secretsmanager: "secretsmanager",
  CodeBuild_20161006: "codebuild",
  DynamoDB_20120810: "dynamodb",
  AWSEvents: "events",
  GraniteServiceVersion20100801: "monitoring",
  AWSStepFunctions: "states",
};

/** JSON 1.0 services answer with their own content type. */
const JSON_10 = new Set(["dynamodb", "monitoring", "states"]);

/** Throttling as each service spells it (the SDK retries these, then the stage lets them propagate). */
const THROTTLE: Record<string, { code: string; status: number }> = {
  ec2: { code: "RequestLimitExceeded", status: 503 },
  elasticloadbalancing: { code: "Throttling", status: 400 },
  eks: { code: "ThrottlingException", status: 429 },
  secretsmanager: { code: "ThrottlingException", status: 400 },
  codebuild: { code: "ThrottlingException", status: 400 },
  dynamodb: { code: "ThrottlingException", status: 400 },
  events: { code: "ThrottlingException", status: 400 },
  monitoring: { code: "Throttling", status: 400 },
  states: { code: "ThrottlingException", status: 400 },
};

/**
 * How each service refuses a call IAM denies. JSON and REST-JSON services answer `AccessDeniedException` (EKS with
 * HTTP 403, botocore data/eks/2017-11-01/service-2.json; the JSON services with 400, as AWS's common errors list it),
 * the query services `AccessDenied` (403), EC2 `UnauthorizedOperation` (403,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
 */
export function accessDenied(service: string, denial: IamDenial): AwsError {
  const message = denialMessage(denial);
  if (service === "ec2")
    return new AwsError("UnauthorizedOperation", `You are not authorized to perform this operation. ${message}`, 403);
  if (service === "elasticloadbalancing" || service === "monitoring" || service === "iam")
    return new AwsError("AccessDenied", message, 403);
  return new AwsError("AccessDeniedException", message, service === "eks" ? 403 : 400);
}

const parsedJson = (body: string): Record<string, unknown> => {
  try {
    return body ? JSON.parse(body) : {};
  } catch {
    return {};
  }
};

export interface AwsCall {
  service: string;
  operation: string;
  region: string;
  stage?: string;
  status: number;
  error?: string;
  /**
   * The request's parameters as the service received them (query protocols: the form fields nested at their dots,
   * `Filter.1.Value.1` → `{ Filter: [{ Value: [...] }] }`; JSON: the body; REST-JSON: the body, the path being in
   * `operation`), so a test can tell what was asked of which region.
   */
  params: Record<string, unknown>;
}

/** The parameters a call record keeps: secret values (Secrets Manager's SecretString / SecretBinary) are left out. */
function loggedParams(service: string, params: Record<string, unknown>): Record<string, unknown> {
  if (service !== "secretsmanager") return params;
  const { SecretString: _string, SecretBinary: _binary, ...rest } = params;
  return rest;
}

function scope(req: IncomingMessage): { accessKeyId?: string; region?: string; service?: string } {
  const m = String(req.headers.authorization ?? "").match(/Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/);
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : {};
}

/**
 * One listener per process, shared by every simulated account in turn: SDK clients cache their endpoint for life
 * (stages keep module-level clients, like a warm Lambda container does), so the address must not change between
 * runs of one process. A request goes to the most recently started account that has not stopped.
 */
let shared: { server: Server; url: string; ready: Promise<string> } | undefined;
const active: AwsEndpoint[] = [];

function sharedListener(): Promise<string> {
  if (!shared) {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const endpoint = active.at(-1);
        const body = Buffer.concat(chunks).toString("utf8");
        const answered = endpoint
          ? endpoint.answer(req, body)
          : Promise.resolve(
              jsonError(new AwsError("ServiceUnavailable", "no simulated account is running", 503), randomUUID()),
            );
        void answered.then((out) => {
          res.writeHead(out.status, { ...out.headers, "content-length": Buffer.byteLength(out.body) });
          res.end(out.body);
        });
      });
    });
    // Idle keep-alive connections stay open for the whole run, so the SDK never reuses one the server just closed.
    server.keepAliveTimeout = 120_000;
    const entry: { server: Server; url: string; ready: Promise<string> } = {
      server,
      url: "",
      ready: listen(server).then((port) => {
        // The listener never keeps the process alive on its own.
        server.unref();
        entry.url = `http://127.0.0.1:${port}`;
        return entry.url;
      }),
    };
    shared = entry;
  }
  return shared.ready;
}

/** Runs right before the simulator applies a request (see {@link AwsEndpoint.beforeNext}). */
export type RequestHook = (params: Record<string, unknown>) => void | Promise<void>;

export class AwsEndpoint {
  url = "";
  /** Every call answered, in order (metrics and tests). */
  readonly calls: AwsCall[] = [];
  /** One-shot hooks, in the order they were added. */
  private readonly hooks: { service: string; operation: string; run: RequestHook }[] = [];

  constructor(private readonly sim: SimAccount) {}

  async start(): Promise<string> {
    this.url = await sharedListener();
    if (!active.includes(this)) active.push(this);
    return this.url;
  }

  async stop(): Promise<void> {
    const i = active.indexOf(this);
    if (i < 0) return;
    active.splice(i, 1);
    // Idle sockets would keep the process alive; busy ones finish their answer.
    if (!active.length) shared?.server.closeIdleConnections();
  }

  /**
   * Runs `hook` once, right before the simulator applies the next `service` `operation` request (after IAM and
   * throttling, before the service reads its state): a test stages a race with it (another writer's change lands
   * between the caller's read and its write) or, by throwing an {@link AwsError}, has that one request answer an
   * error. `service` is the SigV4 signing name (`dynamodb`, `states`, …), `operation` the API operation (`UpdateItem`).
   */
  beforeNext(service: string, operation: string, hook: RequestHook): void {
    this.hooks.push({ service, operation, run: hook });
  }

  /** Drops the hooks that have not run. */
  clearHooks(): void {
    this.hooks.length = 0;
  }

  /** Answers one request (called by the shared listener). */
  async answer(req: IncomingMessage, body: string): Promise<WireResponse> {
    // Not from the seeded stream: how many requests arrive (SDK retries of a reset socket) must not shift the ids
    // of the resources a run creates.
    const requestId = randomUUID();
    const { accessKeyId, region = "us-east-1", service: signedService = "" } = scope(req);
    const target = req.headers["x-amz-target"];
    const contentType = String(req.headers["content-type"] ?? "");
    let protocol: Protocol;
    let service: string;
    let operation: string;
    let params: Record<string, unknown> = {};
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (typeof target === "string") {
      protocol = "json";
      [, operation = ""] = target.split(".");
      service = JSON_TARGETS[target.split(".")[0] ?? ""] ?? signedService;
      try {
        params = body ? JSON.parse(body) : {};
      } catch {
        return jsonError(new AwsError("SerializationException", "request body is not JSON"), requestId);
      }
    } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
      params = parseQuery(body);
      operation = String(params.Action ?? "");
      service = signedService;
      protocol = service === "ec2" ? "ec2" : "query";
    } else {
      protocol = "rest-json";
      service = "eks";
      operation = `${req.method} ${url.pathname}`;
    }
    const principal = this.sim.principalOf(accessKeyId);
    const stage = this.sim.currentStage;
    const record: AwsCall = {
      service,
      operation,
      region,
      stage,
      status: 200,
      params: loggedParams(service, protocol === "rest-json" ? parsedJson(body) : params),
    };
    this.calls.push(record);
    const fail = (error: AwsError): WireResponse => {
      record.status = error.status;
      record.error = error.code;
      if (protocol === "ec2") return ec2Error(error, requestId);
      if (protocol === "query") return queryError(error, requestId);
      return jsonError(
        error,
        requestId,
        protocol === "rest-json" ? "application/json" : JSON_10.has(service) ? "application/x-amz-json-1.0" : undefined,
      );
    };
    // IAM first: AWS authorizes a request before the service looks at the resource.
    if (this.sim.iam) {
      const call = {
        service,
        operation,
        region,
        params,
        ...(protocol === "rest-json"
          ? {
              http: {
                method: req.method ?? "GET",
                path: url.pathname,
                query: url.searchParams,
                body: parsedJson(body),
              },
            }
          : {}),
      };
      const requests = iamRequests(this.sim, call);
      const denial = requests
        ? await this.sim.iam.check(principal, stage, requests)
        : {
            principal,
            request: { action: `${service}:${operation}`, resource: "*" },
            reason: "the simulator maps no IAM action for this operation (local/sim/aws/authorize.ts)",
          };
      if (denial) return fail(accessDenied(service, denial));
    }
    const throttle = THROTTLE[service];
    if (throttle && this.sim.faults.throttle(stage))
      return fail(new AwsError(throttle.code, "Rate exceeded (injected fault)", throttle.status));
    try {
      await this.sim.tick();
      const hook = this.hooks.findIndex((h) => h.service === service && h.operation === operation);
      if (hook >= 0) await this.hooks.splice(hook, 1)[0]?.run(params);
      switch (service) {
        case "eks":
          return await handleEks(this.sim, {
            method: req.method ?? "GET",
            path: url.pathname,
            query: url.searchParams,
            body: body ? JSON.parse(body) : undefined,
            region,
            principal,
          });
        case "ec2":
          return handleEc2(this.sim, region, operation, params as Record<string, never>, requestId);
        case "elasticloadbalancing":
          return handleElbv2(this.sim, region, operation, params as Record<string, never>, requestId);
        case "iam":
          return handleIam(this.sim, operation, params as Record<string, never>, requestId);
        case "secretsmanager":
          return jsonResponse(handleSecrets(this.sim, region, operation, params));
        case "codebuild":
          return jsonResponse(await handleBuilds(this.sim, region, operation, params, principal));
        case "dynamodb":
          return jsonResponse(handleDynamoDb(this.sim, region, operation, params), 200, JSON_10_TYPE);
        case "events":
          return jsonResponse(handleEvents(this.sim, region, operation, params));
        case "monitoring":
          return jsonResponse(handleMetrics(this.sim, region, operation, params), 200, JSON_10_TYPE);
        case "states":
          return jsonResponse(handleStepFunctions(this.sim, region, operation, params), 200, JSON_10_TYPE);
        default:
          throw new AwsError(
            "UnknownOperationException",
            `the simulated cloud has no service '${service}' (${operation})`,
          );
      }
    } catch (error) {
      if (error instanceof AwsError) return fail(error);
      return fail(new AwsError("InternalFailure", `simulator error: ${(error as Error).message}`, 500));
    }
  }
}
