/**
 * `npm run local -- --karmada real`: the whole Deploy on the simulated AWS with Karmada and the member clusters as
 * real processes, as a user rehearsing a plan runs it. The join builds run the real buildspec with the real
 * kubectl-karmada; the sample's weighted split is made by the real karmada-scheduler and verified by our status stage,
 * so a SUCCEEDED run is the real Karmada's verdict, not the simulator's.
 * Needs `npm run e2e:build` and `bash scripts/awscli/install.sh` (npm run e2e does both).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../test/local/support.js";

const out = mkdtempSync(join(tmpdir(), "e2e-local-real-"));
afterAll(() => {
  if (process.env.E2E_KEEP !== "1") rmSync(out, { recursive: true, force: true });
});

/** What `npm run local -- --json` prints for a Deploy, as far as these tests read it. */
interface RealRunDocument {
  status: string;
  error?: string;
  cause?: unknown;
  summary?: { sample?: { expected: Record<string, number>; split: Record<string, number> } };
  split: Record<string, number>;
  real?: { clusters: Record<string, { startupMs: number; memoryMiB: number }>; builds: number };
}

/** Runs `npm run local -- --input <plan> --karmada real --json` and expects it to succeed. */
async function deployReal(plan: string): Promise<RealRunDocument> {
  const run = await cli("--input", plan, "--karmada", "real", "--json", "--out", out);
  const doc = JSON.parse(run.out) as RealRunDocument;
  expect({ status: doc.status, error: doc.error, cause: doc.cause }).toEqual({
    status: "SUCCEEDED",
    error: undefined,
    cause: undefined,
  });
  expect(run.code).toBe(0);
  return doc;
}

describe("npm run local -- --karmada real", () => {
  it("deploys examples/two-members.json with both members joined to the real Karmada by the real join build and the sample split by the real scheduler", async () => {
    const doc = await deployReal("examples/two-members.json");
    // Karmada and one real control plane per member ran; each member's join ran its buildspec for real.
    expect(Object.keys(doc.real?.clusters ?? {}).sort()).toEqual([
      "eu-central-1/karmada-demo-member1",
      "eu-central-1/karmada-demo-member2",
      "karmada",
    ]);
    expect(doc.real?.builds).toBe(2);
    // 12 replicas, equal weights: what our status stage verified, and what the real members' apiservers hold.
    expect(doc.summary?.sample).toEqual({
      expected: { member1: 6, member2: 6 },
      split: { member1: 6, member2: 6 },
    });
    expect(doc.split).toEqual({ member1: 6, member2: 6 });
  });

  it("deploys examples/pull-member.json: the push member joined by the join build, the pull member registered by the register build and brought Ready by the real karmada-agent", async () => {
    const doc = await deployReal("examples/pull-member.json");
    // One join and one register build ran for real; the split the real scheduler made is the one our stage verified.
    expect(doc.real?.builds).toBe(2);
    expect(doc.summary?.sample?.split).toEqual(doc.summary?.sample?.expected);
    expect(doc.split).toEqual(doc.summary?.sample?.expected);
    expect(Object.values(doc.split).every((n) => n > 0)).toBe(true);
  });
});
