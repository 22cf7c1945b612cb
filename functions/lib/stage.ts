/**
 * The shape every Lambda stage shares: a middy handler that validates its payload with the stage's
 * schema, then calls one function with its injected dependencies. Handlers stay a few lines long.
 */
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type * as z from "zod";
import { isThrottling } from "./aws-errors.js";
import { type AwsClients, type ClientFactories, regionalClients } from "./clients.js";
import { InvalidStageInput, OrchestratorError } from "./errors.js";
import { createLogger } from "./logger.js";
import { formatPath } from "./plan.js";

export interface StageDeps {
  aws: AwsClients;
  log: ReturnType<typeof createLogger>;
  /** Current time; injected so poll timing is testable and the simulator can run its own clock. */
  now: () => Date;
}

export interface StageDefinition<S extends z.ZodType, R> {
  /** Stage name as it appears in logs (the folder name). */
  name: string;
  input: S;
  run: (input: z.output<S>, deps: StageDeps) => Promise<R>;
  /**
   * The AWS clients the stage calls (functions/lib/clients.ts), by the name its logic reads (`deps.aws(region).eks`):
   * only these are bundled with it. Pure stages name none.
   */
  clients?: ClientFactories;
}

/** Parses a stage payload or throws `InvalidStageInput` naming every wrong field. */
export function parseStageInput<S extends z.ZodType>(stage: string, schema: S, event: unknown): z.output<S> {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join("; ");
  throw new InvalidStageInput(`${stage} received an invalid payload: ${problems}`);
}

/** The cluster a stage payload is about (`cluster`, `member` or `parent`), as a message names it. */
function clusterOf(input: unknown): string | undefined {
  for (const key of ["cluster", "member", "parent"]) {
    const c = (input as Record<string, { name?: unknown; clusterName?: unknown; region?: unknown }> | null)?.[key];
    if (typeof c?.name !== "string") continue;
    const eks = typeof c.clusterName === "string" ? ` (EKS ${c.clusterName}${c.region ? ` in ${c.region}` : ""})` : "";
    return `cluster ${c.name}${eks}`;
  }
  return undefined;
}

/**
 * Throttling keeps its name (the state machine's retriers match it) but gains a message naming the stage, the
 * cluster and the way out: when it ends an execution, the retries were exhausted and the raw SDK message
 * ("Rate exceeded") would say none of that.
 */
function explainThrottling(stage: string, input: unknown, error: Error): void {
  const cluster = clusterOf(input);
  error.message =
    `${stage}${cluster ? ` on ${cluster}` : ""} was throttled by AWS (${error.name}: ${error.message}). ` +
    "The workflow retries throttling with backoff; if this ended the execution, the retries were exhausted: " +
    "run it again when fewer calls compete for the account's API rate (it resumes where it stopped), " +
    "or request a higher quota for the throttled API in Service Quotas.";
}

/** Builds the Lambda handler of a stage. `deps` overrides defaults (tests). */
export function defineStage<S extends z.ZodType, R>(definition: StageDefinition<S, R>, deps: Partial<StageDeps> = {}) {
  const log = deps.log ?? createLogger(definition.name);
  const aws = deps.aws ?? regionalClients(definition.clients ?? {});
  const resolved: StageDeps = { aws, log, now: deps.now ?? (() => new Date()) };
  return middy(async (event: unknown, context: Context): Promise<R> => {
    log.addContext(context);
    const input = parseStageInput(definition.name, definition.input, event);
    try {
      return await definition.run(input, resolved);
    } catch (error) {
      // Named errors are the state machine's contract; anything else is logged with its name for the operator.
      const e = error as Error;
      if (isThrottling(e)) explainThrottling(definition.name, input, e);
      log.error(`${definition.name} failed`, {
        errorName: e.name,
        errorMessage: e.message,
        named: e instanceof OrchestratorError,
      });
      throw error;
    }
  });
}
