import type * as z from "zod";
import type { SampleWorkloadState, sampleWorkloadPollInputSchema } from "../lib/contracts.js";
import { SampleSplitMismatch } from "../lib/errors.js";
import { type KubeDeps, type KubeFactory, kubeFactory, kubeRead } from "../lib/kube.js";
import { SAMPLE_DEPLOYMENT, SAMPLE_NAMESPACE } from "../lib/names.js";
import { pollState } from "../lib/poll.js";
import { type MemberObservation, observe } from "../lib/sample-observation.js";
import type { StageDeps } from "../lib/stage.js";
import {
  type Divisions,
  divideByWeight,
  type NameOrder,
  nameOrderOf,
  nearestDivision,
  possibleDivisions,
  sameSplit,
  type WeightedMember,
} from "../lib/webster.js";

export type SampleWorkloadPollInput = z.output<typeof sampleWorkloadPollInputSchema>;

/** The verdict of one poll, decided purely from the observations. */
export type SplitVerdict =
  | { verdict: "ready"; expected: Record<string, number> }
  | { verdict: "waiting" }
  | { verdict: "mismatch"; message: string };

/**
 * The splits Karmada can produce: the one division its scheduler makes for the template's tie order (known from the
 * template's UID), or, when the UID could not be read, the division under either order.
 */
export function divisionsFor(
  replicas: number,
  members: readonly WeightedMember[],
  order: NameOrder | undefined,
): Divisions {
  return order ? [divideByWeight(replicas, members, order)] : possibleDivisions(replicas, members);
}

/**
 * Ready when the available replicas are Karmada's weighted division (see {@link divisionsFor}; `expected` then
 * reports the division Karmada chose). Mismatch when everything has settled (every member's Deployment observed,
 * updated and available, the members' shares adding up to the total; a member whose share is 0 has no Deployment)
 * yet the split is another. Otherwise keep waiting: members without the Deployment count 0.
 */
export function judgeSplit(
  observations: readonly MemberObservation[],
  replicas: number,
  members: readonly WeightedMember[],
  order?: NameOrder,
): SplitVerdict {
  const divisions = divisionsFor(replicas, members, order);
  const split = Object.fromEntries(observations.map((o) => [o.name, o.available]));
  const chosen = divisions.find((d) => sameSplit(d, split));
  if (chosen) return { verdict: "ready", expected: chosen };
  const settled = observations.every((o) => o.settled || (!o.exists && divisions.some((d) => d[o.name] === 0)));
  const total = observations.reduce((sum, o) => sum + o.desired, 0);
  // Until the shares add up, Karmada is still rescheduling (e.g. right after a replica change): not a verdict yet.
  if (!settled || total !== replicas) return { verdict: "waiting" };
  const expected = nearestDivision(split, divisions);
  const wrong = observations
    .filter((o) => o.available !== expected[o.name])
    .map((o) => `${o.name} runs ${o.available} (expected ${expected[o.name]})`);
  return {
    verdict: "mismatch",
    message:
      `the sample Deployment settled with a split Karmada's Webster division of the weights does not give: ${wrong.join(", ")}; ` +
      `weights ${members.map((m) => `${m.name}=${m.weight}`).join(", ")} for ${replicas} replicas. ` +
      "Check the PropagationPolicy on Karmada and the members' Cluster objects (kubectl get clusters).",
  };
}

/**
 * SampleWorkloadStatus: asks every member cluster itself (EKS token, in the member's region) how many replicas
 * of the sample Deployment are available, and compares with the division Karmada's scheduler makes, whose tie
 * order it learns from the template's UID on the Karmada API server.
 * @throws SampleSplitMismatch when every member has settled on a split the weights do not give
 */
export async function sampleWorkloadStatus(
  input: SampleWorkloadPollInput,
  deps: StageDeps & KubeDeps,
): Promise<SampleWorkloadState> {
  const kube = deps.kube ?? kubeFactory(deps.aws);
  const [order, observations] = await Promise.all([templateOrder(kube, input), observeMembers(kube, input)]);
  const verdict = judgeSplit(observations, input.replicas, input.members, order);
  if (verdict.verdict === "mismatch") throw new SampleSplitMismatch(verdict.message);

  const split = Object.fromEntries(observations.map((o) => [o.name, o.available]));
  const created = observations.flatMap((o) => (o.createdAt ? [o.createdAt.getTime()] : []));
  const ready = verdict.verdict === "ready";
  deps.log.info("sample workload split", { split, ready, tieOrder: order ?? "unknown" });
  return {
    ...pollState({
      kind: "sampleRollout",
      status: ready ? "verified" : "rolling-out",
      ready,
      attempt: input.attempt,
      createdAt: created.length ? new Date(Math.min(...created)) : undefined,
      now: deps.now(),
    }),
    expected: verdict.verdict === "ready" ? verdict.expected : divisionsFor(input.replicas, input.members, order)[0],
    split,
  };
}

/**
 * The tie order Karmada's scheduler takes for the sample template: from the template's UID on the Karmada API
 * server (the ResourceBinding's `spec.resource.uid`); undefined while the template does not exist.
 */
async function templateOrder(kube: KubeFactory, input: SampleWorkloadPollInput): Promise<NameOrder | undefined> {
  const karmada = await kube.forKarmada(input.region, input.kubeconfigSecretName);
  const template = await kubeRead(`failed to read Deployment ${SAMPLE_NAMESPACE}/${SAMPLE_DEPLOYMENT} on Karmada`, () =>
    karmada.apps.readNamespacedDeployment({ name: SAMPLE_DEPLOYMENT, namespace: SAMPLE_NAMESPACE }),
  );
  const uid = template?.metadata?.uid;
  return uid ? nameOrderOf(uid) : undefined;
}

/** Asks every member cluster itself (EKS token, in the member's region) for its sample Deployment. */
async function observeMembers(kube: KubeFactory, input: SampleWorkloadPollInput): Promise<MemberObservation[]> {
  return Promise.all(
    input.members.map(async (member) => {
      const clients = await kube.forCluster(member);
      const deployment = await kubeRead(
        `failed to read Deployment ${SAMPLE_NAMESPACE}/${SAMPLE_DEPLOYMENT} on member ${member.name} (${member.clusterName})`,
        () => clients.apps.readNamespacedDeployment({ name: SAMPLE_DEPLOYMENT, namespace: SAMPLE_NAMESPACE }),
      );
      return observe(member.name, deployment);
    }),
  );
}
