import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type BuildResult,
  callsTo,
  FakeCloud,
  filesContaining,
  flagValue,
  loadBuildspec,
  runBuild,
  SECRET_MARKER,
} from "./harness.js";

const spec = loadBuildspec("karmada-join");

const ENV = {
  DEPLOYMENT_NAME: "demo",
  CLUSTER_REGION: "us-east-1",
  CLUSTER_NAME: "demo-member-1",
  MEMBER_NAME: "member-1",
  KARMADA_VERSION: "v1.18.2",
  SECRETS_REGION: "eu-west-1",
  KUBECONFIG_SECRET: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
};

/** Where the fake `aws eks update-kubeconfig` points the member's kubeconfig. */
const MEMBER_SERVER = "https://demo-member-1.gr7.us-east-1.eks.amazonaws.com";

const KARMADA_KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0EtQ0VSVA==
    server: https://karmada-0123456789.elb.eu-west-1.amazonaws.com:32443
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

const karmadaJoins = (calls: string[][]) => callsTo(calls, "kubectl", "karmada", "join");

/** A cloud where KarmadaInit stored the Karmada kubeconfig. */
function initializedCloud(): FakeCloud {
  const cloud = new FakeCloud();
  cloud.seedSecret(ENV.KUBECONFIG_SECRET, { value: KARMADA_KUBECONFIG, owner: "demo" });
  return cloud;
}

describe("karmada-join of a member Karmada does not know yet", { timeout: 120_000 }, () => {
  // One build, inspected by every test of this group.
  let cloud: FakeCloud;
  let fresh: BuildResult;
  beforeAll(() => {
    cloud = initializedCloud();
    fresh = runBuild(spec, cloud, ENV);
  }, 120_000);

  it("installs the same pinned kubectl and kubectl-karmada as karmada-init", () => {
    expect(fresh.phases.install.status).toBe("SUCCEEDED");
    expect(callsTo(fresh.calls, "curl").map((call) => call.at(-1))).toEqual([
      `https://dl.k8s.io/release/${spec.pins.kubectlVersion}/bin/linux/amd64/kubectl`,
      "https://github.com/karmada-io/karmada/releases/download/v1.18.2/kubectl-karmada-linux-amd64.tgz",
    ]);
  });

  it("writes the member's kubeconfig with the member name as its context", () => {
    expect(callsTo(fresh.calls, "aws", "eks", "update-kubeconfig")).toEqual([
      [
        "aws",
        "eks",
        "update-kubeconfig",
        "--region",
        "us-east-1",
        "--name",
        "demo-member-1",
        "--alias",
        "member-1",
        "--kubeconfig",
        join(fresh.tmpdir, "karmada-build", "member.kubeconfig"),
      ],
    ]);
  });

  it("reads the Karmada kubeconfig from Secrets Manager in the parent's region", () => {
    const reads = callsTo(fresh.calls, "aws", "secretsmanager", "get-secret-value");
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      expect(read).toEqual([
        "aws",
        "secretsmanager",
        "get-secret-value",
        "--secret-id",
        ENV.KUBECONFIG_SECRET,
        "--region",
        "eu-west-1",
        "--query",
        "SecretString",
        "--output",
        "text",
      ]);
    }
  });

  it("runs kubectl karmada join once, in push mode with the member's kubeconfig and context", () => {
    expect(fresh.status).toBe("SUCCEEDED");
    const joins = karmadaJoins(fresh.calls);
    expect(joins).toHaveLength(1);
    const karmadaKubeconfig = flagValue(joins[0], "--kubeconfig") ?? "";
    expect(karmadaKubeconfig.startsWith(`${fresh.tmpdir}/`)).toBe(true);
    expect(joins[0]).toEqual([
      "kubectl",
      "karmada",
      "join",
      "member-1",
      "--kubeconfig",
      karmadaKubeconfig,
      "--cluster-kubeconfig",
      join(fresh.tmpdir, "karmada-build", "member.kubeconfig"),
      "--cluster-context",
      "member-1",
    ]);
  });

  it("registers the member with its EKS API endpoint and confirms that Karmada reports it Ready", () => {
    expect(cloud.cluster("member-1")).toBe(`True|${MEMBER_SERVER}||`);
    expect(fresh.phases.post_build.stdout).toContain("Karmada reports member-1 Ready");
  });

  it("never prints the Karmada kubeconfig and leaves no copy of it on disk", () => {
    expect(fresh.output).not.toContain(SECRET_MARKER);
    expect(fresh.calls.flat().join(" ")).not.toContain(SECRET_MARKER);
    expect(filesContaining(fresh.tmpdir, SECRET_MARKER)).toEqual([]);
  });
});

