import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  DEFAULT_KARMADA_VERSION,
  KARMADA_RELEASES,
  PINS_MARKER,
  renderBuildspec,
  SUPPORTED_KARMADA_VERSIONS,
} from "../../functions/lib/karmada-versions.js";
import {
  DEPLOYMENT_TAG,
  KARMADA_API_PORT,
  KARMADA_CERTS_EXPIRY_TAG,
  KARMADA_NAMESPACE,
  MANAGED_BY,
  MANAGED_BY_TAG,
  STORAGE_CLASS_NAME,
} from "../../functions/lib/names.js";
import { type BuildspecName, loadBuildspec, PHASES } from "./harness.js";

const REPO = resolve(import.meta.dirname, "../..");
const NAMES: BuildspecName[] = ["karmada-init", "karmada-join", "karmada-register"];
/** Every buildspec: they all install the pinned tools with the same block. */
const ALL: BuildspecName[] = ["karmada-init", "karmada-join", "karmada-register", "karmada-unjoin", "karmada-deinit"];
const SHA256 = /^[0-9a-f]{64}$/;

describe.each(NAMES)("%s buildspec", (name) => {
  const spec = loadBuildspec(name);

  it("is a version 0.2 buildspec that runs its commands in bash", () => {
    expect(spec.doc.version).toBe(0.2);
    expect(spec.doc.env?.shell).toBe("bash");
  });

  it.each(PHASES)("has one %s command block that starts with set -euo pipefail", (phase) => {
    const commands = spec.doc.phases[phase]?.commands;
    expect(commands).toHaveLength(1);
    expect(commands?.[0]).toMatch(/^set -euo pipefail\n/);
  });

  it("has no phases besides install, pre_build, build and post_build", () => {
    expect(Object.keys(spec.doc.phases).sort()).toEqual([...PHASES].sort());
  });

  it("never traces commands (a trace would print secrets)", () => {
    expect(spec.text).not.toMatch(/set\s+-[a-z]*x|set\s+-o\s+xtrace|bash\s+-x/);
  });

  it("defaults KARMADA_VERSION to the plan's default", () => {
    expect(spec.doc.env?.variables?.KARMADA_VERSION).toBe(DEFAULT_KARMADA_VERSION);
  });

  it("pins kubectl and every kubectl-karmada release it may install, once rendered", () => {
    expect(spec.pins.kubectlVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(spec.pins.kubectlSha256).toMatch(SHA256);
    expect(Object.keys(spec.pins.kubectlKarmada)).toEqual([...SUPPORTED_KARMADA_VERSIONS]);
  });

  it("uses the names functions/lib/names.ts gives to tags and Kubernetes objects", () => {
    const constants = Object.fromEntries(
      [...spec.lib.matchAll(/^([A-Z_]+)=("?)([^"\n]*)\2$/gm)].map(([, key, , value]) => [key, value]),
    );
    expect(constants).toMatchObject(
      name === "karmada-init"
        ? {
            DEPLOYMENT_TAG,
            MANAGED_BY_TAG,
            MANAGED_BY,
            KARMADA_NAMESPACE,
            KARMADA_API_PORT: String(KARMADA_API_PORT),
            STORAGE_CLASS_NAME,
            CERTS_EXPIRY_TAG: KARMADA_CERTS_EXPIRY_TAG,
          }
        : { KARMADA_CLUSTER_RESOURCE: "clusters.cluster.karmada.io", DEPLOYMENT_TAG },
    );
  });

  it("documents every variable it requires in buildspecs/ENV.md", () => {
    const envDoc = readFileSync(join(REPO, "buildspecs", "ENV.md"), "utf8");
    const required = spec.text.match(/require_env ((?:[A-Z_]+\s|\\\s+)+)/)?.[1]?.match(/[A-Z_]+/g) ?? [];
    expect(required.length).toBeGreaterThan(0);
    for (const variable of required) expect(envDoc).toMatch(new RegExp(`^\\|\\s*${variable}\\s*\\|`, "m"));
  });
});

