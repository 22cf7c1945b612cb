import type { SFNClient } from "@aws-sdk/client-sfn";
import type { AwsClients } from "../lib/clients.js";
import { day2Setting } from "../lib/config.js";
import type { createLogger } from "../lib/logger.js";
import { arnRegion, type Registry, type StartDeps } from "../lib/registry.js";

/** What every route receives. */
export interface ApiDeps {
  aws: AwsClients;
  registry: Registry;
  log: ReturnType<typeof createLogger>;
  now: () => Date;
}

/** The state machines the API starts, from the environment (read per request: tests set them). */
export const stateMachines = () => ({
  deploy: day2Setting("deployStateMachineArn"),
  driftCheck: day2Setting("driftCheckStateMachineArn"),
  destroy: day2Setting("destroyStateMachineArn"),
});

/** The Step Functions client of the region a state machine or execution ARN names. */
export const sfnFor = (deps: ApiDeps, arn: string): SFNClient => deps.aws(arnRegion(arn)).sfn;

/** Dependencies of `startExclusive` for a state machine. */
export const startDeps = (deps: ApiDeps, stateMachineArn: string): StartDeps => ({
  registry: deps.registry,
  sfn: sfnFor(deps, stateMachineArn),
  now: deps.now,
});
