import { regionalClients, sfnClient } from "../lib/clients.js";
import { createLogger } from "../lib/logger.js";
import { defaultRegistry } from "../lib/registry.js";
import type { ApiEvent } from "./http.js";
import { route } from "./router.js";

const log = createLogger("api");

/** The API reads executions (Step Functions); the registry keeps its own DynamoDB client. */
const aws = regionalClients({ sfn: sfnClient });

/** The portal API: one function behind every route of the HTTP API (IAM auth). */
export const handler = (event: ApiEvent) =>
  route(event, { aws, registry: defaultRegistry(), log, now: () => new Date() });
