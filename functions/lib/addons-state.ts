/**
 * How the addon stages read the parent's EKS addons and judge them together for the poll loop. Shared by
 * EnsureAddons (which may adopt addons in any state) and AddonsStatus.
 */
import { type Addon, type AddonStatus, DescribeAddonCommand, type EKSClient } from "@aws-sdk/client-eks";
import { awsFailure, isAwsError } from "./aws-errors.js";
import type { ClusterSpec, PollState } from "./contracts.js";
import { AddonDegraded } from "./errors.js";
import { INSTALLED_ADDONS } from "./names.js";
import { formatHealthIssues, pollState } from "./poll.js";
import { secondsBetween, TYPICAL } from "./timing.js";

/** The addons the parent needs, in creation order: the CSI driver authenticates through the pod identity agent. */
export const PARENT_ADDONS = INSTALLED_ADDONS;
export type ParentAddon = (typeof PARENT_ADDONS)[number];

/** Reads an addon, or `undefined` when the cluster does not have it. */
export async function findAddon(eks: EKSClient, clusterName: string, addonName: string): Promise<Addon | undefined> {
  try {
    return (await eks.send(new DescribeAddonCommand({ clusterName, addonName }))).addon;
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException")) return undefined;
    throw awsFailure(`failed to describe EKS addon ${addonName} on cluster ${clusterName}`, error);
  }
}

/**
 * Seconds an addon may stay DEGRADED before it counts as failed: the node group's longest typical creation
 * plus twice the addon's longest (the addons are created alongside the node group, and their pods have
 * nowhere to run until nodes join).
 */
export const DEGRADED_GRACE_SECONDS = TYPICAL.nodegroupCreate.max + 2 * TYPICAL.addonCreate.max;

type Verdict = "ready" | "wait" | "fail";

/** What each addon status means for the poll loop (DEGRADED depends on the addon's age, see `addonsState`). */
export const ADDON_STATUS_VERDICT: Record<AddonStatus, Verdict | "degraded"> = {
  ACTIVE: "ready",
  CREATING: "wait",
  UPDATING: "wait",
  DEGRADED: "degraded",
  CREATE_FAILED: "fail",
  UPDATE_FAILED: "fail",
  DELETING: "fail",
  DELETE_FAILED: "fail",
};

/**
 * Whether EnsureAddons should update an existing addon (UpdateAddon): UPDATE_FAILED, or DEGRADED for longer than
 * nodes and addon pods normally need (a DEGRADED addon within that window is just waiting for nodes).
 */
export function needsUpdate(addon: Addon, now: Date): boolean {
  if (addon.status === "UPDATE_FAILED") return true;
  if (addon.status !== "DEGRADED") return false;
  const age = addon.createdAt ? secondsBetween(addon.createdAt, now) : Number.POSITIVE_INFINITY;
  return age > DEGRADED_GRACE_SECONDS;
}

/** One addon's verdict at `now`, with the reason when it failed. */
function judge(name: string, addon: Addon | undefined, now: Date): { verdict: Verdict; problem?: string } {
  if (!addon) return { verdict: "fail", problem: `${name} does not exist (deleted while the deployment ran?)` };
  const status = addon.status ?? "UNKNOWN";
  const rule = ADDON_STATUS_VERDICT[status as AddonStatus] ?? "wait";
  const issues = formatHealthIssues(addon.health?.issues);
  if (rule === "fail") return { verdict: "fail", problem: `${name} is ${status}. ${issues}` };
  if (rule !== "degraded") return { verdict: rule };
  const age = addon.createdAt ? Math.round(secondsBetween(addon.createdAt, now)) : 0;
  if (age <= DEGRADED_GRACE_SECONDS) return { verdict: "wait" };
  return {
    verdict: "fail",
    problem: `${name} has been DEGRADED ${age} s after creation, longer than the ${DEGRADED_GRACE_SECONDS} s nodes and addon pods normally need. ${issues}`,
  };
}

/**
 * The poll step over the parent's addons, ready when every one is ACTIVE (status "ACTIVE", else "CREATING").
 *
 * Rules per addon: ACTIVE → ready; CREATING, UPDATING → wait; CREATE_FAILED, UPDATE_FAILED, DELETING,
 * DELETE_FAILED or missing → `AddonDegraded` at once. DEGRADED is normal while the node group is still
 * coming up (the addon's pods have nowhere to run), so it is tolerated until the addon is older than
 * `DEGRADED_GRACE_SECONDS` (node group max + 2 × addon max), then it is `AddonDegraded` with EKS's health issues.
 * The wait is paced by the oldest addon's age.
 */
export function addonsState(
  spec: ClusterSpec,
  addons: Readonly<Record<ParentAddon, Addon | undefined>>,
  attempt: number,
  now: Date,
): PollState {
  const verdicts = PARENT_ADDONS.map((name) => judge(name, addons[name], now));
  const problems = verdicts.flatMap((v) => (v.problem ? [v.problem] : []));
  if (problems.length) {
    throw new AddonDegraded(
      `EKS addons on cluster ${spec.clusterName} (${spec.role} ${spec.name}, ${spec.region}) failed: ${problems.join(" | ")}. ` +
        "Fix the cause (node group health, the EBS CSI role's trust policy for pods.eks.amazonaws.com), then run the " +
        "deployment again: the next Deploy updates a DEGRADED or UPDATE_FAILED addon (UpdateAddon, resolveConflicts " +
        "OVERWRITE). If it stays so, or is CREATE_FAILED, delete it (`aws eks delete-addon`) and run the deployment again.",
    );
  }
  const ready = verdicts.every((v) => v.verdict === "ready");
  const created = PARENT_ADDONS.flatMap((name) => addons[name]?.createdAt ?? []).map((d) => new Date(d).getTime());
  const oldest = created.length ? new Date(Math.min(...created)) : undefined;
  return pollState({
    kind: "addonsReady",
    status: ready ? "ACTIVE" : "CREATING",
    ready,
    attempt,
    createdAt: oldest,
    now,
  });
}
