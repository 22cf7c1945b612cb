import { eksClient, elbv2Client, secretsClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { destroyInventory, destroyInventoryInputSchema } from "./destroyInventory.js";

/** DestroyInventory: what the teardown will touch, and what it leaves alone because it is not ours (read-only). */
export const handler = defineStage({
  name: "destroy-inventory",
  clients: { eks: eksClient, elbv2: elbv2Client, secrets: secretsClient },
  input: destroyInventoryInputSchema,
  run: destroyInventory,
});
