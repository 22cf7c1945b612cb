/**
 * Runs the project's real buildspecs (buildspecs/*.yml) as CodeBuild would — bash, phases install → pre_build →
 * build → post_build, a failed build phase still running post_build with CODEBUILD_BUILD_SUCCEEDING=0 — with the
 * real kubectl and kubectl-karmada of the test bed and the real AWS CLI answered by the simulator.
 *
 * The install phase runs too: its pins are rendered (functions/lib/karmada-versions.ts renderBuildspec) with the
 * sha256 of the test bed's own builds, and `curl` is a shim that serves those files for the release URLs the phase
 * downloads (anything else is a 404), so the download-and-verify path is the deployed one.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { KARMADA_RELEASES, type KarmadaRelease, renderBuildspec } from "../../functions/lib/karmada-versions.js";
import { binary, pinnedVersion } from "./binaries.js";

const REPO = resolve(import.meta.dirname, "../..");
const PHASES = ["install", "pre_build", "build", "post_build"] as const;
type Phase = (typeof PHASES)[number];

export type BuildspecName = "karmada-join" | "karmada-register" | "karmada-unjoin" | "karmada-deinit" | "karmada-init";

export interface BuildOutcome {
  status: "SUCCEEDED" | "FAILED";
  phases: Record<Phase, "SUCCEEDED" | "FAILED" | "SKIPPED">;
  /** Everything the build printed (what CloudWatch Logs would hold). */
  output: string;
  ms: number;
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

const run = (command: string, args: string[], env: Record<string, string>, cwd?: string) =>
  new Promise<{ code: number; output: string }>((resolvePromise) => {
    const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString("utf8");
    });
    child.on("close", (code) => resolvePromise({ code: code ?? 1, output }));
  });

export interface BuildRunner {
  run(name: BuildspecName, variables: Record<string, string>): Promise<BuildOutcome>;
}

/**
 * A runner whose builds find the test bed's binaries at the release URLs and run `aws` from `awsCli` with `awsEnv`.
 * `dir`: scratch space (downloads served, one container per build).
 */
export async function buildRunner(options: {
  dir: string;
  /** The environment of the build's `aws` (e2e/harness/awscli.ts awsCliEnv): its PATH finds the pinned CLI. */
  awsEnv: Record<string, string>;
}): Promise<BuildRunner> {
  const { dir } = options;
  const served = join(dir, "served");
  const shims = join(dir, "shims");
  mkdirSync(served, { recursive: true });
  mkdirSync(shims, { recursive: true });
  // kubectl-karmada as its release asset: a tarball holding the binary at its root.
  const tarball = join(served, "kubectl-karmada-linux-amd64.tgz");
  const karmadaDir = resolve(binary("kubectl-karmada"), "..");
  const tar = await run("tar", ["-czf", tarball, "-C", karmadaDir, "kubectl-karmada"], {
    PATH: process.env.PATH ?? "",
  });
  if (tar.code !== 0) throw new Error(`could not pack kubectl-karmada: ${tar.output}`);
  const kubectlVersion = pinnedVersion("kubernetes");
  const upstream = KARMADA_RELEASES.find((r) => r.version === pinnedVersion("karmada"));
  if (!upstream) throw new Error(`Karmada ${pinnedVersion("karmada")} is not in functions/lib/karmada-versions.ts`);
  // The deployed table, with the checksums of these builds (they are not the release builds).
  const releases: KarmadaRelease[] = [
    {
      ...upstream,
      kubectlKarmadaSha256: { linuxAmd64: sha256(tarball), linuxArm64: upstream.kubectlKarmadaSha256.linuxArm64 },
      kubectl: {
        version: kubectlVersion,
        sha256: { ...upstream.kubectl.sha256, linuxAmd64: sha256(binary("kubectl")) },
      },
    },
  ];
  const curl = join(shims, "curl");
  writeFileSync(
    curl,
    [
      "#!/usr/bin/env bash",
      "# Test-bed curl: serves the test bed's kubectl and kubectl-karmada for their release URLs.",
      'out=""; url=""',
      'while (($#)); do case "$1" in -o) out="$2"; shift 2 ;; -*) shift ;; *) url="$1"; shift ;; esac; done',
      'case "$url" in',
      `  https://dl.k8s.io/release/${kubectlVersion}/bin/linux/amd64/kubectl) cp "${binary("kubectl")}" "$out" ;;`,
      `  https://github.com/karmada-io/karmada/releases/download/${upstream.version}/kubectl-karmada-linux-amd64.tgz) cp "${tarball}" "$out" ;;`,
      '  *) echo "curl: (22) The requested URL returned error: 404 ($url)" >&2; exit 22 ;;',
      "esac",
      "",
    ].join("\n"),
  );
  chmodSync(curl, 0o755);

  return {
    async run(name, variables) {
      const began = Date.now();
      const doc = parse(readFileSync(join(REPO, "buildspecs", `${name}.yml`), "utf8")) as {
        env?: { variables?: Record<string, string> };
        phases: Record<string, { commands: string[] } | undefined>;
      };
      const container = mkdtempSync(join(dir, `${name}-`));
      mkdirSync(join(container, "home"));
      mkdirSync(join(container, "tmp"));
      const env: Record<string, string> = {
        LANG: "C.UTF-8",
        ...options.awsEnv,
        PATH: `${shims}:${options.awsEnv.PATH ?? "/usr/local/bin:/usr/bin:/bin"}`,
        HOME: join(container, "home"),
        TMPDIR: join(container, "tmp"),
        ...doc.env?.variables,
        ...variables,
        // `aws eks get-token` presigns for the STS endpoint it is configured with, never calling it: the
        // regional one of the cluster the build is about (e2e/harness/awscli.ts).
        ...(variables.CLUSTER_REGION
          ? { AWS_ENDPOINT_URL_STS: `https://sts.${variables.CLUSTER_REGION}.amazonaws.com` }
          : {}),
        CODEBUILD_BUILD_SUCCEEDING: "1",
      };
      const phases = {} as BuildOutcome["phases"];
      let output = "";
      let ended = false;
      let failed = false;
      for (const phase of PHASES) {
        if (ended) {
          phases[phase] = "SKIPPED";
          continue;
        }
        const commands = doc.phases[phase]?.commands ?? [];
        phases[phase] = "SUCCEEDED";
        for (const raw of commands) {
          const command = phase === "install" ? renderBuildspec(raw, releases) : raw;
          const result = await run("bash", ["-c", command], env, container);
          output += result.output;
          if (result.code !== 0) {
            phases[phase] = "FAILED";
            break;
          }
        }
        if (phases[phase] === "FAILED") {
          failed = true;
          env.CODEBUILD_BUILD_SUCCEEDING = "0";
          if (phase !== "build") ended = true;
        }
      }
      return { status: failed ? "FAILED" : "SUCCEEDED", phases, output, ms: Date.now() - began };
    },
  };
}
