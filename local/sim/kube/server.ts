// Source: local/sim/SOURCES.md § kube/server.ts
/**
 * An HTTPS Kubernetes API endpoint on 127.0.0.1, serving one simulated cluster's store with that cluster's own
 * serving certificate. Authentication is the caller's (EKS bearer token, or Karmada's client certificate).
 */
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { parse as parseYaml } from "yaml";
import type { CertPem } from "../pki.js";
import { KubeError, type KubeStore } from "./store.js";

/** Thrown by `prepare` to drop the connection unanswered, as a security group does (the client times out). */
export class DropConnection extends Error {}

export interface KubeRequestInfo {
  method: string;
  path: string;
  authorization?: string;
  /** Subject CN of a client certificate the TLS layer verified against `clientCa`. */
  clientCertificateCN?: string;
}

/** One answered request, as `record` keeps it. */
export interface KubeExchange extends KubeRequestInfo {
  /** The query string, with its `?` (empty when none). */
  query: string;
  contentType?: string;
  /** The parsed request body. */
  body?: unknown;
  /** The HTTP status answered (0 when the connection was dropped unanswered). */
  status: number;
  /** What was answered: the object, list or Status. */
  answer?: unknown;
}

/** An error to answer instead of serving a matching request (after authentication), `times` times (default 1). */
export interface InjectedFailure {
  method?: string;
  /** A substring of, or a pattern for, the request path. */
  path?: string | RegExp;
  status: number;
  /** @default "InternalError" */
  reason?: string;
  /** @default "injected failure" */
  message?: string;
  /** @default 1 */
  times?: number;
}

export interface KubeApiServerOptions {
  serving: CertPem;
  /** CA that client certificates must chain to (Karmada). */
  clientCa?: string;
  /**
   * Settles simulated time before answering and returns the store to serve.
   * Throws a KubeError (401/403) to reject the caller.
   */
  prepare(request: KubeRequestInfo): Promise<KubeStore>;
  /** Port to try first (kept across runs so endpoints stay stable). */
  port?: number;
  /** Keep every answered request in `requests` (tests read what a client sent). */
  record?: boolean;
}

const statusBody = (code: number, reason: string, message: string) => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message,
  reason,
  code,
});

export class KubeApiServer {
  private server?: Server;
  port = 0;
  /** Answered requests, in order, when `record` is set. */
  readonly requests: KubeExchange[] = [];
  private readonly failures: (InjectedFailure & { left: number })[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: KubeApiServerOptions) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Answers the next matching request(s) with this error instead of serving them. */
  failNext(failure: InjectedFailure): void {
    this.failures.push({ ...failure, left: failure.times ?? 1 });
  }

  private injected(method: string, path: string): KubeError | undefined {
    const failure = this.failures.find(
      (f) =>
        f.left > 0 &&
        (!f.method || f.method === method) &&
        (!f.path || (typeof f.path === "string" ? path.includes(f.path) : f.path.test(path))),
    );
    if (!failure) return undefined;
    failure.left--;
    return new KubeError(failure.status, failure.reason ?? "InternalError", failure.message ?? "injected failure");
  }

  async start(): Promise<number> {
    const { serving, clientCa } = this.options;
    const server = createServer(
      {
        key: serving.keyPem,
        cert: serving.certPem,
        ...(clientCa ? { ca: [clientCa], requestCert: true, rejectUnauthorized: false } : {}),
      },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const url = new URL(req.url ?? "/", "https://127.0.0.1");
          let exchange: KubeExchange | undefined;
          const send = (status: number, payload: unknown) => {
            if (exchange) Object.assign(exchange, { status, answer: payload });
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(payload));
          };
          const method = req.method ?? "GET";
          const contentType = req.headers["content-type"] ?? "";
          const raw = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          try {
            body = raw ? (contentType.includes("yaml") ? parseYaml(raw) : JSON.parse(raw)) : undefined;
          } catch {
            return send(400, statusBody(400, "BadRequest", "the request body is not valid JSON"));
          }
          const socket = req.socket as TLSSocket;
          const peer = clientCa && socket.authorized ? socket.getPeerCertificate() : undefined;
          const info: KubeRequestInfo = {
            method,
            path: url.pathname,
            authorization: req.headers.authorization,
            clientCertificateCN: peer && typeof peer.subject?.CN === "string" ? peer.subject.CN : undefined,
          };
          if (this.options.record) {
            exchange = { ...info, query: url.search, contentType: contentType || undefined, body, status: 0 };
            this.requests.push(exchange);
          }
          this.options
            .prepare(info)
            .then((store) => {
              const failure = this.injected(method, url.pathname);
              if (failure) throw failure;
              const result = store.handle(method, url.pathname, url.searchParams, contentType, body);
              send(result.status, result.body);
            })
            .catch((error: unknown) => {
              if (error instanceof DropConnection) req.socket.destroy();
              else if (error instanceof KubeError)
                send(error.status, statusBody(error.status, error.reason, error.message));
              else send(500, statusBody(500, "InternalError", (error as Error).message));
            });
        });
      },
    );
    server.keepAliveTimeout = 120_000;
    // Raw TCP sockets, including those still in the TLS handshake, which closeAllConnections does not know yet.
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    this.server = server;
    this.port = await listen(server, this.options.port);
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

/** Listens on 127.0.0.1, on `preferred` when it is free, else on a random port. */
export async function listen(server: import("node:net").Server, preferred?: number): Promise<number> {
  const attempt = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.removeAllListeners("error");
        resolve((server.address() as AddressInfo).port);
      });
    });
  if (preferred) {
    try {
      return await attempt(preferred);
    } catch {
      server.removeAllListeners("error");
    }
  }
  return attempt(0);
}
