import * as z from "zod";
import { findCluster } from "../lib/cluster-state.js";
import { type CheckResult, type DesiredSample, desiredSampleSchema, finding, RESOURCE } from "../lib/drift-desired.js";
import type { Finding } from "../lib/findings.js";
import { isKubernetesCallFailure, type KubeDeps, kubeFactory, kubeRead } from "../lib/kube.js";
import { isOwnedBy, SAMPLE_DEPLOYMENT, SAMPLE_NAMESPACE } from "../lib/names.js";
import { type MemberObservation, observe } from "../lib/sample-observation.js";
import type { StageDeps } from "../lib/stage.js";
import { nearestDivision, possibleDivisions, sameSplit } from "../lib/webster.js";

export const driftSampleInputSchema = z.object({ sample: desiredSampleSchema });
export type DriftSampleInput = z.output<typeof driftSampleInputSchema>;

/** A member's observation, or why it could not be observed. */
export type SampleReading = { member: string; observation: MemberObservation } | { member: string; skipped: string };

/**
 * The sample split: when every member could be read and the available replicas are a division Karmada's static
 * weights can produce (functions/lib/webster.ts, under either tie order: this check does not ask Karmada for the
 * template's UID that picks one), nothing; otherwise one `sample.replicas` warning per member whose count differs
 * from the nearest such division (a member that could not be read is `info`: DriftCluster reports why).
 */
export function judgeSample(desired: DesiredSample, readings: readonly SampleReading[]): Finding[] {
  const divisions = possibleDivisions(desired.replicas, desired.members);
  const observed = readings.flatMap((r) => ("observation" in r ? [r.observation] : []));
  const split = Object.fromEntries(observed.map((o) => [o.name, o.available]));
  const expected = nearestDivision(split, divisions);
  const skipped = readings.flatMap((r) =>
    "skipped" in r
      ? [
          finding(
            "sample.skipped",
            "info",
            RESOURCE.sample(r.member),
            `${expected[r.member] ?? 0} available replicas`,
            `not checked: ${r.skipped}`,
          ),
        ]
      : [],
  );
  if (skipped.length === 0 && divisions.some((d) => sameSplit(d, split))) return [];
  const weights = desired.members.map((m) => `${m.name}=${m.weight}`).join(", ");
  const differing = observed
    .filter((o) => o.available !== expected[o.name])
    .map((o) =>
      finding(
        o.exists ? "sample.replicas" : "sample.deployment",
        "warning",
        RESOURCE.sample(o.name),
        `${expected[o.name] ?? 0} available replicas (${desired.replicas} divided by weights ${weights})`,
        o.exists ? `${o.available} available replicas` : "no sample Deployment",
      ),
    );
  return [...differing, ...skipped];
}

/**
 * DriftSample (read-only): reads the sample nginx Deployment on every member cluster itself (as the Deploy's
 * split check does) and compares the available replicas with the weighted division. Nothing to check when the
 * plan disables the sample. Members that are missing, not ours or not ACTIVE are skipped; a member whose API cannot
 * be asked is a `sample.memberApi` warning.
 */
export async function driftSample(
  { sample: desired }: DriftSampleInput,
  deps: StageDeps & KubeDeps,
): Promise<CheckResult> {
  if (!desired.enabled || desired.replicas === 0) return { findings: [] };
  const kube = deps.kube ?? kubeFactory(deps.aws);
  const apiFindings: Finding[] = [];
  const readings = await Promise.all(
    desired.members.map(async (member): Promise<SampleReading> => {
      const cluster = await findCluster(deps.aws(member.region).eks, member.clusterName);
      if (!cluster) return { member: member.name, skipped: `cluster ${member.clusterName} is missing` };
      if (!isOwnedBy(cluster.tags, desired.deploymentName))
        return { member: member.name, skipped: `cluster ${member.clusterName} is not ours` };
      if (cluster.status !== "ACTIVE")
        return { member: member.name, skipped: `cluster ${member.clusterName} is ${cluster.status}` };
      try {
        const clients = await kube.forCluster(member);
        const deployment = await kubeRead(
          `failed to read Deployment ${SAMPLE_NAMESPACE}/${SAMPLE_DEPLOYMENT} on member ${member.name} (${member.clusterName})`,
          () => clients.apps.readNamespacedDeployment({ name: SAMPLE_DEPLOYMENT, namespace: SAMPLE_NAMESPACE }),
        );
        return { member: member.name, observation: observe(member.name, deployment) };
      } catch (error) {
        if (!isKubernetesCallFailure(error)) throw error;
        apiFindings.push(
          finding(
            "sample.memberApi",
            "warning",
            RESOURCE.sample(member.name),
            "reachable",
            `${error.name}: ${error.message}`,
          ),
        );
        return { member: member.name, skipped: "its Kubernetes API could not be asked" };
      }
    }),
  );
  const findings = [...apiFindings, ...judgeSample(desired, readings)];
  deps.log.info("sample split checked", { deploymentName: desired.deploymentName, findings: findings.length });
  return { findings };
}
