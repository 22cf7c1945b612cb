import { eksClient } from "../lib/clients.js";
import { ensureInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { ensureNodegroup } from "./ensureNodegroup.js";

/** EnsureNodegroup: creates (or adopts and resizes) the managed node group and returns the first poll step. */
export const handler = defineStage({
  name: "ensure-nodegroup",
  clients: { eks: eksClient },
  input: ensureInputSchema,
  run: ensureNodegroup,
});
