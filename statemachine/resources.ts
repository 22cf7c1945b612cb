/**
 * What the Deploy definition needs to know about the deployed infrastructure: one ARN (or name) per Task.
 * sst.config.ts builds it from the deployed resources; tests and the local runner use fake ARNs.
 */
export interface DeployResources {
  /** Lambda function ARNs, one per stage (folder functions/<stage>). */
  functions: {
    validateInput: string;
    /** Creates (or adopts) the plan's VPCs and polls their NAT gateways (vpc.create). */
    ensureVpcs: string;
    preflight: string;
    ensureCluster: string;
    clusterStatus: string;
    ensureNodegroup: string;
    nodegroupStatus: string;
    ensureAddons: string;
    addonsStatus: string;
    grantAccess: string;
    ensureStorageClass: string;
    ensureKarmadaLb: string;
    karmadaLbStatus: string;
    sampleWorkload: string;
    sampleWorkloadStatus: string;
    summarize: string;
    /** Records the start and the outcome in the deployment registry (shared with DriftCheck and Destroy). */
    registryUpdate: string;
  };
  /** CodeBuild project names (the `.sync` integration takes the name). */
  projects: {
    karmadaInit: string;
    karmadaJoin: string;
    /** Pull members: `kubectl karmada register` (buildspecs/karmada-register.yml). */
    karmadaRegister: string;
  };
}

export type StageKey = keyof DeployResources["functions"];

/** Stage key → folder under functions/ (the Lambda handler is functions/<folder>/handler.handler). */
export const STAGE_FOLDERS: Record<StageKey, string> = {
  validateInput: "validate-input",
  ensureVpcs: "ensure-vpcs",
  preflight: "preflight",
  ensureCluster: "ensure-cluster",
  clusterStatus: "cluster-status",
  ensureNodegroup: "ensure-nodegroup",
  nodegroupStatus: "nodegroup-status",
  ensureAddons: "ensure-addons",
  addonsStatus: "addons-status",
  grantAccess: "grant-access",
  ensureStorageClass: "ensure-storage-class",
  ensureKarmadaLb: "ensure-karmada-lb",
  karmadaLbStatus: "karmada-lb-status",
  sampleWorkload: "sample-workload",
  sampleWorkloadStatus: "sample-workload-status",
  summarize: "summarize",
  registryUpdate: "registry-update",
};

/** Fake but well-formed resources for tests and the local runner. */
export function fakeDeployResources(account = "123456789012", region = "eu-central-1"): DeployResources {
  const fn = (key: StageKey) => `arn:aws:lambda:${region}:${account}:function:eko-${STAGE_FOLDERS[key]}`;
  const keys = Object.keys(STAGE_FOLDERS) as StageKey[];
  return {
    functions: Object.fromEntries(keys.map((k) => [k, fn(k)])) as DeployResources["functions"],
    projects: {
      karmadaInit: "eko-karmada-init",
      karmadaJoin: "eko-karmada-join",
      karmadaRegister: "eko-karmada-register",
    },
  };
}
