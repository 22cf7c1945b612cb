import * as z from "zod";
import { DestroyNotConfirmed } from "../lib/errors.js";
import type { StageDeps } from "../lib/stage.js";

/** The Destroy execution input. `confirm` is checked here, not by the schema, so a missing one is DestroyNotConfirmed. */
export const destroyConfirmInputSchema = z.object({
  deploymentName: z.string().min(1, "must name the deployment to destroy"),
  confirm: z.unknown().optional(),
});
export type DestroyConfirmInput = z.output<typeof destroyConfirmInputSchema>;

/**
 * DestroyConfirm: the first step of Destroy, before anything is read or touched. The input must repeat the
 * deployment name in `confirm`, so a Destroy started by mistake (or with another deployment's input) stops here.
 * @throws DestroyNotConfirmed when `confirm` is missing or differs from `deploymentName`
 */
export async function destroyConfirm(input: DestroyConfirmInput, deps: StageDeps): Promise<{ deploymentName: string }> {
  if (input.confirm !== input.deploymentName) {
    const got =
      input.confirm === undefined ? "no confirm field" : `confirm ${JSON.stringify(input.confirm)?.slice(0, 100)}`;
    throw new DestroyNotConfirmed(
      `Destroy of deployment ${input.deploymentName} was not confirmed (${got}); nothing was touched. Start it again with {"deploymentName": "${input.deploymentName}", "confirm": "${input.deploymentName}"}.`,
    );
  }
  deps.log.info("destroy confirmed", { deploymentName: input.deploymentName });
  return { deploymentName: input.deploymentName };
}
