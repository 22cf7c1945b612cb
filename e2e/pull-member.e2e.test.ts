/**
 * A pull member on the real test bed (e2e/harness/testbed.ts) with examples/pull-member.json: the real
 * karmada-register buildspec (real kubectl-karmada `token create` and `register`, real AWS CLI against the simulator)
 * registers pull1 with the real Karmada; kwok makes the karmada-agent Deployment's pod Ready but runs nothing, so the
 * test runs the real karmada-agent binary as a process, with the kubeconfig `register` wrote into the member's
 * karmada-system/karmada-kubeconfig Secret, as that pod would. The agent creates the Cluster (spec.syncMode Pull) and
 * reports it Ready; the build's post_build sees that. Needs `npm run e2e:build` and scripts/awscli/install.sh.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSpec } from "../functions/lib/contracts.js";
import { runAgentOnceRegistered as startAgent } from "./harness/agent.js";
import { get } from "./harness/cluster.js";
import { type Started, stop } from "./harness/processes.js";
import { startTestBed, type TestBed } from "./harness/testbed.js";

let bed: TestBed;
let agent: Started | undefined;
const dir = mkdtempSync(join(tmpdir(), "e2e-pull-"));

beforeAll(async () => {
  bed = await startTestBed({ dir, plan: "examples/pull-member.json" });
});

afterAll(async () => {
  if (agent) await stop(agent).catch(() => undefined);
  if (bed) await bed.stop();
  if (process.env.E2E_KEEP !== "1") rmSync(dir, { recursive: true, force: true });
});

const member = (): ClusterSpec => {
  const found = bed.resolved.members.find((m) => m.name === "pull1");
  if (!found) throw new Error("examples/pull-member.json has no member pull1");
  return found;
};

const karmadaCluster = async (name: string) => {
  const res = await get(bed.karmada, `/apis/cluster.karmada.io/v1alpha1/clusters/${name}`);
  if (res.status === 404) return undefined;
  return JSON.parse(res.body) as {
    spec: { syncMode?: string; apiEndpoint?: string };
    status?: { conditions?: { type: string; status: string }[] };
  };
};

/** Waits for register's Secret in the member, then runs the agent with it (what the Deployment's pod would do). */
async function runAgentOnceRegistered(name: string): Promise<void> {
  const plane = bed.members[name];
  if (!plane) throw new Error(`no member plane ${name}`);
  agent = await startAgent({ plane, memberName: name, region: member().region, dir });
}

describe("registering a pull member with the real karmada-register build and the real karmada-agent", () => {
  it("ends with the member's Cluster in pull mode and Ready, and neither token nor CA hash in the build log", async () => {
    const spec = member();
    const [outcome] = await Promise.all([
      bed.builds.run("karmada-register", bed.memberBuildVariables(spec)),
      runAgentOnceRegistered(spec.name),
    ]);

    expect(outcome.output).not.toMatch(/[a-z0-9]{6}\.[a-z0-9]{16}/);
    expect(outcome.output).not.toMatch(/sha256:[0-9a-f]{64}/);
    expect(outcome.status, outcome.output.slice(-3000)).toBe("SUCCEEDED");
    const cluster = await karmadaCluster(spec.name);
    expect(cluster?.spec.syncMode).toBe("Pull");
    expect(cluster?.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    // The bootstrap token is gone again.
    const tokens = await get(
      bed.karmada,
      "/api/v1/namespaces/kube-system/secrets?fieldSelector=type%3Dbootstrap.kubernetes.io%2Ftoken",
    );
    expect((JSON.parse(tokens.body) as { items: unknown[] }).items).toEqual([]);
  });

  it("leaves a registered, Ready pull member alone on a second build", async () => {
    const again = await bed.builds.run("karmada-register", bed.memberBuildVariables(member()));
    expect(again.status, again.output.slice(-2000)).toBe("SUCCEEDED");
    expect(again.output).toContain("already registered in pull mode and Ready");
  });
});
