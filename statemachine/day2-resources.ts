/**
 * What the DriftCheck and Destroy definitions need to know about the deployed infrastructure (one ARN or name per
 * Task). sst.config.ts builds the resources from the deployed functions and projects; tests and the local runner use
 * fake ARNs. The registry steps the workflows share are in registry.ts.
 */

export interface Day2Resources {
  /** Lambda function ARNs, one per stage (folder functions/<stage>). */
  functions: {
    registryUpdate: string;
    driftDesired: string;
    driftCluster: string;
    driftKarmada: string;
    driftSample: string;
    /** The VPCs the plan creates (vpc.create), read-only. */
    driftVpcs: string;
    driftReport: string;
    driftRemediate: string;
    destroyConfirm: string;
    destroyInventory: string;
    destroySample: string;
    destroyKarmadaLb: string;
    destroyKarmadaLbStatus: string;
    destroyNodegroups: string;
    destroyNodegroupsStatus: string;
    destroyCluster: string;
    destroyClusterStatus: string;
    /** Deletes the VPCs Deploy created (vpc.create), piece by piece, and polls until none is left. */
    destroyVpcs: string;
    destroySecrets: string;
  };
  /** CodeBuild project names (the `.sync` integration takes the name). */
  projects: {
    karmadaUnjoin: string;
    karmadaDeinit: string;
  };
}

export type Day2StageKey = keyof Day2Resources["functions"];

/** Stage key → folder under functions/ (the Lambda handler is functions/<folder>/handler.handler). */
export const DAY2_STAGE_FOLDERS: Record<Day2StageKey, string> = {
  registryUpdate: "registry-update",
  driftDesired: "drift-desired",
  driftCluster: "drift-cluster",
  driftKarmada: "drift-karmada",
  driftSample: "drift-sample",
  driftVpcs: "drift-vpcs",
  driftReport: "drift-report",
  driftRemediate: "drift-remediate",
  destroyConfirm: "destroy-confirm",
  destroyInventory: "destroy-inventory",
  destroySample: "destroy-sample",
  destroyKarmadaLb: "destroy-karmada-lb",
  destroyKarmadaLbStatus: "destroy-karmada-lb-status",
  destroyNodegroups: "destroy-nodegroups",
  destroyNodegroupsStatus: "destroy-nodegroups-status",
  destroyCluster: "destroy-cluster",
  destroyClusterStatus: "destroy-cluster-status",
  destroyVpcs: "destroy-vpcs",
  destroySecrets: "destroy-secrets",
};

/** Lambdas outside the state machines: the scheduler's target and the portal API (one function, every route). */
export const DAY2_ENTRY_FOLDERS = { driftSchedule: "drift-schedule", api: "api" } as const;

/** Fake but well-formed resources for tests and the local runner. */
export function fakeDay2Resources(account = "123456789012", region = "eu-central-1"): Day2Resources {
  const keys = Object.keys(DAY2_STAGE_FOLDERS) as Day2StageKey[];
  return {
    functions: Object.fromEntries(
      keys.map((k) => [k, `arn:aws:lambda:${region}:${account}:function:eko-${DAY2_STAGE_FOLDERS[k]}`]),
    ) as Day2Resources["functions"],
    projects: { karmadaUnjoin: "eko-karmada-unjoin", karmadaDeinit: "eko-karmada-deinit" },
  };
}

// ---------------------------------------------------------------------------------------------- registry steps

/** The registry-update actions (functions/registry-update). */
