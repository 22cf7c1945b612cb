import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type BuildResult,
  CA_HASH,
  callsTo,
  FakeCloud,
  filesContaining,
  flagValue,
  loadBuildspec,
  runBuild,
  SECRET_MARKER,
  TOKEN_SECRET,
} from "./harness.js";

const spec = loadBuildspec("karmada-register");

const ENV = {
  DEPLOYMENT_NAME: "demo",
  CLUSTER_REGION: "us-east-1",
  CLUSTER_NAME: "demo-member-2",
  MEMBER_NAME: "member-2",
  KARMADA_VERSION: "v1.18.2",
  SECRETS_REGION: "eu-west-1",
  KUBECONFIG_SECRET: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
};
const NLB = "karmada-0123456789.elb.eu-west-1.amazonaws.com";
const MEMBER_SERVER = "https://demo-member-2.gr7.us-east-1.eks.amazonaws.com";

const KARMADA_KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0EtQ0VSVA==
    server: https://${NLB}:32443
  name: karmada-apiserver
contexts:
- context:
    cluster: karmada-apiserver
    user: karmada-admin
  name: karmada-apiserver
current-context: karmada-apiserver
kind: Config
users:
- name: karmada-admin
  user:
    client-certificate-data: Q0xJRU5ULUNFUlQ=
    client-key-data: ${SECRET_MARKER}
