/**
 * Helpers shared by the stages that create an EKS resource and then poll it (cluster, node group, addons,
 * access entries): the `PollState` they return, how they report EKS health issues, and idempotency tokens.
 * How AWS errors are told apart is in aws-errors.ts.
 */
import { createHash } from "node:crypto";
import type { PollState } from "./contracts.js";
import { nextPollSeconds, type PolledWork, secondsBetween } from "./timing.js";

export interface PollStateInput {
  /** Which timing model paces the loop. */
  kind: PolledWork;
  /** The resource's own status word. */
  status: string;
  ready: boolean;
  /** 0 from ensure-* stages; the state machine's count from status stages. */
  attempt: number;
  /**
   * When the resource was created. The adaptive wait counts from here, so adopting half-finished work
   * does not wait the full typical minimum again.
   * @default now (the resource was just created)
   */
  createdAt?: Date | string | undefined;
  now: Date;
}

/** Builds one poll step: `nextPollSeconds` from the resource's age, `readyAt` = now once ready. */
export function pollState({ kind, status, ready, attempt, createdAt, now }: PollStateInput): PollState {
  const startedAt = createdAt ? new Date(createdAt) : now;
  return {
    ready,
    status,
    nextPollSeconds: nextPollSeconds(kind, secondsBetween(startedAt, now)),
    attempt,
    startedAt: startedAt.toISOString(),
    ...(ready ? { readyAt: now.toISOString() } : {}),
  };
}

/** The shape shared by EKS `ClusterIssue`, node group `Issue` and `AddonIssue`. */
export interface HealthIssue {
  code?: string | undefined;
  message?: string | undefined;
  resourceIds?: string[] | undefined;
}

/** EKS health issues as one sentence for an error message ("EKS reports: Code: message (ids); …"). */
export function formatHealthIssues(issues: readonly HealthIssue[] | undefined): string {
  if (!issues?.length) return "EKS reports no health issues";
  const each = issues.map((i) => {
    const ids = i.resourceIds?.length ? ` (${i.resourceIds.join(", ")})` : "";
    return `${i.code ?? "Unknown"}: ${i.message ?? "no message"}${ids}`;
  });
  return `EKS reports: ${each.join("; ")}`;
}

/**
 * A deterministic `clientRequestToken`: the same parts give the same token, so a create call retried
 * after a lost response is recognised by AWS as the same request instead of failing or duplicating.
 */
export const requestToken = (...parts: string[]): string =>
  createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 64);