describe("karmada-join of a member Karmada already knows", { timeout: 120_000 }, () => {
  it("does not join again when the member is joined and Ready", () => {
    const cloud = initializedCloud();
    expect(runBuild(spec, cloud, ENV).status).toBe("SUCCEEDED");

    const rerun = runBuild(spec, cloud, ENV);

    expect(rerun.status).toBe("SUCCEEDED");
    expect(karmadaJoins(rerun.calls)).toEqual([]);
    expect(rerun.phases.pre_build.stdout).toContain("member-1 is already joined and Ready: nothing to do");
  });

  it("waits for a joined member that is not Ready yet instead of joining it again", () => {
    const cloud = initializedCloud();
    // Registered by an earlier build; Karmada reports it Ready only from the 4th look on.
    cloud.seedCluster("member-1", { ready: "True", endpoint: MEMBER_SERVER });

    const build = runBuild(spec, cloud, ENV, { clusterNotReadyPolls: 3 });

    expect(build.status).toBe("SUCCEEDED");
    expect(karmadaJoins(build.calls)).toEqual([]);
    expect(build.phases.pre_build.stdout).toContain("not re-joining, post_build waits for it");
    expect(callsTo(build.calls, "sleep")).toEqual([
      ["sleep", "10"],
      ["sleep", "10"],
    ]);
  });

  it("fails after a bounded wait with Karmada's reason when the member does not become Ready", () => {
    const cloud = initializedCloud();
    cloud.seedCluster("member-1", {
      ready: "False",
      endpoint: MEMBER_SERVER,
      reason: "ClusterNotReachable",
      message: "cluster is not reachable",
    });

    const build = runBuild(spec, cloud, ENV);

    expect(build.status).toBe("FAILED");
    expect(build.phases.post_build.stderr).toContain(
      "Karmada cluster member-1 is not Ready after 300 s (Ready=False, ClusterNotReachable: cluster is not reachable)",
    );
    expect(callsTo(build.calls, "sleep")).toHaveLength(29);
  });

  it("treats the registered endpoint case-insensitively", () => {
    const cloud = initializedCloud();
    cloud.seedCluster("member-1", { ready: "True", endpoint: MEMBER_SERVER.toUpperCase() });

    const build = runBuild(spec, cloud, ENV);

    expect(build.status).toBe("SUCCEEDED");
    expect(karmadaJoins(build.calls)).toEqual([]);
  });
});

