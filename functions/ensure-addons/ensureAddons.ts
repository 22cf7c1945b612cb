import {
  type Addon,
  CreateAddonCommand,
  type CreateAddonCommandInput,
  type EKSClient,
  UpdateAddonCommand,
} from "@aws-sdk/client-eks";
import { addonsState, findAddon, needsUpdate, PARENT_ADDONS, type ParentAddon } from "../lib/addons-state.js";
import { awsFailure, isAwsError } from "../lib/aws-errors.js";
import { setting } from "../lib/config.js";
import type { ClusterInput, ClusterSpec, PollState } from "../lib/contracts.js";
import { clusterTags, EBS_CSI_ADDON, EBS_CSI_SERVICE_ACCOUNT } from "../lib/names.js";
import { requestToken } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * The CreateAddon request for one parent addon, at EKS's default version for the cluster. OVERWRITE lets the
 * addon take over fields an earlier manual install left behind. The EBS CSI driver gets its IAM role through
 * an EKS Pod Identity association on its controller's service account (no OIDC provider needed).
 */
export function createAddonRequest(
  spec: ClusterSpec,
  addonName: ParentAddon,
  ebsCsiRoleArn: string,
): CreateAddonCommandInput {
  const request = {
    clusterName: spec.clusterName,
    addonName,
    resolveConflicts: "OVERWRITE",
    tags: clusterTags(spec.deploymentName, spec.role, spec.name),
    ...(addonName === EBS_CSI_ADDON
      ? { podIdentityAssociations: [{ serviceAccount: EBS_CSI_SERVICE_ACCOUNT, roleArn: ebsCsiRoleArn }] }
      : {}),
  } satisfies CreateAddonCommandInput;
  return { ...request, clientRequestToken: requestToken("CreateAddon", JSON.stringify(request)) };
}

/**
 * EnsureAddons: creates the parent's addons (`eks-pod-identity-agent`, then `aws-ebs-csi-driver`) that are
 * missing and adopts those present (an addon in our cluster is ours, tagged or not), then returns the first
 * poll step over both (`attempt: 0`). The addons become ACTIVE only once nodes exist; see `addonsState`.
 * An addon left DEGRADED (past the time nodes need) or UPDATE_FAILED by an earlier run is updated, not left as it is.
 * @throws AddonDegraded when an existing addon has failed otherwise (CREATE_FAILED, DELETING, …)
 */
export async function ensureAddons({ cluster: spec }: ClusterInput, deps: StageDeps): Promise<PollState> {
  const ebsCsiRoleArn = setting("ebsCsiRoleArn");
  const eks = deps.aws(spec.region).eks;

  const addons = {} as Record<ParentAddon, Addon | undefined>;
  // In order: the CSI driver's pods authenticate through the agent.
  for (const name of PARENT_ADDONS) {
    const existing = await findAddon(eks, spec.clusterName, name);
    if (existing && needsUpdate(existing, deps.now())) {
      addons[name] = await updateAddon(eks, spec, existing, deps);
    } else if (existing) {
      deps.log.info("adopting existing addon", {
        clusterName: spec.clusterName,
        addonName: name,
        status: existing.status,
      });
      addons[name] = existing;
    } else {
      addons[name] = await createAddon(eks, spec, createAddonRequest(spec, name, ebsCsiRoleArn));
      deps.log.info("addon creation started", { clusterName: spec.clusterName, addonName: name });
    }
  }
  return addonsState(spec, addons, 0, deps.now());
}

/**
 * UpdateAddon with `resolveConflicts: OVERWRITE`: EKS applies the addon's manifests again and overwrites fields
 * changed from its defaults ("Overwrite – Amazon EKS overwrites the changed value back to the Amazon EKS default
 * value": botocore eks 2017-11-01 UpdateAddonRequest.resolveConflicts), which is what leaves an addon DEGRADED when
 * someone edited it. Version, role and Pod Identity associations stay as they are (omitted = no change).
 * Busy (ResourceInUseException: another update started) is polled like ours.
 */
async function updateAddon(eks: EKSClient, spec: ClusterSpec, existing: Addon, deps: StageDeps): Promise<Addon> {
  const addonName = existing.addonName as string;
  try {
    await eks.send(new UpdateAddonCommand({ clusterName: spec.clusterName, addonName, resolveConflicts: "OVERWRITE" }));
    deps.log.warn("updating an addon an earlier run left unhealthy", {
      clusterName: spec.clusterName,
      addonName,
      status: existing.status,
    });
  } catch (error) {
    if (!isAwsError(error, "ResourceInUseException"))
      throw awsFailure(`failed to update EKS addon ${addonName} on cluster ${spec.clusterName}`, error);
  }
  return { ...existing, status: "UPDATING" };
}

async function createAddon(eks: EKSClient, spec: ClusterSpec, request: CreateAddonCommandInput): Promise<Addon> {
  const name = request.addonName as string;
  const action = `failed to create EKS addon ${name} on cluster ${spec.clusterName}`;
  try {
    const created = (await eks.send(new CreateAddonCommand(request))).addon;
    return created ?? { addonName: name, status: "CREATING" };
  } catch (error) {
    if (!isAwsError(error, "ResourceInUseException")) throw awsFailure(action, error);
    // Created between our describe and our create (another execution): adopt it.
    const raced = await findAddon(eks, spec.clusterName, name);
    if (!raced) throw awsFailure(action, error);
    return raced;
  }
}
