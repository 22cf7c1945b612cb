/**
 * The one HTTP endpoint (127.0.0.1, random port) behind `AWS_ENDPOINT_URL`: it tells services apart the way the
 * SDK addresses them — `X-Amz-Target` (JSON 1.1), form-encoded `Action=` with the SigV4 credential scope naming
 * `ec2` or `elasticloadbalancing` (query protocols), anything else is EKS's REST-JSON paths. The region and the
 * caller come from the SigV4 `Authorization` header.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { SimAccount } from "../account.js";
import { listen } from "../kube/server.js";
import { handleBuilds } from "./codebuild.js";
import { handleEc2 } from "./ec2.js";
import { handleEks } from "./eks.js";
import { handleElbv2 } from "./elbv2.js";
import { AwsError, ec2Error, jsonError, jsonResponse, parseQuery, queryError, type WireResponse } from "./protocol.js";
import { handleSecrets } from "./secrets.js";

type Protocol = "json" | "rest-json" | "ec2" | "query";

/** Throttling as each service spells it (the SDK retries these, then the stage lets them propagate). */
const THROTTLE: Record<string, { code: string; status: number }> = {
  ec2: { code: "RequestLimitExceeded", status: 503 },
  elasticloadbalancing: { code: "Throttling", status: 400 },
  eks: { code: "ThrottlingException", status: 429 },
  secretsmanager: { code: "ThrottlingException", status: 400 },
  codebuild: { code: "ThrottlingException", status: 400 },
};

export interface AwsCall {
  service: string;
  operation: string;
  region: string;
  stage?: string;
  status: number;
  error?: string;
}

function scope(req: IncomingMessage): { accessKeyId?: string; region?: string; service?: string } {
  const m = String(req.headers.authorization ?? "").match(/Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/);
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : {};
}

export class AwsEndpoint {
  private server?: Server;
  url = "";
  /** Every call answered, in order (metrics and tests). */
  readonly calls: AwsCall[] = [];

  constructor(private readonly sim: SimAccount) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void this.answer(req, Buffer.concat(chunks).toString("utf8")).then((out) => {
          res.writeHead(out.status, { ...out.headers, "content-length": Buffer.byteLength(out.body) });
          res.end(out.body);
        });
      });
    });
    // Idle keep-alive connections stay open for the whole run, so the SDK never reuses one the server just closed.
    server.keepAliveTimeout = 120_000;
    this.server = server;
    const port = await listen(server);
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  }

  private async answer(req: IncomingMessage, body: string): Promise<WireResponse> {
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
      service = target.startsWith("secretsmanager")
        ? "secretsmanager"
        : target.startsWith("CodeBuild")
          ? "codebuild"
          : signedService;
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
    const record: AwsCall = { service, operation, region, stage, status: 200 };
    this.calls.push(record);
    const fail = (error: AwsError): WireResponse => {
      record.status = error.status;
      record.error = error.code;
      if (protocol === "ec2") return ec2Error(error, requestId);
      if (protocol === "query") return queryError(error, requestId);
      return jsonError(error, requestId, protocol === "rest-json" ? "application/json" : undefined);
    };
    const throttle = THROTTLE[service];
    if (throttle && this.sim.faults.throttle(stage))
      return fail(new AwsError(throttle.code, "Rate exceeded (injected fault)", throttle.status));
    try {
      await this.sim.tick();
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
        case "secretsmanager":
          return jsonResponse(handleSecrets(this.sim, region, operation, params));
        case "codebuild":
          return jsonResponse(await handleBuilds(this.sim, region, operation, params, principal));
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
