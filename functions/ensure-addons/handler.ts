import { eksClient } from "../lib/clients.js";
import { clusterInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { ensureAddons } from "./ensureAddons.js";

/** EnsureAddons: creates (or adopts) the parent's pod identity agent and EBS CSI driver addons. */
export const handler = defineStage({
  name: "ensure-addons",
  clients: { eks: eksClient },
  input: clusterInputSchema,
  run: ensureAddons,
});
