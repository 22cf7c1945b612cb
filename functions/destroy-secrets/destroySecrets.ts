import {
  DeleteSecretCommand,
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
} from "@aws-sdk/client-secrets-manager";
import * as z from "zod";
import { awsFailure, isAwsError } from "../lib/aws-errors.js";
import { DEPLOYMENT_TAG } from "../lib/names.js";
import type { StageDeps } from "../lib/stage.js";

export const destroySecretsInputSchema = z.object({
  deploymentName: z.string(),
  /** Region of the secrets (the parent's). */
  region: z.string(),
  kubeconfigSecretName: z.string(),
  pkiSecretName: z.string(),
});
export type DestroySecretsInput = z.output<typeof destroySecretsInputSchema>;

/**
 * Days Secrets Manager keeps a deleted secret recoverable. The PKI is the only copy of the Karmada CA: a Destroy run
 * by mistake can still be undone (`aws secretsmanager restore-secret`) for a week. KarmadaInit restores a secret
 * of its own deployment that is scheduled for deletion, so a re-deploy under the same name within the window works.
 */
export const RECOVERY_WINDOW_DAYS = 7;

/** What happened to one secret. */
export interface SecretOutcome {
  name: string;
  outcome: "scheduled-for-deletion" | "already-scheduled" | "absent" | "not-ours";
  /** When Secrets Manager deletes it for good. */
  deletionDate?: string;
}

type Described = DescribeSecretCommandOutput | undefined;

/** Decides what to do with a secret from its description (pure). */
export function secretAction(name: string, described: Described, deploymentName: string): SecretOutcome | "delete" {
  if (!described) return { name, outcome: "absent" };
  const owner = described.Tags?.find((t) => t.Key === DEPLOYMENT_TAG)?.Value;
  if (owner !== deploymentName) return { name, outcome: "not-ours" };
  if (described.DeletedDate)
    return { name, outcome: "already-scheduled", deletionDate: described.DeletedDate.toISOString() };
  return "delete";
}

/**
 * DestroySecrets: schedules the deletion of the Karmada kubeconfig and PKI secrets, with a
 * {@link RECOVERY_WINDOW_DAYS}-day recovery window, only when they carry this deployment's tag. Absent or already
 * scheduled is fine (a re-run converges); a secret of that name without our tag is left alone.
 */
export async function destroySecrets(
  input: DestroySecretsInput,
  deps: StageDeps,
): Promise<{ secrets: SecretOutcome[] }> {
  const secrets = deps.aws(input.region).secrets;
  const names = [input.kubeconfigSecretName, input.pkiSecretName];

  const described = await Promise.all(
    names.map(async (name): Promise<Described> => {
      try {
        return await secrets.send(new DescribeSecretCommand({ SecretId: name }));
      } catch (error) {
        if (isAwsError(error, "ResourceNotFoundException")) return undefined;
        throw awsFailure(`failed to describe secret ${name} in ${input.region}`, error);
      }
    }),
  );
  const outcomes: SecretOutcome[] = [];
  for (const [i, name] of names.entries()) {
    const action = secretAction(name, described[i], input.deploymentName);
    if (action !== "delete") {
      outcomes.push(action);
      continue;
    }
    try {
      const deleted = await secrets.send(
        new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: RECOVERY_WINDOW_DAYS }),
      );
      outcomes.push({
        name,
        outcome: "scheduled-for-deletion",
        ...(deleted.DeletionDate ? { deletionDate: deleted.DeletionDate.toISOString() } : {}),
      });
    } catch (error) {
      if (isAwsError(error, "ResourceNotFoundException")) outcomes.push({ name, outcome: "absent" });
      else throw awsFailure(`failed to delete secret ${name} in ${input.region}`, error);
    }
  }
  deps.log.info("Karmada secrets", { deploymentName: input.deploymentName, outcomes: outcomes.map((o) => o.outcome) });
  return { secrets: outcomes };
}