`;

const registers = (calls: string[][]) => callsTo(calls, "kubectl", "karmada", "register");
const tokenCalls = (calls: string[][], verb: string) => callsTo(calls, "kubectl", "karmada", "token", verb);

/** A cloud where KarmadaInit stored the Karmada kubeconfig; the member cluster is this deployment's. */
function initializedCloud(): FakeCloud {
  const cloud = new FakeCloud();
  cloud.seedSecret(ENV.KUBECONFIG_SECRET, { value: KARMADA_KUBECONFIG, owner: "demo" });
  return cloud;
}
const ours = { memberOwner: "demo" } as const;

/** Neither the token (nor its secret half) nor the CA hash appears in the build's log. */
function expectNoRegistrationSecrets(build: BuildResult) {
  expect(build.output).not.toContain(TOKEN_SECRET);
  expect(build.output).not.toContain(CA_HASH);
  expect(build.output).not.toContain(CA_HASH.slice("sha256:".length));
  expect(build.output).not.toContain(SECRET_MARKER);
}

describe("karmada-register of a member Karmada does not know yet", { timeout: 120_000 }, () => {
  let cloud: FakeCloud;
  let fresh: BuildResult;
  beforeAll(() => {
    cloud = initializedCloud();
    fresh = runBuild(spec, cloud, ENV, ours);
  }, 120_000);

  it("creates a short-lived bootstrap token on Karmada and asks for the register command", () => {
    const creates = tokenCalls(fresh.calls, "create");
    expect(creates).toHaveLength(1);
    expect(creates[0]).toContain("--print-register-command");
    expect(flagValue(creates[0], "--ttl")).toBe("30m");
    expect(flagValue(creates[0], "--kubeconfig")?.startsWith(`${fresh.tmpdir}/`)).toBe(true);
  });

  it("runs kubectl karmada register once against the member, with the token and CA hash read from that command", () => {
    expect(fresh.status).toBe("SUCCEEDED");
    const runs = registers(fresh.calls);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.[3]).toBe(`${NLB}:32443`);
    expect(flagValue(runs[0], "--kubeconfig")).toBe(join(fresh.tmpdir, "karmada-build", "member.kubeconfig"));
    expect(flagValue(runs[0], "--context")).toBe("member-2");
    expect(flagValue(runs[0], "--cluster-name")).toBe("member-2");
    expect(flagValue(runs[0], "--token")).toBe(`tok001.${TOKEN_SECRET}`);
    expect(flagValue(runs[0], "--discovery-token-ca-cert-hash")).toBe(CA_HASH);
    expect(flagValue(runs[0], "--karmada-agent-image")).toBe("docker.io/karmada/karmada-agent:v1.18.2");
  });

  it("leaves a Cluster in pull mode that Karmada reports Ready, with the agent in the member", () => {
    expect(cloud.syncMode("member-2")).toBe("Pull");
    expect(cloud.cluster("member-2")).toBe(`True|${MEMBER_SERVER}||`);
    expect(cloud.memberAgent()).toBe(true);
    expect(fresh.phases.post_build.stdout).toContain("Karmada reports member-2 Ready (pull mode)");
  });

  it("deletes the bootstrap token once the registration is done", () => {
    expect(tokenCalls(fresh.calls, "delete").map((call) => call[4])).toEqual(["tok001"]);
    expect(cloud.tokens()).toEqual([]);
  });

  it("never prints the bootstrap token, the CA hash or the Karmada kubeconfig", () => {
    expectNoRegistrationSecrets(fresh);
  });

  it("leaves no copy of the Karmada kubeconfig on disk", () => {
    expect(filesContaining(fresh.tmpdir, SECRET_MARKER)).toEqual([]);
  });

  it("does nothing on a second run: the member is registered and Ready", () => {
    const again = runBuild(spec, cloud, ENV, ours);
    expect(again.status).toBe("SUCCEEDED");
    expect(again.phases.pre_build.stdout).toContain("already registered in pull mode and Ready");
    expect(registers(again.calls)).toEqual([]);
    expect(tokenCalls(again.calls, "create")).toEqual([]);
  });
});

describe("karmada-register decides before it writes", { timeout: 120_000 }, () => {
  it("refuses a member cluster that is not this deployment's, before touching Karmada", () => {
    const cloud = initializedCloud();
    const build = runBuild(spec, cloud, ENV, { memberOwner: "someone-else" });
    expect(build.status).toBe("FAILED");
    expect(build.phases.pre_build.stderr).toContain("is not tagged eks-karmada-orchestrator/deployment=demo");
    expect(tokenCalls(build.calls, "create")).toEqual([]);
    expect(registers(build.calls)).toEqual([]);
  });

  it("refuses a member Karmada knows in push mode: the mode is not changed in place", () => {
    const cloud = initializedCloud();
    cloud.seedCluster("member-2", { ready: "True", endpoint: MEMBER_SERVER });
    const build = runBuild(spec, cloud, ENV, ours);
    expect(build.status).toBe("FAILED");
    expect(build.phases.pre_build.stderr).toContain("is registered in Push mode, but the plan asks for Pull");
    expect(registers(build.calls)).toEqual([]);
  });

  it("waits for a member whose agent runs but has not registered it yet, instead of registering twice", () => {
    const cloud = initializedCloud();
    cloud.seedMemberAgent("member-2");
    const build = runBuild(spec, cloud, ENV, ours);
    expect(build.phases.pre_build.stdout).toContain("not registering again");
    expect(registers(build.calls)).toEqual([]);
    expect(build.status).toBe("FAILED");
    expect(build.phases.post_build.stderr).toContain(
      "is not Ready after 300 s (no Cluster object: the karmada-agent on demo-member-2 has not registered it)",
    );
  });

  it("fails after a bounded wait with Karmada's reason when the registered member never becomes Ready", () => {
    const cloud = initializedCloud();
    cloud.seedCluster("member-2", {
      ready: "Unknown",
      endpoint: MEMBER_SERVER,
      reason: "ClusterStatusUnknown",
      message: "Cluster status controller stopped posting cluster status.",
      syncMode: "Pull",
    });
    const build = runBuild(spec, cloud, ENV, ours);
    expect(build.status).toBe("FAILED");
    expect(build.phases.post_build.stderr).toContain(
      "is not Ready after 300 s (Ready=Unknown, ClusterStatusUnknown: Cluster status controller stopped posting cluster status.)",
    );
  });

  it("waits for a registered member that is not Ready yet", () => {
    const cloud = initializedCloud();
    cloud.seedCluster("member-2", { ready: "True", endpoint: MEMBER_SERVER, syncMode: "Pull" });
    const build = runBuild(spec, cloud, ENV, { ...ours, clusterNotReadyPolls: 2 });
    expect(build.status).toBe("SUCCEEDED");
    expect(build.phases.post_build.stdout).toContain("waiting for member-2 to become Ready");
    expect(registers(build.calls)).toEqual([]);
  });
});

describe("karmada-register keeps the token and the CA hash out of its log when things go wrong", {
  timeout: 120_000,
}, () => {
  it("redacts them from a failing register's own output and still deletes the token", () => {
    const cloud = initializedCloud();
    const build = runBuild(spec, cloud, ENV, { ...ours, registerResult: "fail-leaky" });
    expect(build.status).toBe("FAILED");
    expect(build.output).toContain("[REDACTED]");
    expect(build.phases.build.stderr).toContain(
      "kubectl karmada register of demo-member-2 as member-2 exited with status 1",
    );
    expectNoRegistrationSecrets(build);
    expect(cloud.tokens()).toEqual([]);
  });

  it("does not print token create's output when it holds no register command", () => {
    const cloud = initializedCloud();
    const build = runBuild(spec, cloud, ENV, { ...ours, tokenResult: "garbled" });
    expect(build.status).toBe("FAILED");
    expect(build.phases.build.stderr).toContain("printed no register command with a bootstrap token");
    expect(registers(build.calls)).toEqual([]);
    expectNoRegistrationSecrets(build);
  });

  it("fails when register's preflight refuses the member although it exits 0", () => {
    const cloud = initializedCloud();
    // The agent appears between the decision and the registration (another build, a person).
    const build = runBuild(spec, cloud, ENV, { ...ours, agentRace: true });
    expect(registers(build.calls)).toHaveLength(1);
    expect(build.status).toBe("FAILED");
    expect(build.phases.build.stderr).toContain("kubectl karmada register refused demo-member-2 (its preflight above)");
    expect(cloud.cluster("member-2")).toBeUndefined();
    expectNoRegistrationSecrets(build);
  });
});
