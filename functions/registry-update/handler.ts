import { defineStage } from "../lib/stage.js";
import { registryUpdate, registryUpdateInputSchema } from "./registryUpdate.js";

/** RegistryUpdate: records the start and the end of Deploy, DriftCheck and Destroy executions in the registry. */
export const handler = defineStage({ name: "registry-update", input: registryUpdateInputSchema, run: registryUpdate });
