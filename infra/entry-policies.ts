/**
 * How day-2 work gets started: the EventBridge Scheduler schedule invokes the drift-schedule function (which starts
 * one DriftCheck per registered deployment), and a portal calls the HTTP API with SigV4 (IAM authorization).
 * The routes live here so sst.config.ts, the portal policy and the README name the same ones.
 */
import { clusterName, karmadaKubeconfigSecretName } from "../functions/lib/names.js";
import { type AccountScope, arn, type PolicyDocument, policyDocument } from "./iam.js";
import { VIA_SECRETS_MANAGER } from "./statements.js";

/** How often the scheduled drift checks run, unless sst.config.ts says otherwise. */
export const DEFAULT_DRIFT_CHECK_RATE = "rate(1 hour)";

/** What the schedule sends the drift-schedule function: report drift, do not remediate. */
export const SCHEDULED_CHECK_INPUT = { remediate: false } as const;

/** The portal API's routes (functions/api/router.ts), each authorized with IAM (SigV4). */
export const API_ROUTES = [
  "POST /deployments",
  "GET /deployments",
  "GET /deployments/{name}",
  "POST /deployments/{name}/check",
  "POST /deployments/{name}/destroy",
] as const;
export type ApiRoute = (typeof API_ROUTES)[number];

/** The schedule's role: invoke exactly the drift-schedule function. */
export function schedulerPolicy(functionArn: string): PolicyDocument {
  return policyDocument([
    {
      Sid: "InvokeDriftSchedule",
      Effect: "Allow",
      Action: ["lambda:InvokeFunction"],
      Resource: [functionArn, `${functionArn}:*`],
    },
  ]);
}

/**
 * `execute-api:Invoke` resources of routes on the API's `$default` stage:
 * `arn:…:execute-api:<region>:<account>:<api id>/$default/<METHOD>/<path>`, a path parameter matching any value.
 */
export const routeArns = (scope: AccountScope, apiId: string, routes: readonly ApiRoute[]): string[] =>
  routes.map((route) => {
    const [method, path = ""] = route.split(" ");
    return arn(scope, "execute-api", scope.region, `${apiId}/$default/${method}${path.replace(/\{[^}]+\}/g, "*")}`);
  });

/**
 * What a portal's IAM principal needs to call the API: `execute-api:Invoke` on the routes it uses (all of them by
 * default; a read-only portal passes only the GET routes).
 */
export function portalPolicy(
  scope: AccountScope,
  apiId: string,
  routes: readonly ApiRoute[] = API_ROUTES,
): PolicyDocument {
  return policyDocument([
    {
      Sid: "CallOrchestratorApi",
      Effect: "Allow",
      Action: ["execute-api:Invoke"],
      Resource: routeArns(scope, apiId, routes),
    },
  ]);
}

/**
 * What an operator's IAM principal needs besides its EKS access entry (access.clusterAdmins, DEFAULT_CLUSTER_ADMIN_ARNS)
 * to reach the clusters and Karmada (README "Reaching the clusters"): `eks:DescribeCluster` for
 * `aws eks update-kubeconfig`, `secretsmanager:GetSecretValue` on the Karmada kubeconfig secret, and `kms:Decrypt` with
 * the stack's key through Secrets Manager (the secrets are encrypted with that customer managed key, whose default key
 * policy lets IAM policies grant its use). Secrets Manager appends `-` and six random characters to a secret's ARN.
 * @param deploymentName one deployment, or `*` for every deployment of the stack @default "*"
 */
export function operatorPolicy(scope: AccountScope, secretsKeyArn: string, deploymentName = "*"): PolicyDocument {
  return policyDocument([
    {
      Sid: "DescribeTheClusters",
      Effect: "Allow",
      Action: ["eks:DescribeCluster"],
      // Members may be in any region; EKS cluster names are `<deploymentName>-<cluster name>`.
      Resource: [arn(scope, "eks", "*", `cluster/${clusterName(deploymentName, "*")}`)],
    },
    {
      Sid: "ReadKarmadaKubeconfig",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: [
        arn(scope, "secretsmanager", scope.region, `secret:${karmadaKubeconfigSecretName(deploymentName)}-??????`),
      ],
    },
    {
      Sid: "DecryptKarmadaKubeconfig",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [secretsKeyArn],
      Condition: VIA_SECRETS_MANAGER,
    },
  ]);
}
