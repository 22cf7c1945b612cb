/**
 * In-memory fakes of every Deploy Task, keyed by resource: enough behaviour to drive the real definition
 * through its branches, loops and failure paths. Each fake records its calls; `faults` injects failures.
 */

import * as z from "zod";
import { ensureVpcsInputSchema } from "../../functions/ensure-vpcs/ensureVpcs.js";
import type { ClusterSpec, ResolvedDeployment } from "../../functions/lib/contracts.js";
import {
  clusterInputSchema,
  clusterPollInputSchema,
  karmadaLbInputSchema,
  karmadaLbPollInputSchema,
  sampleWorkloadInputSchema,
  sampleWorkloadPollInputSchema,
} from "../../functions/lib/contracts.js";
import { estimateMonthlyCost } from "../../functions/lib/cost.js";
import { karmadaKubeconfigSecretName, karmadaPkiSecretName } from "../../functions/lib/names.js";
import { parsePlan } from "../../functions/lib/plan.js";
import { parseStageInput } from "../../functions/lib/stage.js";
import { divideByWeight } from "../../functions/lib/webster.js";
import { preflightInputSchema } from "../../functions/preflight/input.js";
import { registryUpdateInputSchema } from "../../functions/registry-update/registryUpdate.js";
import { summarizeInputSchema } from "../../functions/summarize/schema.js";
import type { DeployResources, StageKey } from "../../statemachine/resources.js";
import { CODEBUILD_START_BUILD_SYNC } from "../../statemachine/task.js";
import { namedError, type TaskFake } from "../support/workflow.js";

export interface Faults {
  /** EKS cluster names whose control plane goes FAILED. */
  clusterFailed?: string[];
  /** EKS cluster names whose control plane never leaves CREATING. */
  clusterStuck?: string[];
  /** Throttle the first N calls of a stage. */
  throttle?: Partial<Record<StageKey, number>>;
  initBuildFails?: boolean;
  joinBuildFails?: string[];
  /** The created VPCs' NAT gateways never become available. */
  natGatewaysStuck?: boolean;
  /** The registry refuses the start: another execution of the deployment is running. */
  deploymentBusy?: boolean;
}

/**
 * The real stages' input schemas: every payload the definition builds is parsed with them, so a JSONPath
 * that does not fit a stage's contract fails the workflow test (as InvalidStageInput) instead of production.
 */
const STAGE_INPUTS: Record<StageKey, z.ZodType> = {
  validateInput: z.unknown(),
  ensureVpcs: ensureVpcsInputSchema,
  preflight: preflightInputSchema,
  ensureCluster: clusterInputSchema,
  clusterStatus: clusterPollInputSchema,
  ensureNodegroup: clusterInputSchema,
  nodegroupStatus: clusterPollInputSchema,
  ensureAddons: clusterInputSchema,
  addonsStatus: clusterPollInputSchema,
  grantAccess: clusterInputSchema,
  ensureStorageClass: clusterInputSchema,
  ensureKarmadaLb: karmadaLbInputSchema,
  karmadaLbStatus: karmadaLbPollInputSchema,
  sampleWorkload: sampleWorkloadInputSchema,
  sampleWorkloadStatus: sampleWorkloadPollInputSchema,
  summarize: summarizeInputSchema,
  registryUpdate: registryUpdateInputSchema,
};

type Input = { cluster?: ClusterSpec; attempt?: number } & Record<string, unknown>;

