/**
 * Injected faults (`--fail <spec>`), parsed once and consulted by the simulated services.
 *
 *   cluster-failed:<cluster>     the EKS cluster goes FAILED instead of ACTIVE
 *   nodegroup-failed:<cluster>   its managed node group goes CREATE_FAILED
 *   addon-degraded:<cluster>     its addons go DEGRADED
 *   lb-never-active              the Karmada NLB stays `provisioning`
 *   build-failed:init            the KarmadaInit build fails
 *   build-failed:join:<member>   that member's KarmadaJoin build fails
 *   throttle:<stage>:<count>     the stage's first <count> AWS calls are throttled
 *
 * `<cluster>` is a cluster's name in the plan (`parent`, a member name) or its EKS name; matched exactly.
 * `<stage>` is a stage folder (`ensure-cluster`, `destroy-cluster`) or key (`ensureCluster`).
 * A target the run does not have (a cluster outside the plan, a stage the workflow never runs) is rejected up front
 * by `faultTargetProblems`, listing the valid ones.
 */
import { DAY2_STAGE_FOLDERS } from "../../statemachine/day2-resources.js";
import { STAGE_FOLDERS } from "../../statemachine/resources.js";

export type FaultSpec =
  | { kind: "cluster-failed"; cluster: string }
  | { kind: "nodegroup-failed"; cluster: string }
  | { kind: "addon-degraded"; cluster: string }
  | { kind: "lb-never-active" }
  | { kind: "build-failed"; build: "init" }
  | { kind: "build-failed"; build: "join"; member: string }
  | { kind: "throttle"; stage: string; count: number };

export const FAULT_USAGE = [
  "cluster-failed:<cluster>",
  "nodegroup-failed:<cluster>",
  "addon-degraded:<cluster>",
  "lb-never-active",
  "build-failed:init",
  "build-failed:join:<member>",
  "throttle:<stage>:<count>",
];

const FOLDERS: Record<string, string> = { ...STAGE_FOLDERS, ...DAY2_STAGE_FOLDERS };
const STAGES = new Set<string>([...Object.values(FOLDERS), ...Object.keys(FOLDERS)]);
const folderOf = (stage: string) => (Object.hasOwn(FOLDERS, stage) ? (FOLDERS[stage] as string) : stage);

/** Parses one `--fail` spec; throws an Error naming the problem (a usage error). */
export function parseFault(spec: string): FaultSpec {
  const [kind, ...rest] = spec.split(":");
  const arg = rest.join(":");
  const needName = (what: string) => {
    if (!arg || rest.length !== 1) throw new Error(`--fail ${spec}: expected ${kind}:<${what}>`);
    return arg;
  };
  switch (kind) {
    case "cluster-failed":
    case "nodegroup-failed":
    case "addon-degraded":
      return { kind, cluster: needName("cluster") };
    case "lb-never-active":
      if (rest.length) throw new Error(`--fail ${spec}: lb-never-active takes no argument`);
      return { kind };
    case "build-failed":
      if (rest[0] === "init" && rest.length === 1) return { kind, build: "init" };
      if (rest[0] === "join" && rest.length === 2 && rest[1]) return { kind, build: "join", member: rest[1] };
      throw new Error(`--fail ${spec}: expected build-failed:init or build-failed:join:<member>`);
    case "throttle": {
      const [stage, count] = rest;
      if (!stage || !count || rest.length !== 2 || !/^\d+$/.test(count))
        throw new Error(`--fail ${spec}: expected throttle:<stage>:<count>`);
      if (!STAGES.has(stage))
        throw new Error(
          `--fail ${spec}: unknown stage '${stage}' (one of ${[...new Set(Object.values(FOLDERS))].join(", ")})`,
        );
      return { kind, stage: folderOf(stage), count: Number(count) };
    }
    default:
      throw new Error(`--fail ${spec}: unknown fault '${kind}' (one of ${FAULT_USAGE.join(", ")})`);
  }
}

/** What a run's faults can name: the plan's clusters and the stages its workflow runs. */
export interface FaultTargets {
  /** The plan's clusters (parent first); undefined when the run has no known plan. */
  clusters?: { name: string; clusterName: string }[];
  /** Plan names of the member clusters. */
  members?: string[];
  /** Stage folders the workflow (and what it starts) runs. */
  stages: string[];
}

/**
 * Faults naming a target the run does not have (a cluster outside the plan, a stage the workflow never runs):
 * one message each, listing the valid targets. Such a fault would be silently ignored.
 */
export function faultTargetProblems(specs: FaultSpec[], targets: FaultTargets): string[] {
  const problems: string[] = [];
  const clusters = targets.clusters;
  for (const f of specs) {
    if (f.kind === "cluster-failed" || f.kind === "nodegroup-failed" || f.kind === "addon-degraded") {
      if (clusters && !clusters.some((c) => c.name === f.cluster || c.clusterName === f.cluster))
        problems.push(
          `--fail ${f.kind}:${f.cluster}: the plan has no cluster '${f.cluster}' (one of ${clusters.map((c) => `${c.name} or ${c.clusterName}`).join(", ")})`,
        );
    } else if (f.kind === "build-failed" && f.build === "join") {
      if (targets.members && !targets.members.includes(f.member))
        problems.push(
          `--fail build-failed:join:${f.member}: the plan has no member '${f.member}' (one of ${targets.members.join(", ")})`,
        );
    } else if (f.kind === "throttle" && !targets.stages.includes(f.stage))
      problems.push(
        `--fail throttle:${f.stage}:${f.count}: this workflow never runs the stage '${f.stage}' (one of ${targets.stages.join(", ")})`,
      );
  }
  return problems;
}

/** The faults of one run, with the throttle budgets they still have. */
export class Faults {
  private readonly throttles = new Map<string, number>();

  constructor(
    readonly specs: FaultSpec[] = [],
    /** Plan cluster name → EKS cluster name, so `<cluster>` may be either. */
    private readonly eksNames: Record<string, string> = {},
  ) {
    for (const f of specs)
      if (f.kind === "throttle") this.throttles.set(f.stage, (this.throttles.get(f.stage) ?? 0) + f.count);
  }

  private matches(spec: string, eksName: string, planName: string | undefined): boolean {
    return spec === eksName || spec === planName || this.eksNames[spec] === eksName;
  }

  private clusterFault(
    kind: "cluster-failed" | "nodegroup-failed" | "addon-degraded",
    eksName: string,
    planName?: string,
  ) {
    return this.specs.some((f) => f.kind === kind && this.matches(f.cluster, eksName, planName));
  }

  clusterFails = (eksName: string, planName?: string) => this.clusterFault("cluster-failed", eksName, planName);
  nodegroupFails = (eksName: string, planName?: string) => this.clusterFault("nodegroup-failed", eksName, planName);
  addonDegrades = (eksName: string, planName?: string) => this.clusterFault("addon-degraded", eksName, planName);
  get loadBalancerNeverActive(): boolean {
    return this.specs.some((f) => f.kind === "lb-never-active");
  }
  initFails = () => this.specs.some((f) => f.kind === "build-failed" && f.build === "init");
  joinFails = (member: string) =>
    this.specs.some((f) => f.kind === "build-failed" && f.build === "join" && f.member === member);

  /** Whether this AWS call of `stage` is throttled (consumes one from the budget). */
  throttle(stage: string | undefined): boolean {
    if (!stage) return false;
    const left = this.throttles.get(stage) ?? 0;
    if (left <= 0) return false;
    this.throttles.set(stage, left - 1);
    return true;
  }
}
