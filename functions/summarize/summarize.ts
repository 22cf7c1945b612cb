import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { awsFailure, isAwsError } from "../lib/aws-errors.js";
import type { BuildResult, PollState } from "../lib/contracts.js";
import { type CostEstimate, estimateMonthlyCost } from "../lib/cost.js";
import { KarmadaNotInitialized } from "../lib/errors.js";
import { type KubeDeps, kubeCall, kubeFactory } from "../lib/kube.js";
import { KARMADA_API_PORT, KARMADA_CERTS_EXPIRY_TAG } from "../lib/names.js";
import { opensToInternet } from "../lib/plan.js";
import type { StageDeps } from "../lib/stage.js";
import { secondsBetween } from "../lib/timing.js";
import type { SummarizeInput } from "./schema.js";

/** Days before the certificates' expiry from which the Summary warns. */
export const CERT_EXPIRY_WARNING_DAYS = 30;

/** Karmada's Cluster API (a member joined to Karmada). */
export const KARMADA_CLUSTER = { group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters" } as const;

/** The Deploy workflow's result: what exists, where to reach it, how long it took. Never holds a secret. */
export interface Summary {
  deploymentName: string;
  karmada: {
    /** `https://<nlb hostname>:32443`, or null if the load balancer had no hostname. */
    apiEndpoint: string | null;
    /** ARN of the secret holding the Karmada kubeconfig (the ARN only: fetch the value with your own access). */
    kubeconfigSecretArn: string;
    version: string;
    /**
     * When the certificates `kubectl karmada init` issued expire (ISO 8601 UTC), from the tag the init build puts
     * on the kubeconfig secret; null when the secret has no such tag (a control plane initialized before it).
     */
    certificatesExpireAt: string | null;
  };
  members: {
    name: string;
    clusterName: string;
    region: string;
    weight: number;
    /** The `Ready` condition of the member's Karmada Cluster object is True. */
    ready: boolean;
  }[];
  /** Replicas per member, as expected and as running; null when the sample workload is disabled. */
  sample: { expected: Record<string, number>; split: Record<string, number> } | null;
  /** Duration of each phase in whole seconds; null when a start or end time is missing. */
  phases: { name: string; seconds: number | null }[];
  /** Seconds since the execution started. */
  totalSeconds: number;
  /** What a month of this deployment costs at list prices, itemised per cluster and service (functions/lib/cost.ts). */
  cost: CostEstimate;
  notes: string[];
}

interface KarmadaClusterObject {
  metadata?: { name?: string };
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
}

/**
 * CodeBuild times from the `.sync` task: ISO strings, or epoch numbers (seconds as Step Functions renders SDK
 * timestamps; milliseconds accepted too).
 */
export function buildTime(value: BuildResult["startTime"]): Date | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return new Date(value < 1e11 ? value * 1000 : value);
  const numeric = Number(value);
  if (value.trim() !== "" && Number.isFinite(numeric)) return buildTime(numeric);
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const seconds = (from: Date | string | undefined, to: Date | string | undefined): number | null =>
  from && to ? Math.round(secondsBetween(from, to)) : null;

/** A poll loop's duration: from the resource's creation to the poll that first saw it ready. */
const polled = (name: string, state: PollState | undefined) => ({
  name,
  seconds: seconds(state?.startedAt, state?.readyAt),
});

/** Every phase of the Deploy workflow: the parent's loops, each member's loops, the builds, the sample split. */
export function phaseDurations(
  input: Pick<SummarizeInput, "parent" | "members" | "joins"> & { sample?: SummarizeInput["sample"] },
): Summary["phases"] {
  const { parent } = input;
  const init = {
    name: "Karmada init",
    seconds: seconds(buildTime(parent.karmadaInit.startTime), buildTime(parent.karmadaInit.endTime)),
  };
  const starts = input.joins.map((j) => buildTime(j.startTime)?.getTime());
  const ends = input.joins.map((j) => buildTime(j.endTime)?.getTime());
  const complete = input.joins.length > 0 && [...starts, ...ends].every((t) => t !== undefined);
  const join = {
    name: "Karmada join (all members)",
    seconds: complete ? Math.round((Math.max(...(ends as number[])) - Math.min(...(starts as number[]))) / 1000) : null,
  };
  const sample = input.sample && !("skipped" in input.sample) ? [polled("Sample split", input.sample)] : [];
  return [
    polled("Parent control plane", parent.controlPlane),
    polled("Parent node group", parent.nodegroup),
    polled("EBS CSI driver addons", parent.addons),
    polled("Karmada NLB", parent.loadBalancer),
    init,
    ...input.members.flatMap((m) => [
      polled(`Member ${m.cluster.name} control plane`, m.controlPlane),
      polled(`Member ${m.cluster.name} node group`, m.nodegroup),
    ]),
    join,
    ...sample,
  ];
}

/**
 * Summary: reads the kubeconfig secret's ARN and certificate-expiry tag (DescribeSecret, never the value) and the members' Karmada Cluster
 * objects (Ready condition, with the Karmada kubeconfig), and reports endpoint, members, sample split and timings.
 * @throws KarmadaNotInitialized when the kubeconfig secret does not exist
 */
export async function summarize(input: SummarizeInput, deps: StageDeps & KubeDeps): Promise<Summary> {
  const { resolved } = input;
  const { loadBalancer } = input.parent;
  const sample = input.sample && !("skipped" in input.sample) ? input.sample : undefined;
  const { region, karmada } = resolved;
  const notes = [...resolved.notes];

  const secret = await deps
    .aws(region)
    .secrets.send(new DescribeSecretCommand({ SecretId: karmada.kubeconfigSecretName }))
    .catch((error: unknown) => {
      if (isAwsError(error, "ResourceNotFoundException"))
        throw new KarmadaNotInitialized(`secret ${karmada.kubeconfigSecretName} does not exist in ${region}`, {
          cause: error,
        });
      throw awsFailure(`failed to describe secret ${karmada.kubeconfigSecretName} in ${region}`, error);
    });

  const client = await (deps.kube ?? kubeFactory(deps.aws)).forKarmada(region, karmada.kubeconfigSecretName);
  const list = (await kubeCall("failed to list Karmada clusters", () =>
    client.custom.listClusterCustomObject({ ...KARMADA_CLUSTER }),
  )) as { items?: KarmadaClusterObject[] };
  const clusters = new Map((list.items ?? []).map((c) => [c.metadata?.name, c]));

  const members = resolved.members.map((m) => {
    const cluster = clusters.get(m.name);
    const condition = cluster?.status?.conditions?.find((c) => c.type === "Ready");
    const ready = condition?.status === "True";
    if (!cluster) notes.push(`member ${m.name} is not registered with Karmada (no Cluster object)`);
    else if (!ready)
      notes.push(
        `member ${m.name} is not Ready in Karmada` +
          `${condition?.reason ? ` (${condition.reason}${condition.message ? `: ${condition.message}` : ""})` : ""}`,
      );
    return { name: m.name, clusterName: m.clusterName, region: m.region, weight: m.weight ?? 1, ready };
  });

  const expiry = secret.Tags?.find((t) => t.Key === KARMADA_CERTS_EXPIRY_TAG)?.Value;
  const certificatesExpireAt = expiry && !Number.isNaN(Date.parse(expiry)) ? new Date(expiry).toISOString() : null;
  if (!certificatesExpireAt)
    notes.push(
      `the expiry of the Karmada certificates is unknown: secret ${karmada.kubeconfigSecretName} has no ${KARMADA_CERTS_EXPIRY_TAG} tag (Karmada was initialized before it was recorded)`,
    );
  else {
    const days = Math.floor((Date.parse(certificatesExpireAt) - deps.now().getTime()) / 86_400_000);
    if (days < CERT_EXPIRY_WARNING_DAYS)
      notes.push(
        days < 0
          ? `the Karmada certificates expired at ${certificatesExpireAt}: the Karmada API rejects their clients; re-initialize Karmada (Destroy and Deploy)`
          : `the Karmada certificates expire at ${certificatesExpireAt}, in ${days} days: plan to re-initialize Karmada before then`,
      );
  }

  if (!loadBalancer.hostname) notes.push("the Karmada load balancer has no hostname: the API endpoint is unknown");
  if (karmada.allowOpenToInternet && opensToInternet(karmada.allowedCidrs))
    notes.push(
      `the Karmada API is open to the whole internet (karmada.allowedCidrs ${karmada.allowedCidrs.filter((c) => opensToInternet([c])).join(", ")}, accepted by karmada.allowOpenToInternet): only its client certificates protect it`,
    );
  if (!sample && resolved.sampleWorkload.enabled) notes.push("the sample workload was enabled but not verified");

  return {
    deploymentName: resolved.deploymentName,
    karmada: {
      apiEndpoint: loadBalancer.hostname ? `https://${loadBalancer.hostname}:${KARMADA_API_PORT}` : null,
      kubeconfigSecretArn: secret.ARN ?? "",
      version: karmada.version,
      certificatesExpireAt,
    },
    members,
    sample: sample ? { expected: sample.expected, split: sample.split } : null,
    phases: phaseDurations(input),
    totalSeconds: Math.max(0, Math.round(secondsBetween(input.executionStartTime, deps.now()))),
    cost: estimateMonthlyCost(resolved, { natGateways: resolved.createdNatGateways ?? 0 }),
    notes,
  };
}