export function fakeStages(resources: DeployResources, faults: Faults = {}) {
  const calls: { stage: StageKey | "karmadaInit" | "karmadaJoin" | "karmadaRegister"; input: Input }[] = [];
  const throttled = new Map<string, number>();
  const poll = (ready: boolean, attempt = 0) => ({
    ready,
    status: ready ? "ACTIVE" : "CREATING",
    nextPollSeconds: 30,
    attempt,
  });
  const polledUntil = (attempt: number | undefined, readyAfter = 2) => poll((attempt ?? 0) >= readyAfter, attempt ?? 0);

  const spec = (plan: ReturnType<typeof parsePlan>, c: (typeof plan)["parent"]): ClusterSpec => ({
    deploymentName: plan.deploymentName,
    role: c.role,
    name: c.name,
    clusterName: c.clusterName,
    region: c.region,
    kubernetesVersion: "1.33",
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-a", "subnet-b"],
    nodeSubnetIds: ["subnet-a", "subnet-b"],
    nodegroup: { name: c.nodegroupName, count: 3, instanceTypes: ["m6i.large"], amiType: "AL2023_x86_64_STANDARD" },
    ...(c.weight ? { weight: c.weight } : {}),
    ...(c.syncMode ? { syncMode: c.syncMode } : {}),
    exists: false,
  });

  const stages: Record<StageKey, (input: Input) => unknown> = {
    validateInput: (input) => parsePlan(input),
    // NAT gateways available on the second poll.
    ensureVpcs: ({ attempt }) => ({
      ...(faults.natGatewaysStuck ? poll(false, attempt ?? 0) : polledUntil(attempt, 1)),
      vpcs: [],
    }),
    preflight: (input) => {
      const plan = input.plan as ReturnType<typeof parsePlan>;
      const resolved: ResolvedDeployment = {
        deploymentName: plan.deploymentName,
        region: plan.region,
        parent: spec(plan, plan.parent),
        members: plan.members.map((m) => spec(plan, m)),
        karmada: {
          ...plan.karmada,
          kubeconfigSecretName: karmadaKubeconfigSecretName(plan.deploymentName),
          pkiSecretName: karmadaPkiSecretName(plan.deploymentName),
        },
        sampleWorkload: plan.sampleWorkload,
        access: plan.access,
        notes: [],
      };
      return resolved;
    },
    ensureCluster: () => poll(false),
    clusterStatus: ({ cluster, attempt }) => {
      const name = cluster?.clusterName ?? "";
      if (faults.clusterFailed?.includes(name))
        throw namedError("ClusterCreateFailed", `EKS cluster ${name} is FAILED: health issue ResourceLimitExceeded`);
      if (faults.clusterStuck?.includes(name)) return poll(false, attempt);
      return polledUntil(attempt, 3);
    },
    ensureNodegroup: () => poll(false),
    nodegroupStatus: ({ attempt }) => polledUntil(attempt),
    ensureAddons: () => poll(false),
    addonsStatus: ({ attempt }) => polledUntil(attempt),
    grantAccess: () => ({ principals: ["arn:aws:iam::123456789012:role/eko-codebuild"] }),
    ensureStorageClass: () => ({ storageClass: "ebs-sc" }),
    ensureKarmadaLb: () => ({ ...poll(false), status: "pending" }),
    karmadaLbStatus: ({ attempt }) => ({
      ...polledUntil(attempt),
      hostname: "k-1234.elb.eu-central-1.amazonaws.com",
      ipv4: "198.51.100.7",
      loadBalancerArn: "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/net/k/1234",
    }),
    sampleWorkload: (input) => ({ ...poll(false), expected: expectedSplit(input), split: {} }),
    sampleWorkloadStatus: (input) => {
      const expected = expectedSplit(input);
      return { ...polledUntil(input.attempt), expected, split: expected };
    },
    summarize: (input) => ({
      deploymentName: (input.resolved as ResolvedDeployment).deploymentName,
      cost: estimateMonthlyCost(input.resolved as ResolvedDeployment),
      received: input,
    }),
    // The real stage is tested against a fake table (test/unit/registry/deployRegistry.test.ts); this one records.
    registryUpdate: (input) => {
      if (input.action === "deployStarted" && faults.deploymentBusy)
        throw namedError("ExecutionInProgress", "deployment demo is busy: destroy execution demo-destroy-1 is running");
      return { recorded: true };
    },
  };

  const build = (id: string) => ({
    Build: { Id: id, BuildStatus: "SUCCEEDED", StartTime: "2026-01-01T00:00:00Z", EndTime: "2026-01-01T00:05:00Z" },
  });
  const projectFake = (input: Input): unknown => {
    const env = Object.fromEntries(
      (input.EnvironmentVariablesOverride as { Name: string; Value: string }[]).map((v) => [v.Name, v.Value]),
    );
    if (input.ProjectName === resources.projects.karmadaInit) {
      calls.push({ stage: "karmadaInit", input: env });
      if (faults.initBuildFails) throw namedError("States.TaskFailed", '{"Build":{"BuildStatus":"FAILED"}}');
      return build("eko-karmada-init:1");
    }
    if (input.ProjectName === resources.projects.karmadaRegister) {
      calls.push({ stage: "karmadaRegister", input: env });
      if (faults.joinBuildFails?.includes(env.MEMBER_NAME ?? ""))
        throw namedError("States.TaskFailed", '{"Build":{"BuildStatus":"FAILED"}}');
      return build(`eko-karmada-register:${env.MEMBER_NAME}`);
    }
    calls.push({ stage: "karmadaJoin", input: env });
    if (faults.joinBuildFails?.includes(env.MEMBER_NAME ?? ""))
      throw namedError("States.TaskFailed", '{"Build":{"BuildStatus":"FAILED"}}');
    return build(`eko-karmada-join:${env.MEMBER_NAME}`);
  };

  const byArn = new Map(Object.entries(resources.functions).map(([key, arn]) => [arn, key as StageKey]));
  const fakes = (resource: string): TaskFake => {
    if (resource === CODEBUILD_START_BUILD_SYNC) return (input) => projectFake(input as Input);
    const key = byArn.get(resource);
    if (!key) throw new Error(`no fake for ${resource}`);
    return (input) => {
      parseStageInput(key, STAGE_INPUTS[key], input);
      calls.push({ stage: key, input: input as Input });
      const left = faults.throttle?.[key] ?? 0;
      const seen = throttled.get(key) ?? 0;
      if (seen < left) {
        throttled.set(key, seen + 1);
        throw namedError("ThrottlingException", "Rate exceeded");
      }
      return stages[key](input as Input);
    };
  };
  return { fakes, calls, callsOf: (stage: (typeof calls)[number]["stage"]) => calls.filter((c) => c.stage === stage) };
}

/** Karmada's division of the sample (the real one; it is tested against Karmada's vectors in test/unit/lib). */
function expectedSplit(input: Input): Record<string, number> {
  return divideByWeight(input.replicas as number, input.members as { name: string; weight: number }[]);
}