describe("karmada-join of a member whose registration points at another API endpoint", { timeout: 120_000 }, () => {
  const OLD_HOST = "0ld0ld0ld.gr7.us-east-1.eks.amazonaws.com";
  const OLD_SERVER = `https://${OLD_HOST}`;
  /** A cloud where Karmada still holds member-1's registration of a deleted cluster at OLD_SERVER. */
  function staleCloud(endpoint = OLD_SERVER): FakeCloud {
    const cloud = initializedCloud();
    cloud.seedCluster("member-1", {
      ready: "False",
      endpoint,
      reason: "ClusterNotReachable",
      message: "cluster is not reachable",
    });
    return cloud;
  }
  /** `kubectl karmada unjoin|join` calls, in the order they ran. */
  const registrations = (calls: string[][]) =>
    calls.filter(
      (call) => call[0] === "kubectl" && call[1] === "karmada" && ["join", "unjoin"].includes(call[2] ?? ""),
    );

  describe("when the member's EKS cluster is ours and was re-created (the old endpoint no longer resolves)", () => {
    let cloud: FakeCloud;
    let build: BuildResult;
    beforeAll(() => {
      cloud = staleCloud();
      build = runBuild(spec, cloud, ENV, { memberOwner: "demo" });
    }, 120_000);

    it("reads the member's deployment tag and looks the old endpoint up before deciding", () => {
      expect(callsTo(build.calls, "aws", "eks", "describe-cluster")).toEqual([
        [
          "aws",
          "eks",
          "describe-cluster",
          "--region",
          "us-east-1",
          "--name",
          "demo-member-1",
          "--query",
          'cluster.tags."eks-karmada-orchestrator/deployment"',
          "--output",
          "text",
        ],
      ]);
      expect(callsTo(build.calls, "getent")).toEqual([["getent", "hosts", OLD_HOST]]);
    });

    it("unjoins the stale registration, then joins the member again with the usual command line", () => {
      expect(build.status).toBe("SUCCEEDED");
      const karmadaKubeconfig = flagValue(registrations(build.calls)[0], "--kubeconfig") ?? "";
      expect(karmadaKubeconfig.startsWith(`${build.tmpdir}/`)).toBe(true);
      expect(registrations(build.calls)).toEqual([
        ["kubectl", "karmada", "unjoin", "member-1", "--kubeconfig", karmadaKubeconfig, "--force", "--wait", "2m"],
        [
          "kubectl",
          "karmada",
          "join",
          "member-1",
          "--kubeconfig",
          karmadaKubeconfig,
          "--cluster-kubeconfig",
          join(build.tmpdir, "karmada-build", "member.kubeconfig"),
          "--cluster-context",
          "member-1",
        ],
      ]);
    });

    it("leaves the member registered at its new endpoint and Ready", () => {
      expect(cloud.cluster("member-1")).toBe(`True|${MEMBER_SERVER}||`);
      expect(build.phases.post_build.stdout).toContain("Karmada reports member-1 Ready");
    });

    it("says what it does and why, without printing the Karmada kubeconfig", () => {
      expect(build.phases.pre_build.stdout).toContain(
        `the registration is stale (${OLD_HOST} no longer resolves and EKS cluster demo-member-1 (tagged eks-karmada-orchestrator/deployment=demo) now serves another endpoint: it was deleted and re-created): build unjoins it, then joins demo-member-1 again`,
      );
      expect(build.phases.build.stdout).toContain("unjoining the stale registration of member-1 from Karmada");
      expect(build.output).not.toContain(SECRET_MARKER);
      expect(filesContaining(build.tmpdir, SECRET_MARKER)).toEqual([]);
    });

    it("converges: the next build finds the member joined and Ready", () => {
      const rerun = runBuild(spec, cloud, ENV, { memberOwner: "demo" });

      expect(rerun.status).toBe("SUCCEEDED");
      expect(registrations(rerun.calls)).toEqual([]);
      expect(rerun.phases.pre_build.stdout).toContain("member-1 is already joined and Ready: nothing to do");
    });
  });

  it.each([
    ["untagged", undefined, "(tag: None)"],
    ["tagged by another deployment", "other", "(tag: other)"],
  ])("refuses, without unjoining, when the member's EKS cluster is %s", (_, memberOwner, tag) => {
    const cloud = staleCloud();

    const build = runBuild(spec, cloud, ENV, { memberOwner });

    expect(build.status).toBe("FAILED");
    expect(build.phases.pre_build.stderr).toContain(
      `Karmada cluster member-1 is registered with API endpoint ${OLD_SERVER}, but EKS cluster demo-member-1 serves ${MEMBER_SERVER}, and demo-member-1 is not tagged eks-karmada-orchestrator/deployment=demo ${tag}: it is not ours, refusing to replace the registration`,
    );
    expect(registrations(build.calls)).toEqual([]);
    expect(cloud.cluster("member-1")).toContain(OLD_SERVER);
  });

  it.each([
    [
      "still resolves (another cluster may answer there)",
      OLD_SERVER,
      [OLD_HOST],
      `registered with API endpoint ${OLD_SERVER}, which still resolves`,
    ],
    [
      "is an EKS endpoint of another region",
      "https://0ld0ld0ld.gr7.eu-west-1.eks.amazonaws.com",
      [],
      "which is not an EKS endpoint in us-east-1",
    ],
    ["is not an EKS endpoint", "https://10.0.0.12:6443", [], "which is not an EKS endpoint in us-east-1"],
  ])("refuses, without unjoining, a registration of ours whose endpoint %s", (_, endpoint, resolves, message) => {
    const cloud = staleCloud(endpoint);

    const build = runBuild(spec, cloud, ENV, { memberOwner: "demo", resolves });

    expect(build.status).toBe("FAILED");
    expect(build.phases.pre_build.stderr).toContain(message);
    expect(build.phases.pre_build.stderr).toContain("refusing to replace it");
    expect(registrations(build.calls)).toEqual([]);
    expect(cloud.cluster("member-1")).toContain(endpoint);
  });
});

