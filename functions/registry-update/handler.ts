import { sfnClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { registryUpdate, registryUpdateInputSchema } from "./registryUpdate.js";

/** RegistryUpdate: records the start and the end of Deploy, DriftCheck and Destroy executions in the registry. */
export const handler = defineStage({
  name: "registry-update",
  clients: { sfn: sfnClient },
  input: registryUpdateInputSchema,
  run: registryUpdate,
});
