/**
 * Runs a buildspec the way CodeBuild does, against fake tools and a fake cloud.
 *
 * What it mirrors (buildspec version 0.2, `env.shell: bash`, see buildspecs/ENV.md):
 * - phases run in order install → pre_build → build → post_build; a failed install or pre_build ends the build,
 *   a failed build phase still runs post_build with `CODEBUILD_BUILD_SUCCEEDING=0`;
 * - each command runs in bash and a failing command ends its phase;
 * - variables: `env.variables` of the buildspec, overridden by the build's own (as EnvironmentVariablesOverride);
 * - every build is a fresh container (own TMPDIR), while the fake cloud (secrets, Karmada state) persists
 *   across builds, so a second build sees what the first one did.
 * The fake tools (test/buildspec/stubs) record their argv in one log the tests read back.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import {
  DEFAULT_KARMADA_VERSION,
  KARMADA_RELEASES,
  type KarmadaRelease,
  renderBuildspec,
} from "../../functions/lib/karmada-versions.js";

export const PHASES = ["install", "pre_build", "build", "post_build"] as const;
export type PhaseName = (typeof PHASES)[number];
export type BuildspecName = "karmada-init" | "karmada-join" | "karmada-register" | "karmada-unjoin" | "karmada-deinit";

/** What the fake tools put in every secret they generate; it must never reach the build output. */
export const SECRET_MARKER = "SECRET-MARKER";
/** The secret half of the bootstrap tokens the fake `kubectl karmada token create` makes (16 of [a-z0-9]). */
export const TOKEN_SECRET = "s3cr3tt0k3ns3cr3";
/** The CA certificate hash the fake `kubectl karmada token create --print-register-command` prints. */
export const CA_HASH = `sha256:${"c0ffee".repeat(10)}c0ff`;

const REPO = resolve(import.meta.dirname, "../..");
const STUB_DIR = resolve(import.meta.dirname, "stubs");

// The fake tools must be executable even where a checkout dropped the mode bits.
for (const dir of ["bin", "tools"]) {
  for (const file of readdirSync(join(STUB_DIR, dir))) chmodSync(join(STUB_DIR, dir, file), 0o755);
}

// Every fake cloud lives under one directory, removed when the test process exits (test files share this
// module, so a per-file afterAll would pull the directory from under the next file).
const SCRATCH = mkdtempSync(join(tmpdir(), "buildspec-"));
process.once("exit", () => rmSync(SCRATCH, { recursive: true, force: true }));

export interface Buildspec {
  name: BuildspecName;
  /** The file as committed. */
  text: string;
  doc: {
    version: unknown;
    env?: { shell?: string; variables?: Record<string, string> };
    phases: Record<string, { commands: string[] }>;
  };
  /** Commands of each phase as deployed: the install phase with the pins rendered (unless asked not to). */
  phases: Record<PhaseName, string[]>;
  /** The lines between `# BEGIN PINS` and `# END PINS` of the install phase, as committed. */
  pinBlock: string;
  /** The pins rendered into the install phase (empty when not rendered). */
  pins: { kubectlVersion: string; kubectlSha256: string; kubectlKarmada: Record<string, string> };
  /** The helper library the install phase writes (its heredoc). */
  lib: string;
}

/**
 * Parses a buildspec and renders its pins as sst.config.ts does (functions/lib/karmada-versions.ts renderBuildspec).
 * `releases`: the table to render (default: the real one); `null` leaves the committed text as is (no pins).
 */
