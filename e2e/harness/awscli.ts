/**
 * The real AWS CLI v1 (pinned by scripts/awscli/requirements.txt, installed by `bash scripts/awscli/install.sh` into
 * .cache/awscli-<version>/) and the environment that sends every call it makes to the simulated AWS endpoint
 * (local/sim/aws/server.ts), so the buildspecs' `aws` lines run unchanged in the e2e test bed.
 *
 * How the CLI is pointed at the simulator: botocore (awscli 1.46 vendors 1.43.62 as awscli/botocore) reads
 * `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` (awscli/botocore/configprovider.py,
 * EnvironmentProvider/`_get_endpoint_url_environment_*`: the service variable wins over the global one). Two
 * consequences, both handled here:
 * - `aws eks get-token` builds its token by presigning STS GetCallerIdentity with the STS client's endpoint
 *   (awscli/customizations/eks/get_token.py, TokenGenerator._get_presigned_url): under the global
 *   `AWS_ENDPOINT_URL` alone the token would name `http://127.0.0.1:<port>/`, which EKS (and
 *   local/sim/kube/eks-auth.ts) rejects as "not an STS endpoint". So `AWS_ENDPOINT_URL_STS` names the real regional
 *   STS host of `region`: get-token never sends that request, it only signs it. A real STS call (`aws sts …`,
 *   `get-token --role-arn`) would have to leave the machine, and the proxy guard below refuses it.
 *   A get-token with `--region` other than `region` signs a `<that region>` scope for the `region` host, which real
 *   STS would refuse; the buildspecs only ask for tokens of CLUSTER_REGION, so pass that as `region`.
 * - The user's ~/.aws is never read: config and credentials files are empty temp files, every inherited `AWS_*`
 *   variable is dropped, instance metadata is off.
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const lock = join(root, "scripts", "awscli", "requirements.txt");

/** The awscli version scripts/awscli/requirements.txt pins (read as install.sh reads it). */
export function pinnedAwsCliVersion(): string {
  const version = readFileSync(lock, "utf8").match(/^awscli==([0-9.]+)/m)?.[1];
  if (!version) throw new Error(`${lock} pins no awscli==<version>`);
  return version;
}

/** Path of the pinned `aws` entry point; throws, naming the command that installs it, when it is missing. */
export function awsCliPath(): string {
  const version = pinnedAwsCliVersion();
  const venv = process.env.AWSCLI_VENV ?? join(root, ".cache", `awscli-${version}`);
  const path = join(venv, "bin", "aws");
  try {
    accessSync(path, constants.X_OK);
    accessSync(join(venv, ".installed"), constants.R_OK);
  } catch {
    throw new Error(
      `aws-cli ${version} is not installed at ${path}: run \`bash scripts/awscli/install.sh\` (needs python3 with venv: apt-get install python3 python3-venv python3-pip)`,
    );
  }
  return path;
}

/** Installs the pinned CLI when missing (a warm run only checks a stamp) and returns the path of its `aws`. */
export function installAwsCli(): string {
  const out = execFileSync("bash", [join(root, "scripts", "awscli", "install.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return out.trim().split("\n").at(-1) as string;
}

export interface AwsCliCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsCliEnvOptions {
  /** The environment to start from (its `AWS_*` variables are dropped). @default process.env */
  base?: NodeJS.ProcessEnv;
  /**
   * Send every HTTP(S) request to a host other than loopback to a closed loopback port (HTTP(S)_PROXY, with
   * NO_PROXY for loopback), so an `aws` call that escaped the endpoint override fails at once instead of leaving
   * the machine. kubectl and kubectl-karmada never proxy loopback (Go's httpproxy), and neither does botocore
   * with NO_PROXY. @default true
   */
  refuseOtherHosts?: boolean;
}

let configDir: string | undefined;

/** Empty AWS config and credentials files, made once per process and removed when it exits. */
function emptyConfigFiles(): { config: string; credentials: string } {
  if (!configDir) {
    const dir = mkdtempSync(join(tmpdir(), "e2e-awscli-"));
    writeFileSync(join(dir, "config"), "", { mode: 0o600 });
    writeFileSync(join(dir, "credentials"), "", { mode: 0o600 });
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    configDir = dir;
  }
  return { config: join(configDir, "config"), credentials: join(configDir, "credentials") };
}

/**
 * The environment of a build whose `aws` calls all reach the simulator at `endpointUrl` (plain http on loopback:
 * local/sim/aws/server.ts, so no AWS_CA_BUNDLE), signed with `credentials`, in `region`. PATH starts with the
 * pinned CLI's folder: kubeconfigs written by `aws eks update-kubeconfig` exec plain `aws`.
 */
export function awsCliEnv(
  endpointUrl: string,
  credentials: AwsCliCredentials,
  region: string,
  options: AwsCliEnvOptions = {},
): Record<string, string> {
  const base = options.base ?? process.env;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base))
    if (value !== undefined && !key.startsWith("AWS_") && !/^(https?|no|all)_proxy$/i.test(key)) env[key] = value;
  const files = emptyConfigFiles();
  Object.assign(env, {
    PATH: [dirname(awsCliPath()), base.PATH ?? "/usr/bin:/bin"].join(delimiter),
    AWS_ENDPOINT_URL: endpointUrl,
    // get-token presigns for this host and never calls it (see the file comment).
    AWS_ENDPOINT_URL_STS: `https://sts.${region}.amazonaws.com`,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_DEFAULT_REGION: region,
    AWS_REGION: region,
    AWS_CONFIG_FILE: files.config,
    AWS_SHARED_CREDENTIALS_FILE: files.credentials,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
    // The install compiled every module; a build never writes into the shared cache.
    PYTHONDONTWRITEBYTECODE: "1",
  });
  if (options.refuseOtherHosts ?? true) {
    const closed = "http://127.0.0.1:9";
    const loopback = "127.0.0.1,localhost,::1";
    Object.assign(env, {
      HTTPS_PROXY: closed,
      https_proxy: closed,
      HTTP_PROXY: closed,
      http_proxy: closed,
      NO_PROXY: loopback,
      no_proxy: loopback,
    });
  }
  return env;
}
