/**
 * Reads what a stage's code does, from its sources: the AWS SDK commands it can send, the settings it reads and
 * whether it talks to a Kubernetes API. Follows relative imports from functions/<folder>/handler.ts, so shared
 * modules count for every stage that imports them (an over-approximation: the role may get an action a helper
 * offers but the stage never calls, never the reverse).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

/** SDK v3 client package → IAM service prefix. */
export const IAM_PREFIX: Record<string, string> = {
  "@aws-sdk/client-cloudwatch": "cloudwatch",
  "@aws-sdk/client-codebuild": "codebuild",
  "@aws-sdk/client-dynamodb": "dynamodb",
  "@aws-sdk/lib-dynamodb": "dynamodb",
  "@aws-sdk/client-ec2": "ec2",
  "@aws-sdk/client-eks": "eks",
  "@aws-sdk/client-elastic-load-balancing-v2": "elasticloadbalancing",
  "@aws-sdk/client-eventbridge": "events",
  "@aws-sdk/client-iam": "iam",
  "@aws-sdk/client-secrets-manager": "secretsmanager",
  "@aws-sdk/client-sfn": "states",
  "@aws-sdk/client-sts": "sts",
};

/** The DynamoDB document client's commands are named after the items they take: `GetCommand` is `dynamodb:GetItem`. */
const DOCUMENT_CLIENT_OPERATIONS: Record<string, string> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
  TransactGet: "TransactGetItems",
  TransactWrite: "TransactWriteItems",
};

/** Packages whose commands become IAM actions (the document client rides on the DynamoDB client). */
const isSdkPackage = (spec: string) => spec.startsWith("@aws-sdk/client-") || spec === "@aws-sdk/lib-dynamodb";

/** Calls AWS authorizes without any IAM permission. */
const NO_PERMISSION_NEEDED = new Set(["sts:GetCallerIdentity"]);

export interface StageSources {
  /** Files reached from the handler, relative to the repository root. */
  files: string[];
  /** IAM actions of the SDK commands (and paginators) the code imports, e.g. `eks:CreateCluster`. */
  actions: string[];
  /** SDK packages imported for commands that have no IAM prefix in IAM_PREFIX. */
  unknownPackages: string[];
  /** `setting("x")` / `listSetting("x")` / `day2Setting("x")` names. */
  settings: string[];
  /**
   * Opens a Kubernetes client (`.forCluster(` or `.forKarmada(` of functions/lib/kube.ts's factory) in a file other
   * than kube.ts itself: importing a helper of kube.ts (an error mapper) does not count.
   */
  usesKubernetes: boolean;
  /** Opens a Karmada API client (`.forKarmada(`): reaches the Karmada NLB, which admits only listed CIDRs. */
  callsKarmadaApi: boolean;
}

export const handlerPath = (folder: string): string => resolve(ROOT, "functions", folder, "handler.ts");

/** `import …/export … from "spec"` (clauses never contain a semicolon, so one match never spans statements). */
const IMPORT = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']([^"']+)["']/g;

function resolveImport(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base.replace(/\.js$/, ".ts"), `${base}.ts`, resolve(base, "index.ts")];
  return candidates.find((file) => file.endsWith(".ts") && existsSync(file));
}

/** `{ A, type B, C as D }` → the imported (not local) names that are values. */
function importedValues(clause: string): string[] {
  const braces = /\{([\s\S]*)\}/.exec(clause);
  if (!braces?.[1]) return [];
  return braces[1]
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part && !part.startsWith("type "))
    .map((part) => part.split(/\s+as\s+/)[0]?.trim() ?? "");
}

/** Everything a stage's handler reaches. */
export function readStageSources(folder: string): StageSources {
  const seen = new Set<string>();
  const actions = new Set<string>();
  const unknownPackages = new Set<string>();
  const settings = new Set<string>();
  let usesKubernetes = false;
  let callsKarmadaApi = false;

  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\b(?:setting|listSetting|day2Setting)\(\s*"(\w+)"/g)) settings.add(m[1] as string);
    if (!file.endsWith("lib/kube.ts") && /\.for(?:Cluster|Karmada)\(/.test(text)) usesKubernetes = true;
    if (/\.forKarmada\(/.test(text)) callsKarmadaApi = true;
    for (const m of text.matchAll(IMPORT)) {
      const [, , typeOnly, clause = "", spec = ""] = m;
      if (spec.startsWith(".")) {
        const target = resolveImport(file, spec);
        if (target && !typeOnly) visit(target);
        continue;
      }
      if (!isSdkPackage(spec) || typeOnly) continue;
      for (const name of importedValues(clause)) {
        const command = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (!command) continue;
        const operation = spec === "@aws-sdk/lib-dynamodb" ? (DOCUMENT_CLIENT_OPERATIONS[command] ?? command) : command;
        const prefix = IAM_PREFIX[spec];
        if (!prefix) unknownPackages.add(spec);
        else if (!NO_PERMISSION_NEEDED.has(`${prefix}:${operation}`)) actions.add(`${prefix}:${operation}`);
      }
    }
  };

  visit(handlerPath(folder));
  return {
    files: [...seen].map((file) => relative(ROOT, file)).sort(),
    actions: [...actions].sort(),
    unknownPackages: [...unknownPackages].sort(),
    settings: [...settings].sort(),
    usesKubernetes,
    callsKarmadaApi,
  };
}
