import { secretsClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { destroySecrets, destroySecretsInputSchema } from "./destroySecrets.js";

/** DestroySecrets: schedules the Karmada kubeconfig and PKI secrets for deletion (7-day recovery window). */
export const handler = defineStage({
  name: "destroy-secrets",
  clients: { secrets: secretsClient },
  input: destroySecretsInputSchema,
  run: destroySecrets,
});
