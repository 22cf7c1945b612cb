import {
  AccessPrincipalNotFound,
  ClusterNameTaken,
  KubernetesVersionUnsupported,
  NoInstanceTypeMatches,
  type OrchestratorError,
  PublicSubnetNoPublicIp,
  PullMemberEgressNotAllowed,
  PullMemberNoEgress,
  SubnetsInsufficient,
  VpcAmbiguous,
  VpcNotFound,
} from "../lib/errors.js";

/** The problems Preflight reports, most fundamental first: the error thrown is of the first kind found. */
export const FINDING_KINDS = [
  VpcNotFound,
  VpcAmbiguous,
  SubnetsInsufficient,
  PublicSubnetNoPublicIp,
  PullMemberNoEgress,
  PullMemberEgressNotAllowed,
  KubernetesVersionUnsupported,
  NoInstanceTypeMatches,
  ClusterNameTaken,
  AccessPrincipalNotFound,
] as const;

const isFinding = (error: unknown): error is OrchestratorError => FINDING_KINDS.some((kind) => error instanceof kind);

/**
 * Collects what is wrong across every cluster and region, so the user fixes everything at once instead of
 * one problem per run. Errors that are not findings (AWS failures, throttling) propagate at once.
 */
export class Findings {
  readonly #found: OrchestratorError[] = [];

  add(...findings: OrchestratorError[]): void {
    this.#found.push(...findings);
  }

  /** Awaits a check; a finding is recorded (the result is `undefined`), anything else propagates. */
  async check<T>(work: Promise<T>): Promise<T | undefined> {
    try {
      return await work;
    } catch (error) {
      if (!isFinding(error)) throw error;
      this.add(error);
      return undefined;
    }
  }

  /** Runs a pure check the same way. */
  checkNow<T>(work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      if (!isFinding(error)) throw error;
      this.add(error);
      return undefined;
    }
  }

  /**
   * Throws one error of the first kind found, naming every occurrence of that kind; the message also lists the
   * findings of other kinds (their names cannot all be the error's).
   */
  throwIfAny(): void {
    const kind = FINDING_KINDS.find((k) => this.#found.some((f) => f instanceof k));
    if (!kind) return;
    // Clusters sharing a lookup share its finding: the same message once.
    const same = [...new Set(this.#found.filter((f) => f instanceof kind).map((f) => f.message))];
    const others = [...new Set(this.#found.filter((f) => !(f instanceof kind)).map((f) => `${f.name}: ${f.message}`))];
    const head =
      same.length === 1
        ? (same[0] ?? "")
        : `Preflight found ${same.length} problems:\n${same.map((m) => `- ${m}`).join("\n")}`;
    const tail = others.length ? `\nPreflight also found:\n${others.map((m) => `- ${m}`).join("\n")}` : "";
    throw new kind(head + tail);
  }
}
