import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../local/cli.js";

const MINIMAL = fileURLToPath(new URL("../../examples/minimal.json", import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eko-local-cli-"));
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

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
