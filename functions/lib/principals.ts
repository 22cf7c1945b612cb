/**
 * IAM principals that may hold an EKS access entry: the rules of the plan's `access.clusterAdmins` and of the stack's
 * DEFAULT_CLUSTER_ADMIN_ARNS (sst.config.ts). Pure: no settings, no I/O (the plan schema imports it).
 */
import * as z from "zod";

/**
 * At most this many principals per plan: each costs up to four EKS calls per cluster and run, and the list travels
 * in every member's iteration of the Deploy Map (Step Functions payloads are limited to 256 KiB).
 */
export const MAX_CLUSTER_ADMINS = 20;

/**
 * An IAM role or user ARN: `arn:aws:iam::<12-digit account>:role|user/<path/><name>`. Names: 1–64 of `[\w+=,.@-]`;
 * a path is `/`-delimited printable ASCII, at most 512 characters (IAM User Guide, "IAM identifiers" and
 * reference_iam-quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html). The account may
 * be another one: STANDARD access entries accept principals of any account (EKS User Guide, creating-access-entries).
 */
const IAM_PRINCIPAL = /^arn:aws:iam::(\d{12}):(role|user)\/((?:[\x21-\x7e]{1,510}\/)?)([\w+=,.@-]{1,64})$/;

/** Why a string is not a principal an access entry can name, or undefined when it is one. */
export function principalArnProblem(value: string): string | undefined {
  const example =
    "an IAM role or user ARN such as arn:aws:iam::123456789012:role/Name or arn:aws:iam::123456789012:user/path/Name";
  if (/[*?]/.test(value))
    return `'${value}' contains a wildcard: an access entry names exactly one IAM principal, so list each role or user ARN`;
  const [prefix, partition, service, , account, resource = ""] = value.split(":");
  if (prefix !== "arn" || partition === undefined) return `'${value}' must be ${example}`;
  if (partition !== "aws")
    return `'${value}' is in the ${partition} partition: only principals of the aws partition are supported (the plan's regions are aws regions)`;
  if (service === "sts")
    return resource.startsWith("assumed-role/")
      ? `'${value}' is an STS session (assumed-role) ARN, which access entries refuse: use the role's own ARN, arn:aws:iam::${account}:role/${resource.split("/")[1] ?? "<name>"} (with the role's path, if it has one)`
      : `'${value}' is an STS ARN, which access entries refuse: use the IAM role or user ARN`;
  if (!IAM_PRINCIPAL.test(value)) return `'${value}' must be ${example}`;
  return undefined;
}

/**
 * The shape of a principal, for duplicate detection: IAM names are unique regardless of case ("Names are not
 * distinguished by case", reference_identifiers), so `role/Admin` and `role/admin` are one principal.
 */
export const principalKey = (arn: string) => arn.toLowerCase();

/** `access.clusterAdmins`: distinct IAM role or user ARNs. */
export const clusterAdminsSchema = z
  .array(
    z.string().superRefine((value, ctx) => {
      const problem = principalArnProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  )
  .max(
    MAX_CLUSTER_ADMINS,
    `must list at most ${MAX_CLUSTER_ADMINS} principals (use an IAM role your people assume rather than one entry each)`,
  )
  .superRefine((arns, ctx) => {
    const first = new Map<string, number>();
    arns.forEach((arn, i) => {
      const seen = first.get(principalKey(arn));
      if (seen === undefined) first.set(principalKey(arn), i);
      else
        ctx.addIssue({
          code: "custom",
          path: [i],
          message: `'${arn}' is already listed as access.clusterAdmins[${seen}] (IAM names are case-insensitive); list each principal once`,
        });
    });
  });

/**
 * The stack's default cluster admins (sst.config.ts): its list plus a comma-separated environment value, each once,
 * validated as `access.clusterAdmins` is.
 * @throws Error naming every ARN that is not an IAM role or user ARN (`sst deploy` stops before creating anything)
 */
export function stackClusterAdmins(configured: readonly string[], fromEnvironment = ""): string[] {
  const listed = [
    ...configured,
    ...fromEnvironment
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ];
  const seen = new Set<string>();
  const unique = listed.filter((arn) => !seen.has(principalKey(arn)) && seen.add(principalKey(arn)));
  const problems = unique.flatMap((arn) => principalArnProblem(arn) ?? []);
  if (problems.length) throw new Error(`DEFAULT_CLUSTER_ADMIN_ARNS:\n${problems.map((p) => `- ${p}`).join("\n")}`);
  return unique;
}
