/**
 * How the local runner and the e2e test bed run a stage as Lambda would: the real handler module
 * (functions/<stage>/handler.ts, loaded once per process) with a Lambda-like context.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dirname, "..");

export type StageHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** A loader of stage handlers that imports each folder's module once. */
export function stageHandlers(): (folder: string) => Promise<{ handler: StageHandler }> {
  const loaded = new Map<string, Promise<{ handler: StageHandler }>>();
  return (folder) => {
    let module = loaded.get(folder);
    if (!module) {
      module = import(pathToFileURL(resolve(ROOT, "functions", folder, "handler.ts")).href);
      loaded.set(folder, module);
    }
    return module;
  };
}

/** The context Lambda hands the stage's function `eko-<folder>` in `region` of `account`. */
export function lambdaContext(folder: string, region: string, account: string, logStreamName: string) {
  return {
    functionName: `eko-${folder}`,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:eko-${folder}`,
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/eko-${folder}`,
    logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 120_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
