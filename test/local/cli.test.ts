import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "./support.js";

const MINIMAL = fileURLToPath(new URL("../../examples/minimal.json", import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eko-local-cli-"));
});

describe("npm run local (usage)", () => {
  it("prints the usage with --help and exits 0", async () => {
    const { code, out } = await cli("--help");

    expect(code).toBe(0);
    expect(out).toMatch(/Usage: npm run local -- --input <plan.json>/);
  });

  it.each([
    [[], /--input <file> is required/],
    [["--input", MINIMAL, "--fail", "explode"], /unknown fault 'explode'/],
    [["--input", MINIMAL, "--time-scale", "fast"], /--time-scale must be a positive number or "max"/],
    [["--input", MINIMAL, "--bogus"], /Unknown option '--bogus'/],
    [["--input", "/no/such/plan.json"], /ENOENT/],
    [["--workflow", "repair"], /--workflow must be one of deploy, check, destroy/],
    [["--workflow", "check", "--state", "/tmp"], /needs --deployment <name>/],
    [["--workflow", "destroy", "--deployment", "demo"], /needs --state <dir>/],
    [["--workflow", "destroy", "--deployment", "demo", "--state", "/tmp"], /requires --confirm <name>/],
    [["--workflow", "check", "--deployment", "demo", "--state", "/no/such/dir"], /holds no simulated account/],
    [["--input", MINIMAL, "--remediate"], /belong to --workflow check or destroy/],
  ])("exits 2 for %j", async (argv, message) => {
    const { code, err } = await cli(...argv);

    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it("exits 2 for an invalid plan, listing every problem with its path, before anything runs", async () => {
    const file = join(dir, "invalid.json");
    writeFileSync(file, JSON.stringify({ deploymentName: "Bad Name", region: "mars", members: [] }));

    const { code, err } = await cli("--input", file);

    expect(code).toBe(2);
    expect(err).toMatch(/nothing was created/);
    for (const path of ["deploymentName", "region", "vpc", "members", "karmada"])
      expect(err).toMatch(new RegExp(`- ${path}: `));
  });
});

describe("npm run local --workflow check|destroy", () => {
  it("checks a deployment saved with --state (no drift), then destroys it only with --confirm", async () => {
    const state = join(dir, "day2");
    const out = join(dir, "out");
    expect((await cli("--input", MINIMAL, "--state", state, "--out", out, "--time-scale", "max")).code).toBe(0);
    const name = "mini";

    const check = await cli("--workflow", "check", "--deployment", name, "--state", state, "--out", out, "--json");
    expect(check.code).toBe(0);
    expect(JSON.parse(check.out)).toMatchObject({ workflow: "check", status: "SUCCEEDED", findings: [] });

    const refused = await cli("--workflow", "destroy", "--deployment", name, "--confirm", "nope", "--state", state);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/FAILED with DestroyNotConfirmed/);

    const destroy = await cli(
      "--workflow",
      "destroy",
      "--deployment",
      name,
      "--confirm",
      name,
      "--state",
      state,
      "--out",
      out,
      "--json",
    );
    expect(destroy.code).toBe(0);
    expect(JSON.parse(destroy.out)).toMatchObject({
      workflow: "destroy",
      status: "SUCCEEDED",
      deleted: { "eks:cluster": 2, "secretsmanager:secret": 2 },
    });
  });
});

describe("npm run local checks every path before it runs", () => {
  const runHeader = /eks-karmada-orchestrator · local/;

  it.each([
    [
      "a truncated account.json",
      () => truncatedAccount(),
      /account\.json is not a simulated account \(.*truncated\?\)/,
    ],
    ["--state naming a file", () => ["--state", aFile("state-file")], /--state .*state-file is a file/],
    ["--out naming a file", () => ["--out", aFile("out-file")], /--out .*out-file is a file/],
    [
      "--out under a file (unwritable)",
      () => ["--out", join(aFile("out-parent"), "timeline")],
      /--out .*out-parent\/timeline is not a writable directory \(ENOTDIR\)/,
    ],
  ])("exits 2 with one clear line for %s, and runs nothing", async (_what, extra, message) => {
    const { code, out, err } = await cli("--input", MINIMAL, "--time-scale", "max", ...extra());

    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
    expect(out).not.toMatch(runHeader);
  });

  it("exits 2 for --input naming a directory", async () => {
    const { code, err } = await cli("--input", dir);

    expect(code).toBe(2);
    expect(err).toMatch(/--input .* is a directory; name the plan file/);
  });

  it.each([
    [
      ["cluster-failed:nope"],
      /the plan has no cluster 'nope' \(one of parent or mini-parent, member1 or mini-member1\)/,
    ],
    [["addon-degraded:mini-member2"], /the plan has no cluster 'mini-member2'/],
    [["build-failed:join:member9"], /the plan has no member 'member9' \(one of member1\)/],
    [["throttle:destroy-cluster:2"], /this workflow never runs the stage 'destroy-cluster' \(one of validate-input, /],
  ])("rejects --fail %j, a target the run does not have, listing the valid ones", async (faults, message) => {
    const { code, out, err } = await cli("--input", MINIMAL, ...faults.flatMap((f) => ["--fail", f]));

    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(out).not.toMatch(runHeader);
  });
});

describe("npm run local on a saved --state account", () => {
  let state: string;
  let out: string;

  beforeAll(async () => {
    state = join(dir, "saved");
    out = join(dir, "saved-out");
    expect((await cli("--input", MINIMAL, "--state", state, "--out", out, "--time-scale", "max")).code).toBe(0);
  }, 60_000);

  it("keeps timeline files inside --out whatever the deployment name (no ../ escape)", async () => {
    const inner = join(out, "inner");
    const { code, out: json } = await cli(
      "--workflow",
      "check",
      "--deployment",
      "../../escaped",
      "--state",
      state,
      "--out",
      inner,
      "--json",
    );

    expect(code).toBe(1);
    const { timeline } = JSON.parse(json);
    for (const file of Object.values(timeline as Record<string, string>)) {
      expect(dirname(file)).toBe(inner);
      expect(existsSync(file)).toBe(true);
    }
    expect(existsSync(join(dir, "escaped-check-timeline.mmd"))).toBe(false);
  });

  it("refuses a second run on the same --state while one runs, naming the owner's pid", async () => {
    const check = () => cli("--workflow", "check", "--deployment", "mini", "--state", state, "--out", out, "--json");

    const [first, second] = await Promise.all([check(), check()]);

    expect(first.code).toBe(0);
    expect(second.code).toBe(2);
    expect(second.err).toMatch(new RegExp(`--state .* is in use by another local run \\(pid ${process.pid}, `));
    expect(existsSync(join(state, "account.lock"))).toBe(false); // released when the first ended
  });

  it("refuses a lock held by a live process, and takes over one whose process is gone", async () => {
    const lock = join(state, "account.lock");
    const check = () => cli("--workflow", "check", "--deployment", "mini", "--state", state, "--out", out, "--json");
    const saved = readFileSync(join(state, "account.json"), "utf8");

    writeFileSync(lock, `${process.pid}\n`);
    const refused = await check();
    expect(refused.code).toBe(2);
    expect(readFileSync(join(state, "account.json"), "utf8")).toBe(saved);

    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(lock, `${dead}\n`);
    const taken = await check();
    expect(taken.code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});

/** A file where a directory is expected. */
function aFile(name: string): string {
  const file = join(dir, name);
  writeFileSync(file, "not a directory\n");
  return file;
}

/** --state with an account.json cut short (a run killed while saving). */
function truncatedAccount(): string[] {
  const state = join(dir, "truncated");
  mkdirSync(state, { recursive: true });
  writeFileSync(join(state, "account.json"), '{"version":1,"account":"1234');
  return ["--state", state];
}
