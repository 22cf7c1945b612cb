import { awsClients } from "../lib/aws.js";
import { createLogger } from "../lib/logger.js";
import { defaultRegistry } from "../lib/registry.js";
import type { ApiEvent } from "./http.js";
import { route } from "./router.js";

const log = createLogger("api");

/** The portal API: one function behind every route of the HTTP API (IAM auth). */
export const handler = (event: ApiEvent) =>
  route(event, { aws: awsClients, registry: defaultRegistry(), log, now: () => new Date() });