describe("karmada-join when it cannot proceed", { timeout: 120_000 }, () => {
  it("fails after a bounded wait when the member never becomes Ready after joining", () => {
    const cloud = initializedCloud();

    const build = runBuild(spec, cloud, ENV, { joinedReady: false });

    expect(build.status).toBe("FAILED");
    expect(karmadaJoins(build.calls)).toHaveLength(1);
    expect(build.phases.post_build.stderr).toContain("Karmada cluster member-1 is not Ready after 300 s");
  });

  it("stops with a clear message when the Karmada kubeconfig is not in Secrets Manager", () => {
    const build = runBuild(spec, new FakeCloud(), ENV);

    expect(build.status).toBe("FAILED");
    expect(build.phases.pre_build.stderr).toContain(
      `could not read the Karmada kubeconfig from Secrets Manager secret ${ENV.KUBECONFIG_SECRET} in eu-west-1 (did KarmadaInit succeed?)`,
    );
    expect(karmadaJoins(build.calls)).toEqual([]);
  });

  it("stops with a clear message when the Karmada API cannot be reached", () => {
    const build = runBuild(spec, initializedCloud(), ENV, { karmadaUnreachable: true });

    expect(build.status).toBe("FAILED");
    expect(build.phases.pre_build.stderr).toContain("could not ask Karmada about cluster member-1");
    expect(build.output).not.toContain(SECRET_MARKER);
  });

  it.each([
    ["Member_1", "MEMBER_NAME 'Member_1' is not a Karmada cluster name"],
    ["m".repeat(49), "is not a Karmada cluster name (DNS-1123 label, at most 48 characters)"],
    ["", "environment variable MEMBER_NAME is required"],
  ])("rejects MEMBER_NAME=%j before downloading anything", (memberName, message) => {
    const build = runBuild(spec, initializedCloud(), { ...ENV, MEMBER_NAME: memberName });

    expect(build.status).toBe("FAILED");
    expect(build.phases.install.stderr).toContain(message);
    expect(callsTo(build.calls, "curl")).toEqual([]);
  });

  it("fails the build when a download does not match its pinned checksum", () => {
    const build = runBuild(spec, initializedCloud(), ENV, { sha256: { kubectlKarmada: "f".repeat(64) } });

    expect(build.status).toBe("FAILED");
    expect(build.phases.install.stderr).toContain("checksum mismatch for kubectl-karmada v1.18.2");
    expect(build.phases.pre_build.status).toBe("SKIPPED");
  });
});
