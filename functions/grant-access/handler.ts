import { eksClient } from "../lib/clients.js";
import { grantAccessInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { grantAccess } from "./grantAccess.js";

/** GrantAccess: gives the orchestrator's principals, the stack's and the plan's cluster admins cluster-admin access entries. */
export const handler = defineStage({
  name: "grant-access",
  clients: { eks: eksClient },
  input: grantAccessInputSchema,
  run: grantAccess,
});
