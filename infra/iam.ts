/**
 * IAM policy documents as plain data. Every policy this product deploys is built by a pure function in infra/
 * from ARNs and names, so tests can read exactly what `sst deploy` sends to IAM.
 */

/** `Condition` block: operator → condition key → value(s). */
export type Condition = Record<string, Record<string, string | string[]>>;

export interface Statement {
  Sid: string;
  Effect: "Allow";
  /** Named actions only: a wildcard in an action is a bug (the infra tests reject it). */
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

export interface TrustStatement {
  Effect: "Allow";
  Principal: { Service: string };
  Action: string[];
  Condition?: Condition;
}

export interface TrustPolicy {
  Version: "2012-10-17";
  Statement: TrustStatement[];
}

/** Where the stack lives: every ARN pattern is scoped to this account (and, where it makes sense, region). */
export interface AccountScope {
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  partition: string;
  account: string;
  /** Region of the stack (Lambdas, CodeBuild, state machine, KMS key). Clusters may be in any region. */
  region: string;
}

export const policyDocument = (statements: Statement[]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: statements,
});

/** A role that the given AWS service principal assumes. */
export const trustPolicy = (
  service: string,
  options: { actions?: string[]; condition?: Condition } = {},
): TrustPolicy => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: options.actions ?? ["sts:AssumeRole"],
      ...(options.condition ? { Condition: options.condition } : {}),
    },
  ],
});

/** `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export const arn = (
  scope: Pick<AccountScope, "partition" | "account">,
  service: string,
  region: string,
  resource: string,
): string => `arn:${scope.partition}:${service}:${region}:${scope.account}:${resource}`;

/** ARN of an AWS managed policy (`service-role/…` paths included in `name`). */
export const awsManagedPolicy = (partition: string, name: string): string => `arn:${partition}:iam::aws:policy/${name}`;
