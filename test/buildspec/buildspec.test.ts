import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEPLOYMENT_TAG,
  KARMADA_API_PORT,
  KARMADA_NAMESPACE,
  MANAGED_BY,
  MANAGED_BY_TAG,
  STORAGE_CLASS_NAME,
} from "../../functions/lib/names.js";
import { DEFAULT_KARMADA_VERSION } from "../../functions/lib/plan.js";
import { type BuildspecName, loadBuildspec, PHASES } from "./harness.js";

const REPO = resolve(import.meta.dirname, "../..");
const NAMES: BuildspecName[] = ["karmada-init", "karmada-join"];
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

  it("pins kubectl and every kubectl-karmada release it may install", () => {
    expect(spec.pins.kubectlVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(spec.pins.kubectlSha256).toMatch(SHA256);
    expect(Object.keys(spec.pins.kubectlKarmada)).toContain(DEFAULT_KARMADA_VERSION);
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
  it("are the same in karmada-init.yml and karmada-join.yml", () => {
    const [init, join] = NAMES.map((name) => loadBuildspec(name));
    expect(init?.pinBlock).not.toBe("");
    expect(join?.pinBlock).toBe(init?.pinBlock);
    expect(join?.pins).toEqual(init?.pins);
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
