import { eksClient, secretsClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { summarizeInputSchema } from "./schema.js";
import { summarize } from "./summarize.js";

/** Summary: what was built, where to reach it, whether members are Ready, and how long each phase took. */
export const handler = defineStage({
  name: "summarize",
  clients: { eks: eksClient, secrets: secretsClient },
  input: summarizeInputSchema,
  run: summarize,
});
