import { describe, expect, it } from "vitest";
import { callsTo, FakeCloud, flagValue, loadBuildspec, runBuild, SECRET_MARKER } from "./harness.js";

const spec = loadBuildspec("karmada-unjoin");

const ENV = {
  DEPLOYMENT_NAME: "demo",
  CLUSTER_REGION: "us-east-1",
  CLUSTER_NAME: "demo-member-2",
  MEMBER_NAME: "member-2",
  KARMADA_VERSION: "v1.18.2",
  SECRETS_REGION: "eu-west-1",
  KUBECONFIG_SECRET: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
};
const MEMBER_SERVER = "https://demo-member-2.gr7.us-east-1.eks.amazonaws.com";
const KARMADA_KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    server: https://karmada-0123456789.elb.eu-west-1.amazonaws.com:32443
  name: karmada-apiserver
users:
- name: karmada-admin
  user:
    client-key-data: ${SECRET_MARKER}
`;

function cloudWith(syncMode: "Push" | "Pull"): FakeCloud {
  const cloud = new FakeCloud();
  cloud.seedSecret(ENV.KUBECONFIG_SECRET, { value: KARMADA_KUBECONFIG, owner: "demo" });
  cloud.seedCluster("member-2", { ready: "True", endpoint: MEMBER_SERVER, syncMode });
  if (syncMode === "Pull") cloud.seedMemberAgent("member-2");
  return cloud;
}

describe("karmada-unjoin removes a member in the mode Karmada registered it in", { timeout: 120_000 }, () => {
  it("unjoins a push member with its member-side cleanup", () => {
    const cloud = cloudWith("Push");
    const build = runBuild(spec, cloud, ENV, { memberOwner: "demo" });
    expect(build.status).toBe("SUCCEEDED");
    expect(callsTo(build.calls, "kubectl", "karmada", "unjoin")).toHaveLength(1);
    expect(callsTo(build.calls, "kubectl", "karmada", "unregister")).toEqual([]);
    expect(cloud.cluster("member-2")).toBeUndefined();
  });

  it("unregisters a pull member: Karmada forgets it and its agent leaves the member", () => {
    const cloud = cloudWith("Pull");
    const build = runBuild(spec, cloud, ENV, { memberOwner: "demo" });
    expect(build.status).toBe("SUCCEEDED");
    expect(callsTo(build.calls, "kubectl", "karmada", "unjoin")).toEqual([]);
    const [unregister] = callsTo(build.calls, "kubectl", "karmada", "unregister");
    expect(unregister?.[3]).toBe("member-2");
    expect(flagValue(unregister, "--cluster-context")).toBe("member-2");
    expect(flagValue(unregister, "--karmada-config")?.startsWith(`${build.tmpdir}/`)).toBe(true);
    expect(cloud.cluster("member-2")).toBeUndefined();
    expect(cloud.memberAgent()).toBe(false);
    expect(build.output).not.toContain(SECRET_MARKER);
  });

  it("removes only the registration and the agent's RBAC on Karmada of a pull member whose cluster is gone", () => {
    const cloud = cloudWith("Pull");
    const build = runBuild(spec, cloud, ENV, { memberOwner: "absent" });
    expect(build.status).toBe("SUCCEEDED");
    expect(callsTo(build.calls, "kubectl", "karmada", "unregister")).toEqual([]);
    const deletes = build.calls.filter((c) => c[0] === "kubectl" && c.includes("delete"));
    expect(deletes.map((c) => c.slice(c.indexOf("delete") + 1, c.indexOf("delete") + 3))).toEqual([
      ["clusters.cluster.karmada.io", "member-2"],
      ["clusterrole,clusterrolebinding", "system:karmada:member-2:agent"],
      ["role,rolebinding", "-n"],
    ]);
    expect(cloud.cluster("member-2")).toBeUndefined();
  });

  it("skips a member Karmada does not know", () => {
    const cloud = new FakeCloud();
    cloud.seedSecret(ENV.KUBECONFIG_SECRET, { value: KARMADA_KUBECONFIG, owner: "demo" });
    const build = runBuild(spec, cloud, ENV, { memberOwner: "demo" });
    expect(build.status).toBe("SUCCEEDED");
    expect(build.phases.pre_build.stdout).toContain("nothing to unjoin");
  });
});