export function loadBuildspec(
  name: BuildspecName,
  options: { releases?: readonly KarmadaRelease[] | null } = {},
): Buildspec {
  const releases = options.releases === undefined ? KARMADA_RELEASES : options.releases;
  const text = readFileSync(join(REPO, "buildspecs", `${name}.yml`), "utf8");
  const doc = parse(text) as Buildspec["doc"];
  const install = doc.phases.install?.commands[0] ?? "";
  const pinBlock = install.match(/^# BEGIN PINS.*\n([\s\S]*?)^# END PINS/m)?.[1] ?? "";
  const lib = install.match(/<<'LIB'\n([\s\S]*?)\nLIB\n/)?.[1] ?? "";
  const runnable = releases ? renderBuildspec(install, releases) : install;
  const phases = Object.fromEntries(
    PHASES.map((phase) => [phase, phase === "install" ? [runnable] : (doc.phases[phase]?.commands ?? [])]),
  ) as Record<PhaseName, string[]>;
  const current = releases?.find((r) => r.version === DEFAULT_KARMADA_VERSION);
  return {
    name,
    text,
    doc,
    phases,
    pinBlock,
    pins: {
      kubectlVersion: current?.kubectl.version ?? "",
      kubectlSha256: current?.kubectl.sha256.linuxAmd64 ?? "",
      kubectlKarmada: Object.fromEntries((releases ?? []).map((r) => [r.version, r.kubectlKarmadaSha256.linuxAmd64])),
    },
    lib,
  };
}

/**
 * A stand-in for the Karmada Go module zip (proxy.golang.org) of the default version: a few CRD files laid out as
 * in the real module, zipped. The fake curl serves it; its dirhash is computed here, independently of the buildspec.
 */
function fakeModule(dir: string, edit?: (files: Map<string, string>) => void) {
  const prefix = `github.com/karmada-io/karmada@${DEFAULT_KARMADA_VERSION}`;
  const files = new Map<string, string>([
    [`${prefix}/go.mod`, "module github.com/karmada-io/karmada\n"],
    [`${prefix}/charts/karmada/_crds/kustomization.yaml`, "resources:\n- bases/work/work.karmada.io_works.yaml\n"],
    [`${prefix}/charts/karmada/_crds/bases/work/work.karmada.io_works.yaml`, "kind: CustomResourceDefinition\n"],
    [
      `${prefix}/charts/karmada/_crds/bases/policy/policy.karmada.io_propagationpolicies.yaml`,
      "kind: CustomResourceDefinition\n",
    ],
    [`${prefix}/charts/karmada/_crds/patches/webhook_in_resourcebindings.yaml`, "kind: CustomResourceDefinition\n"],
    [`${prefix}/pkg/version/version.go`, "package version\n"],
  ]);
  edit?.(files);
  const tree = join(dir, "tree");
  for (const [file, content] of files) {
    mkdirSync(join(tree, file, ".."), { recursive: true });
    writeFileSync(join(tree, file), content);
  }
  const zip = join(dir, "module.zip");
  const run = spawnSync("zip", ["-qrX", zip, "github.com"], { cwd: tree, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`zip is needed by the buildspec tests: ${run.stderr || run.error}`);
  // golang.org/x/mod/sumdb/dirhash Hash1: sha256 over "<sha256 hex>  <name>\n" per file, sorted by name.
  const summary = [...files.keys()]
    .sort()
    .map(
      (file) =>
        `${createHash("sha256")
          .update(files.get(file) as string)
          .digest("hex")}  ${file}\n`,
    )
    .join("");
  return { zip, h1: `h1:${createHash("sha256").update(summary).digest("base64")}`, files: [...files.keys()] };
}

/** The fake Go module the fake curl serves by default, with its h1 hash. */
export const FAKE_MODULE = fakeModule(mkdtempSync(join(SCRATCH, "module-")));
/** The fake module with one CRD changed (same names, other content): what a tampered download looks like. */
export const TAMPERED_MODULE = fakeModule(mkdtempSync(join(SCRATCH, "module-")), (files) => {
  for (const file of files.keys())
    if (file.endsWith("work.karmada.io_works.yaml")) files.set(file, "kind: CustomResourceDefinition # changed\n");
});

/** A module without charts/karmada/_crds/patches (what a wrong pin for another module would let through). */
export const MODULE_WITHOUT_PATCHES = fakeModule(mkdtempSync(join(SCRATCH, "module-")), (files) => {
  for (const file of files.keys()) if (file.includes("/_crds/patches/")) files.delete(file);
});

/** The real table, with the Go module hash of the fake module (the other pins are reported by the fake sha256sum). */
export const TEST_RELEASES: readonly KarmadaRelease[] = KARMADA_RELEASES.map((r) =>
  r.version === DEFAULT_KARMADA_VERSION ? { ...r, goModuleH1: FAKE_MODULE.h1 } : r,
);

/** A secret as the fake Secrets Manager holds it. */
export interface FakeSecret {
  value: string;
  owner?: string;
  kmsKeyId?: string;
  deleted?: string;
  /** Tags set after creation (TagResource), by key. */
  tags?: Record<string, string>;
}

/** One recorded call of a fake tool: program name first, then its arguments. */
export type Call = string[];

/** The fake cloud: Secrets Manager, the Karmada control plane and the Karmada clusters, kept in files. */
export class FakeCloud {
  readonly root = mkdtempSync(join(SCRATCH, "cloud-"));
  readonly state = join(this.root, "state");
  readonly log = join(this.root, "calls.log");
  private builds = 0;

  constructor() {
    mkdirSync(join(this.state, "karmada", "clusters"), { recursive: true });
    writeFileSync(this.log, "");
  }

  private secretDir(name: string): string {
    return join(this.state, "secrets", name.replaceAll("/", "%2F"));
  }

  seedSecret(name: string, secret: FakeSecret): void {
    const dir = this.secretDir(name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "value"), secret.value);
    if (secret.owner) writeFileSync(join(dir, "owner"), secret.owner);
    if (secret.deleted) writeFileSync(join(dir, "deleted"), secret.deleted);
  }

  secret(name: string): FakeSecret | undefined {
    const dir = this.secretDir(name);
    if (!existsSync(dir)) return undefined;
    const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : undefined);
    const tags = Object.fromEntries(
      (read("tags") ?? "")
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    return {
      value: read("value") ?? "",
      owner: read("owner"),
      kmsKeyId: read("kms"),
      deleted: read("deleted"),
      tags,
    };
  }

  /** A Karmada control plane as `kubectl karmada init` leaves it; `pods` lines are "<app label> <Ready status>". */
  seedKarmada(options: { workloads?: string[]; pods: string[] }): void {
    const workloads = options.workloads ?? [
      "etcd",
      "karmada-apiserver",
      "karmada-aggregated-apiserver",
      "kube-controller-manager",
      "karmada-scheduler",
      "karmada-controller-manager",
      "karmada-webhook",
    ];
    writeFileSync(join(this.state, "karmada", "workloads"), `${workloads.join("\n")}\n`);
    writeFileSync(join(this.state, "karmada", "pods"), `${options.pods.join("\n")}\n`);
  }

  /** A Cluster object in Karmada. */
  seedCluster(
    name: string,
    cluster: { ready: string; endpoint: string; reason?: string; message?: string; syncMode?: "Push" | "Pull" },
  ): void {
    const { ready, endpoint, reason = "", message = "" } = cluster;
    writeFileSync(join(this.state, "karmada", "clusters", name), `${ready}|${endpoint}|${reason}|${message}`);
    if (cluster.syncMode === "Pull") {
      mkdirSync(join(this.state, "karmada", "syncmodes"), { recursive: true });
      writeFileSync(join(this.state, "karmada", "syncmodes", name), "Pull");
    }
  }

  /** The spec.syncMode of a Cluster object (Push unless it was registered in pull mode). */
  syncMode(name: string): string | undefined {
    if (!this.cluster(name)) return undefined;
    const file = join(this.state, "karmada", "syncmodes", name);
    return existsSync(file) ? readFileSync(file, "utf8").trim() : "Push";
  }

  /** A karmada-agent Deployment in the member cluster (what `kubectl karmada register` deploys). */
  seedMemberAgent(cluster: string): void {
    mkdirSync(join(this.state, "member"), { recursive: true });
    writeFileSync(join(this.state, "member", "agent"), `${cluster}\n`);
  }

  memberAgent(): boolean {
    return existsSync(join(this.state, "member", "agent"));
  }

  /** Bootstrap token ids Karmada still has (each file holds the token's --ttl). */
  tokens(): string[] {
    const dir = join(this.state, "karmada", "tokens");
    return existsSync(dir) ? readdirSync(dir) : [];
  }

  cluster(name: string): string | undefined {
    const file = join(this.state, "karmada", "clusters", name);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  }

  /** The entries of the archive the last `kubectl karmada init` got as --crds (`tar -tzf`), one a line. */
  crdsListing(): string[] {
    const file = join(this.state, "karmada", "crds-listing");
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  }

  calls(): Call[] {
    return readFileSync(this.log, "utf8")
      .split("\x1e")
      .filter((record) => record.length > 0)
      .map((record) => record.split("\x1f").slice(0, -1));
  }

  /** A fresh container directory for the next build; poll counters of the fake tools start again. */
  newContainer(): string {
    this.builds += 1;
    rmSync(join(this.state, "counters"), { recursive: true, force: true });
    const dir = join(this.root, `build-${this.builds}`);
    mkdirSync(join(dir, "tmp"), { recursive: true });
    mkdirSync(join(dir, "home"), { recursive: true });
    return dir;
  }
}

export type PhaseStatus = "SUCCEEDED" | "FAILED" | "SKIPPED";

export interface PhaseResult {
  name: PhaseName;
  status: PhaseStatus;
  stdout: string;
  stderr: string;
}

export interface BuildResult {
  status: "SUCCEEDED" | "FAILED";
  phases: Record<PhaseName, PhaseResult>;
  /** stdout and stderr of every phase, in order. */
  output: string;
  /** Calls made by this build (not earlier ones). */
  calls: Call[];
  /** The container's TMPDIR (what it left on disk). */
  tmpdir: string;
}

/** Knobs of the fake tools (environment variables the stubs read). */
export interface StubOptions {
  /** Digests the fake sha256sum reports; default: the pins, so verification passes. */
  sha256?: { kubectl?: string; kubectlKarmada?: string };
  initResult?: "ok" | "fail-early" | "fail-late" | "no-credentials";
  /** What `uname -m` reports; default x86_64. */
  machine?: string;
  podsNotReadyPolls?: number;
  clusterNotReadyPolls?: number;
  joinedReady?: boolean;
  karmadaUnreachable?: boolean;
  eksServer?: string;
  describeError?: string;
  /** The member EKS cluster's deployment tag `aws eks describe-cluster` reports; default: untagged ("None"). */
  memberOwner?: string;
  /** Host names the fake `getent hosts` resolves; default: none. */
  resolves?: string[];
  /** The Go module zip the fake curl serves (proxy.golang.org); default FAKE_MODULE. */
  moduleZip?: string;
  /** `garbled`: token create prints no register command. */
  tokenResult?: "ok" | "garbled";
  /** `fail-leaky`: register fails with an error that repeats the token and the CA hash. */
  registerResult?: "ok" | "fail-leaky";
  /** The member's agent appears after pre_build looked (register's own preflight then finds it). */
  agentRace?: boolean;
}

/** Runs one build of the buildspec in a fresh container against the cloud. */
export function runBuild(
  spec: Buildspec,
  cloud: FakeCloud,
  variables: Record<string, string>,
  stub: StubOptions = {},
): BuildResult {
  const container = cloud.newContainer();
  const callsBefore = cloud.calls().length;
  const karmadaVersion = variables.KARMADA_VERSION ?? spec.doc.env?.variables?.KARMADA_VERSION ?? "";
  const env: Record<string, string> = {
    PATH: `${join(STUB_DIR, "bin")}:/usr/local/bin:/usr/bin:/bin`,
    HOME: join(container, "home"),
    TMPDIR: join(container, "tmp"),
    LANG: "C.UTF-8",
    STUB_DIR,
    STUB_STATE: cloud.state,
    STUB_LOG: cloud.log,
    STUB_DEPLOYMENT_TAG: "eks-karmada-orchestrator/deployment",
    STUB_SECRET_MARKER: SECRET_MARKER,
    STUB_SHA256_KUBECTL: stub.sha256?.kubectl ?? spec.pins.kubectlSha256,
    STUB_SHA256_KUBECTL_KARMADA: stub.sha256?.kubectlKarmada ?? spec.pins.kubectlKarmada[karmadaVersion] ?? "",
    STUB_INIT_RESULT: stub.initResult ?? "ok",
    STUB_UNAME_M: stub.machine ?? "x86_64",
    STUB_PODS_NOT_READY_POLLS: String(stub.podsNotReadyPolls ?? 0),
    STUB_CLUSTER_NOT_READY_POLLS: String(stub.clusterNotReadyPolls ?? 0),
    STUB_JOINED_READY: stub.joinedReady === false ? "False" : "True",
    ...(stub.karmadaUnreachable ? { STUB_KARMADA_UNREACHABLE: "1" } : {}),
    ...(stub.eksServer ? { STUB_EKS_SERVER: stub.eksServer } : {}),
    ...(stub.describeError ? { STUB_DESCRIBE_ERROR: stub.describeError } : {}),
    ...(stub.memberOwner ? { STUB_MEMBER_OWNER: stub.memberOwner } : {}),
    ...(stub.resolves ? { STUB_RESOLVES: stub.resolves.join(" ") } : {}),
    STUB_MODULE_ZIP: stub.moduleZip ?? FAKE_MODULE.zip,
    STUB_TOKEN_SECRET: TOKEN_SECRET,
    STUB_CA_HASH: CA_HASH,
    STUB_TOKEN_RESULT: stub.tokenResult ?? "ok",
    STUB_REGISTER_RESULT: stub.registerResult ?? "ok",
    ...(stub.agentRace ? { STUB_AGENT_RACE: "1" } : {}),
    ...spec.doc.env?.variables,
    ...variables,
    CODEBUILD_BUILD_SUCCEEDING: "1",
  };

  const phases = {} as Record<PhaseName, PhaseResult>;
  let ended = false;
  let buildFailed = false;
  for (const name of PHASES) {
    if (ended) {
      phases[name] = { name, status: "SKIPPED", stdout: "", stderr: "" };
      continue;
    }
    const result = runPhase(name, spec.phases[name], env);
    phases[name] = result;
    if (result.status === "FAILED") {
      buildFailed = true;
      env.CODEBUILD_BUILD_SUCCEEDING = "0";
      // A failed install or pre_build ends the build; a failed build phase still runs post_build.
      if (name === "install" || name === "pre_build" || name === "post_build") ended = true;
    }
  }
  return {
    status: buildFailed ? "FAILED" : "SUCCEEDED",
    phases,
    output: PHASES.map((name) => phases[name].stdout + phases[name].stderr).join(""),
    calls: cloud.calls().slice(callsBefore),
    tmpdir: env.TMPDIR ?? "",
  };
}

function runPhase(name: PhaseName, commands: string[], env: Record<string, string>): PhaseResult {
  let stdout = "";
  let stderr = "";
  for (const command of commands) {
    const run = spawnSync("bash", ["-c", command], { env, encoding: "utf8", timeout: 120_000 });
    stdout += run.stdout;
    stderr += run.stderr;
    if (run.status !== 0) return { name, status: "FAILED", stdout, stderr };
  }
  return { name, status: "SUCCEEDED", stdout, stderr };
}

/** The value following a flag in a recorded call. */
export function flagValue(call: Call | undefined, flag: string): string | undefined {
  const index = call?.indexOf(flag) ?? -1;
  return index >= 0 ? call?.[index + 1] : undefined;
}

/** Calls of one program whose first arguments are `prefix`. */
export function callsTo(calls: Call[], program: string, ...prefix: string[]): Call[] {
  return calls.filter((call) => call[0] === program && prefix.every((arg, i) => call[i + 1] === arg));
}

/** Every regular file under a directory whose content includes the text. */
export function filesContaining(dir: string, text: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const stats = statSync(path);
    if (stats.isDirectory()) found.push(...filesContaining(path, text));
    else if (stats.isFile() && readFileSync(path, "utf8").includes(text)) found.push(path);
  }
  return found;
}