describe("the pinned tool versions", () => {
  it("are installed by the same block in every buildspec", () => {
    const [init, ...others] = ALL.map((name) => loadBuildspec(name));
    expect(init?.pinBlock).toContain(PINS_MARKER);
    for (const other of others) {
      expect(other.pinBlock, other.name).toBe(init?.pinBlock);
      expect(other.pins, other.name).toEqual(init?.pins);
    }
  });

  it.each(ALL)("come only from the version table: %s.yml as committed holds no checksum", (name) => {
    const { text } = loadBuildspec(name);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(text).not.toMatch(/h1:[A-Za-z0-9+/]{43}=/);
    expect(text.split("\n").filter((line) => line.trim() === PINS_MARKER)).toHaveLength(1);
  });

  it.each(ALL)("are rendered into %s.yml from every row of the version table", (name) => {
    const install = loadBuildspec(name).phases.install.join("\n");
    for (const release of KARMADA_RELEASES) {
      expect(install).toContain(`[${release.version}]="${release.kubectlKarmadaSha256.linuxAmd64}"`);
      expect(install).toContain(`[${release.version}]="${release.kubectl.sha256.linuxAmd64}"`);
      expect(install).toContain(`[${release.version}]="${release.goModuleH1}"`);
    }
    expect(install).not.toContain(PINS_MARKER);
  });

  it.each(ALL)("keep %s.yml valid YAML when rendered into its text, as sst.config.ts deploys it", (name) => {
    const spec = loadBuildspec(name);
    const deployed = parse(renderBuildspec(spec.text)) as typeof spec.doc;

    // The YAML CodeBuild gets runs exactly the commands these tests run.
    expect(deployed.phases.install?.commands).toEqual(spec.phases.install);
    expect({ ...deployed, phases: { ...deployed.phases, install: undefined } }).toEqual({
      ...spec.doc,
      phases: { ...spec.doc.phases, install: undefined },
    });
  });

  it("leave no placeholder checksum in the buildspecs, their docs or the README", () => {
    const files = [
      ...ALL.map((name) => join(REPO, "buildspecs", `${name}.yml`)),
      join(REPO, "buildspecs", "ENV.md"),
      join(REPO, "README.md"),
    ];
    for (const file of files) expect(readFileSync(file, "utf8"), file).not.toMatch(/placeholder|unverified/i);
  });
});

// shellcheck is installed by .ci/run. Locally it may be missing: then these checks are skipped, loudly; in CI
// (CI=true) a missing shellcheck fails them.
const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
const inCi = process.env.CI === "true";
if (!hasShellcheck && !inCi) {
  console.warn("shellcheck is not installed: skipping the buildspec shellcheck tests (apt-get install shellcheck)");
}
const withShellcheck = hasShellcheck || inCi ? it : it.skip;

function shellcheck(script: string, options: string[] = []): string {
  expect(hasShellcheck, "shellcheck is not on PATH (.ci/run installs it)").toBe(true);
  const run = spawnSync("shellcheck", ["--shell=bash", "--severity=style", ...options, "-"], {
    input: script,
    encoding: "utf8",
    cwd: REPO,
  });
  return run.stdout + run.stderr;
}

describe.each(NAMES)("shellcheck on %s", (name) => {
  const spec = loadBuildspec(name);

  withShellcheck.each(PHASES)("finds nothing in the %s phase", (phase) => {
    expect(shellcheck(spec.phases[phase].join("\n"))).toBe("");
  });

  withShellcheck("finds nothing in the helper library the install phase writes", () => {
    expect(spec.lib).not.toBe("");
    expect(shellcheck(spec.lib)).toBe("");
  });
});

describe("shellcheck on the fake tools", () => {
  const stubs = resolve(import.meta.dirname, "stubs");
  const files = [
    join(stubs, "stub-lib.sh"),
    ...["bin", "tools"].flatMap((dir) => readdirSync(join(stubs, dir)).map((file) => join(stubs, dir, file))),
  ];

  withShellcheck.each(files.map((file) => [file.slice(REPO.length + 1), file]))("finds nothing in %s", (_, file) => {
    expect(shellcheck(readFileSync(file, "utf8"), ["--external-sources"])).toBe("");
  });
});
