// Source: local/sim/SOURCES.md § aws/codebuild.ts
/**
 * Simulated AWS CodeBuild (JSON 1.1): StartBuild / BatchGetBuilds / StopBuild for the two projects of this product.
 * A build provisions (drawn `codebuildProvisioning`), then its buildspec runs against the simulated world: what it
 * does and how long it takes is decided by the world at that instant (see ../karmada.ts), and its effects land when
 * it finishes.
 */
import type { SimAccount } from "../account.js";
import { authorizeBuild, planBuild } from "../karmada.js";
import type { BuildRecord } from "../state.js";
import { AwsError, notImplemented } from "./protocol.js";

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export async function handleBuilds(
  sim: SimAccount,
  region: string,
  operation: string,
  body: Record<string, unknown>,
  principal: string,
): Promise<unknown> {
  switch (operation) {
    case "StartBuild":
      return { build: describeBuild(sim, region, startBuild(sim, region, body, principal)) };
    case "BatchGetBuilds": {
      const ids = (body.ids as string[] | undefined) ?? [];
      const builds = sim.region(region).builds;
      return {
        builds: ids.flatMap((id) => {
          const b = builds.find((x) => x.id === id);
          return b ? [describeBuild(sim, region, b)] : [];
        }),
        buildsNotFound: ids.filter((id) => !builds.some((x) => x.id === id)),
      };
    }
    case "StopBuild": {
      const b = sim.region(region).builds.find((x) => x.id === body.id);
      if (!b) throw new AwsError("ResourceNotFoundException", `Build ${String(body.id)} not found`);
      if (!b.outcome || b.endTime > sim.now()) {
        // A stopped build is STOPPED, not FAILED (botocore codebuild enum StatusType).
        b.outcome = "STOPPED";
        b.reason = "stopped";
        b.endTime = sim.now();
        b.applied = true;
      }
      return { build: describeBuild(sim, region, b) };
    }
    default:
      throw notImplemented("CodeBuild", operation);
  }
}

export function startBuild(
  sim: SimAccount,
  region: string,
  body: Record<string, unknown>,
  principal: string,
): BuildRecord {
  const projectName = String(body.projectName ?? "");
  if (!sim.projects[projectName])
    throw new AwsError(
      "ResourceNotFoundException",
      `Project cannot be found: arn:aws:codebuild:${region}:${sim.state.account}:project/${projectName}`,
    );
  const environment: Record<string, string> = {};
  for (const v of (body.environmentVariablesOverride as { name: string; value: string }[] | undefined) ?? [])
    environment[v.name] = v.value;
  const builds = sim.region(region).builds;
  const number = builds.filter((b) => b.projectName === projectName).length + 1;
  const now = sim.now();
  const key = provisioningKey(projectName, environment, number);
  const build: BuildRecord = {
    id: `${projectName}:${sim.random.uuid()}`,
    arn: "",
    projectName,
    buildNumber: number,
    startTime: now,
    endTime: now + sim.random.duration("codebuildProvisioning", key) * 1000,
    applied: false,
    environment,
    initiator: principal,
  };
  build.arn = `arn:aws:codebuild:${region}:${sim.state.account}:build/${build.id}`;
  builds.push(build);
  sim.stats.codebuildBuilds++;
  sim.startRealBuild(build);
  return build;
}

/** Key of a build's `codebuildProvisioning` draw (the benchmark recomputes it). */
export const provisioningKey = (
  projectName: string,
  environment: Record<string, string>,
  buildNumber: number,
): string => `${projectName}/${environment.CLUSTER_NAME ?? ""}/${environment.MEMBER_NAME ?? ""}/${buildNumber}`;

/** Decides the build's course once provisioning is over (called by `SimAccount.tick`). */
export async function settleBuild(sim: SimAccount, build: BuildRecord): Promise<void> {
  // A real build (../real.ts) settles itself when it ends.
  if (build.outcome || build.endTime === Number.MAX_SAFE_INTEGER) return;
  const workStart = build.endTime;
  // The buildspec's `aws` calls run as the CodeBuild role: IAM decides them first (../karmada.ts).
  const authorized = await authorizeBuild(sim, build);
  if (build.outcome) return;
  const plan = planBuild(sim, build, workStart, authorized);
  build.outcome = plan.outcome;
  build.reason = plan.reason;
  build.endTime = workStart + plan.seconds * 1000;
}

/** Whether the build has finished at simulated time `now`. */
export const buildDone = (build: BuildRecord, now: number): boolean => !!build.outcome && build.endTime <= now;

export function describeBuild(sim: SimAccount, region: string, b: BuildRecord) {
  const now = sim.now();
  const done = buildDone(b, now);
  const status = done ? (b.outcome as string) : "IN_PROGRESS";
  const provisioned = !!b.outcome;
  return {
    id: b.id,
    arn: b.arn,
    buildNumber: b.buildNumber,
    startTime: seconds(b.startTime),
    ...(done ? { endTime: seconds(b.endTime) } : {}),
    currentPhase: done ? "COMPLETED" : provisioned ? "BUILD" : "PROVISIONING",
    buildStatus: status,
    projectName: b.projectName,
    phases: [
      { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED", startTime: seconds(b.startTime) },
      ...(done
        ? [
            {
              phaseType: "BUILD",
              phaseStatus: b.outcome,
              ...(b.outcome === "FAILED"
                ? { contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: b.reason ?? "the build failed" }] }
                : {}),
            },
            { phaseType: "COMPLETED", startTime: seconds(b.endTime) },
          ]
        : []),
    ],
    source: { type: "NO_SOURCE" },
    environment: {
      type: "LINUX_CONTAINER",
      image: "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
      computeType: "BUILD_GENERAL1_SMALL",
      environmentVariables: Object.entries(b.environment).map(([name, value]) => ({ name, value, type: "PLAINTEXT" })),
    },
    logs: {
      groupName: `/aws/codebuild/${b.projectName}`,
      streamName: b.id.split(":")[1],
      deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups`,
    },
    timeoutInMinutes: 60,
    queuedTimeoutInMinutes: 480,
    buildComplete: done,
    initiator: b.initiator.split("/").pop(),
  };
}
