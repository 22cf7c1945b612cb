import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { KARMADA_RELEASES, SUPPORTED_KARMADA_VERSIONS } from "../../functions/lib/karmada-versions.js";
import {
  type BuildResult,
  callsTo,
  FAKE_MODULE,
  FakeCloud,
  filesContaining,
  flagValue,
  loadBuildspec,
  MODULE_WITHOUT_PATCHES,
  runBuild,
  SECRET_MARKER,
  TAMPERED_MODULE,
  TEST_RELEASES,
} from "./harness.js";

const spec = loadBuildspec("karmada-init", { releases: TEST_RELEASES });

const ENV = {
  DEPLOYMENT_NAME: "demo",
  CLUSTER_REGION: "eu-west-1",
  CLUSTER_NAME: "demo-parent",
  KARMADA_VERSION: "v1.18.2",
  APISERVER_REPLICAS: "3",
  ETCD_REPLICAS: "3",
  CERT_VALIDITY_DAYS: "365",
  NLB_HOSTNAME: "karmada-0123456789.elb.eu-west-1.amazonaws.com",
  NLB_IPV4: "203.0.113.10",
  SECRETS_REGION: "eu-west-1",
  KUBECONFIG_SECRET: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
  PKI_SECRET: "eks-karmada-orchestrator/demo/karmada-pki",
  SECRETS_KMS_KEY_ID: "arn:aws:kms:eu-west-1:111122223333:key/0000-1111",
};

const HEALTHY_PODS = [
  "etcd True",
  "etcd True",
  "etcd True",
  "karmada-apiserver True",
  "karmada-apiserver True",
  "karmada-apiserver True",
  "karmada-aggregated-apiserver True",
  "karmada-controller-manager True",
  "karmada-scheduler True",
  "karmada-webhook True",
  "kube-controller-manager True",
];

const karmadaInits = (calls: string[][]) => callsTo(calls, "kubectl", "karmada", "init");
const secretWrites = (calls: string[][]) =>
  calls.filter((call) => call[0] === "aws" && ["create-secret", "put-secret-value"].includes(call[2] ?? ""));

/** A cloud where a previous build initialized Karmada and stored its secrets. */
function initializedCloud(): FakeCloud {
  const cloud = new FakeCloud();
  expect(runBuild(spec, cloud, ENV).status).toBe("SUCCEEDED");
  return cloud;
}

describe("karmada-init install phase", { timeout: 120_000 }, () => {
  it.each([
    ["kubectl", { kubectl: "f".repeat(64) }, `checksum mismatch for kubectl ${spec.pins.kubectlVersion}`],
    ["kubectl-karmada", { kubectlKarmada: "f".repeat(64) }, "checksum mismatch for kubectl-karmada v1.18.2"],
  ])("fails the build when the %s download does not match its pinned checksum", (_, sha256, message) => {
    const cloud = new FakeCloud();

    const build = runBuild(spec, cloud, ENV, { sha256 });

    expect(build.status).toBe("FAILED");
    expect(build.phases.install.stderr).toContain(message);
    expect(build.phases.pre_build.status).toBe("SKIPPED");
    expect(callsTo(build.calls, "aws", "eks")).toEqual([]);
  });

  it("installs the kubectl and kubectl-karmada the version table pins for KARMADA_VERSION", () => {
    const deployed = loadBuildspec("karmada-init");
    const install = deployed.phases.install.join("\n");
    const release = KARMADA_RELEASES.find((r) => r.version === "v1.18.2");

    expect(install).toContain(`[v1.18.2]="${release?.kubectlKarmadaSha256.linuxAmd64}"`);
    expect(install).toContain(`[v1.18.2]="${release?.kubectl.version}"`);
    expect(install).toContain(`[v1.18.2]="${release?.kubectl.sha256.linuxAmd64}"`);
    expect(install).toContain(`[v1.18.2]="${release?.goModuleH1}"`);
  });

  it("refuses a Karmada version the version table has no row for, listing the supported ones, before downloading anything", () => {
    const build = runBuild(spec, new FakeCloud(), { ...ENV, KARMADA_VERSION: "v1.19.0" });

    expect(build.status).toBe("FAILED");
    expect(build.phases.install.stderr).toContain(
      `KARMADA_VERSION v1.19.0 is not a supported Karmada version (supported: ${SUPPORTED_KARMADA_VERSIONS.join(" ")})`,
    );
    expect(callsTo(build.calls, "curl")).toEqual([]);
  });

  it("fails closed when deployed without its pins (the committed text, not rendered by sst.config.ts)", () => {
    const unrendered = loadBuildspec("karmada-init", { releases: null });

    const build = runBuild(unrendered, new FakeCloud(), ENV);

    expect(build.status).toBe("FAILED");
    expect(build.phases.install.stderr).toContain("this buildspec carries no pins");
    expect(callsTo(build.calls, "curl")).toEqual([]);
  });

  it.each([
    [
      "the kubectl-karmada sha256",
      /(KUBECTL_KARMADA_SHA256=\(\[v1\.18\.2\]=)"[^"]*"/,
      "the pinned sha256 of kubectl-karmada v1.18.2 is ''",
    ],
    ["the kubectl sha256", /(KUBECTL_SHA256=\(\[v1\.18\.2\]=)"[^"]*"/, "the pinned sha256 of kubectl v1.35.2 is ''"],
    ["the kubectl version", /(KUBECTL_VERSIONS=\(\[v1\.18\.2\]=)"[^"]*"/, "has no valid kubectl version pin"],
    ["the Go module hash", /(KARMADA_MODULE_H1=\(\[v1\.18\.2\]=)"[^"]*"/, "has no valid Go module hash pin"],
  ])("fails closed when %s of the version is missing, before downloading anything", (_, pin, message) => {
    const broken = loadBuildspec("karmada-init", { releases: TEST_RELEASES });
    broken.phases.install = broken.phases.install.map((command) => command.replace(pin, '$1""'));

    const build = runBuild(broken, new FakeCloud(), ENV, { sha256: { kubectlKarmada: "", kubectl: "" } });

    expect(build.status).toBe("FAILED");
    expect(build.phases.install.stderr).toContain(message);
    expect(callsTo(build.calls, "curl")).toEqual([]);
  });

  it("fails the build when the Karmada Go module (the CRDs' source) does not match its pinned h1 hash", () => {
    const cloud = new FakeCloud();

    const build = runBuild(spec, cloud, ENV, { moduleZip: TAMPERED_MODULE.zip });

    expect(build.status).toBe("FAILED");
    expect(build.phases.install.stderr).toContain(
      `checksum mismatch for Go module github.com/karmada-io/karmada@v1.18.2: expected ${FAKE_MODULE.h1}, got ${TAMPERED_MODULE.h1}`,
    );
    expect(build.phases.pre_build.status).toBe("SKIPPED");
    expect(karmadaInits(cloud.calls())).toEqual([]);
  });

  it("refuses a verified module that lacks the CRD layout init needs (crds/bases and crds/patches)", () => {
    const pinned = TEST_RELEASES.map((r) => ({ ...r, goModuleH1: MODULE_WITHOUT_PATCHES.h1 }));
    const cloud = new FakeCloud();

    const build = runBuild(loadBuildspec("karmada-init", { releases: pinned }), cloud, ENV, {
      moduleZip: MODULE_WITHOUT_PATCHES.zip,
    });

    expect(build.status).toBe("FAILED");
    expect(build.phases.install.stderr).toContain(
      "the Go module github.com/karmada-io/karmada@v1.18.2 has no charts/karmada/_crds/bases and _crds/patches",
    );
    expect(karmadaInits(cloud.calls())).toEqual([]);
  });

  it("never downloads the release's crds.tar.gz, which has no checksum", () => {
    const build = runBuild(spec, new FakeCloud(), ENV);

    expect(build.status).toBe("SUCCEEDED");
    expect(callsTo(build.calls, "curl").map((call) => call.at(-1))).not.toContainEqual(
      expect.stringContaining("crds.tar.gz"),
    );
  });

  it("refuses to run on a machine that is not linux/amd64, the only platform pinned", () => {
    const build = runBuild(spec, new FakeCloud(), ENV, { machine: "aarch64" });

    expect(build.status).toBe("FAILED");
    expect(build.phases.install.stderr).toContain("the pinned binaries are linux/amd64; this build runs on aarch64");
    expect(callsTo(build.calls, "curl")).toEqual([]);
  });

  it.each([
    ["NLB_IPV4", "karmada.example.com", "NLB_IPV4 'karmada.example.com' is not an IPv4 address"],
    ["APISERVER_REPLICAS", "0", "APISERVER_REPLICAS '0' is not a positive integer"],
    ["ETCD_REPLICAS", "three", "ETCD_REPLICAS 'three' is not a positive integer"],
    ["CERT_VALIDITY_DAYS", "8760h", "CERT_VALIDITY_DAYS '8760h' is not a whole number of days from 1 to 3650"],
    ["CERT_VALIDITY_DAYS", "3651", "CERT_VALIDITY_DAYS '3651' is not a whole number of days from 1 to 3650"],
    ["CERT_VALIDITY_DAYS", "", "environment variable CERT_VALIDITY_DAYS is required"],
    ["SECRETS_KMS_KEY_ID", "", "environment variable SECRETS_KMS_KEY_ID is required"],
    ["PKI_SECRET", "", "environment variable PKI_SECRET is required"],
  ])("rejects %s=%j before downloading anything", (variable, value, message) => {
    const build = runBuild(spec, new FakeCloud(), { ...ENV, [variable]: value });

    expect(build.status).toBe("FAILED");
    expect(build.phases.install.stderr).toContain(message);
    expect(callsTo(build.calls, "curl")).toEqual([]);
  });
});

describe("karmada-init on a parent without Karmada", { timeout: 120_000 }, () => {
  // One build, inspected by every test of this group.
  let cloud: FakeCloud;
  let fresh: BuildResult;
  beforeAll(() => {
    cloud = new FakeCloud();
    fresh = runBuild(spec, cloud, ENV);
  }, 120_000);

  it("downloads kubectl, kubectl-karmada and the Karmada Go module from their release URLs and verifies each", () => {
    expect(fresh.phases.install.status).toBe("SUCCEEDED");
    expect(callsTo(fresh.calls, "curl").map((call) => call.at(-1))).toEqual([
      `https://dl.k8s.io/release/${spec.pins.kubectlVersion}/bin/linux/amd64/kubectl`,
      "https://github.com/karmada-io/karmada/releases/download/v1.18.2/kubectl-karmada-linux-amd64.tgz",
      "https://proxy.golang.org/github.com/karmada-io/karmada/@v/v1.18.2.zip",
    ]);
    expect(callsTo(fresh.calls, "sha256sum").map((call) => call[1]?.split("/").at(-1))).toEqual([
      "kubectl",
      "kubectl-karmada-linux-amd64.tgz",
      "--",
    ]);
    expect(fresh.output).toContain("CRDs of Karmada v1.18.2 verified against the Go checksum database");
  });

  it("gives init a local CRD archive of the verified module's charts/karmada/_crds, laid out as the release's", () => {
    const init = karmadaInits(fresh.calls)[0];
    expect(flagValue(init, "--crds")).toBe(join(fresh.tmpdir, "karmada-build", "crds.tar.gz"));
    const crds = FAKE_MODULE.files
      .filter((file) => file.includes("/charts/karmada/_crds/"))
      .map((file) => `crds/${file.split("/charts/karmada/_crds/")[1]}`);
    const listing = cloud.crdsListing();
    expect(listing.filter((entry) => !entry.endsWith("/")).sort()).toEqual(crds.sort());
    expect(listing).toEqual(expect.arrayContaining(["crds/", "crds/bases/", "crds/patches/"]));
    expect(listing.every((entry) => entry.startsWith("crds/"))).toBe(true);
  });

  it("issues the certificates for CERT_VALIDITY_DAYS and records their expiry as a tag of the kubeconfig secret", () => {
    const init = karmadaInits(fresh.calls)[0];
    expect(flagValue(init, "--cert-validity-period")).toBe("8760h");
    const expiry = cloud.secret(ENV.KUBECONFIG_SECRET)?.tags?.[
      "eks-karmada-orchestrator/karmada-certificates-not-after"
    ];
    expect(expiry).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const days = (Date.parse(expiry ?? "") - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThanOrEqual(365);
  });

  it("reads the parent's kubeconfig with aws eks update-kubeconfig into the build's state directory", () => {
    expect(callsTo(fresh.calls, "aws", "eks", "update-kubeconfig")).toEqual([
      [
        "aws",
        "eks",
        "update-kubeconfig",
        "--region",
        "eu-west-1",
        "--name",
        "demo-parent",
        "--kubeconfig",
        join(fresh.tmpdir, "karmada-build", "parent.kubeconfig"),
      ],
    ]);
  });

  it("runs kubectl karmada init once with the HA flags, the NLB address and a private temp dir", () => {
    expect(fresh.status).toBe("SUCCEEDED");
    const inits = karmadaInits(fresh.calls);
    expect(inits).toHaveLength(1);
    const work = flagValue(inits[0], "--karmada-data")?.replace(/\/karmada-data$/, "") ?? "";
    expect(work.startsWith(`${fresh.tmpdir}/`)).toBe(true);
    expect(inits[0]).toEqual([
      "kubectl",
      "karmada",
      "init",
      "--kubeconfig",
      join(fresh.tmpdir, "karmada-build", "parent.kubeconfig"),
      "--karmada-apiserver-advertise-address",
      "203.0.113.10",
      "--karmada-apiserver-replicas",
      "3",
      "--etcd-replicas",
      "3",
      "--etcd-storage-mode",
      "PVC",
      "--storage-classes-name",
      "ebs-sc",
      "--cert-external-dns",
      "*.elb.eu-west-1.amazonaws.com,karmada-0123456789.elb.eu-west-1.amazonaws.com",
      "--karmada-data",
      `${work}/karmada-data`,
      "--karmada-pki",
      `${work}/karmada-pki`,
      "--crds",
      join(fresh.tmpdir, "karmada-build", "crds.tar.gz"),
      "--cert-validity-period",
      "8760h",
      "--wait-component-ready-timeout",
      "300",
    ]);
  });

  it("stores the kubeconfig, pointed at the NLB on port 32443, with the KMS key and the deployment tags", () => {
    const secret = cloud.secret(ENV.KUBECONFIG_SECRET);
    expect(secret).toMatchObject({ owner: "demo", kmsKeyId: ENV.SECRETS_KMS_KEY_ID });
    expect(secret?.value).toContain(`server: https://${ENV.NLB_HOSTNAME}:32443`);
    expect(secret?.value).not.toContain(ENV.NLB_IPV4);
    expect(secret?.value).toContain(`client-key-data: ${SECRET_MARKER}`);
  });

  it("stores the PKI directory as a base64 tar.gz with the KMS key and the deployment tags", () => {
    const secret = cloud.secret(ENV.PKI_SECRET);
    expect(secret).toMatchObject({ owner: "demo", kmsKeyId: ENV.SECRETS_KMS_KEY_ID });
    const archive = join(cloud.root, "pki.tgz");
    writeFileSync(archive, Buffer.from(secret?.value ?? "", "base64"));
    const listing = spawnSync("tar", ["-tzf", archive], { encoding: "utf8" }).stdout.split("\n");
    expect(listing).toEqual(expect.arrayContaining(["karmada-pki/ca.crt", "karmada-pki/ca.key"]));
  });

  it("creates both secrets with their values passed as file:// paths and tagged for the deployment", () => {
    const writes = secretWrites(fresh.calls);
    expect(writes.map((call) => call[2])).toEqual(["create-secret", "create-secret"]);
    for (const call of writes) {
      expect(flagValue(call, "--secret-string")).toMatch(/^file:\/\//);
      expect(call).toEqual(
        expect.arrayContaining([
          "--kms-key-id",
          ENV.SECRETS_KMS_KEY_ID,
          "Key=eks-karmada-orchestrator/deployment,Value=demo",
          "Key=managed-by,Value=eks-karmada-orchestrator",
        ]),
      );
    }
  });

  it("never puts a secret on a command line or in the build output", () => {
    expect(fresh.status).toBe("SUCCEEDED");
    expect(fresh.output).not.toContain(SECRET_MARKER);
    expect(fresh.calls.flat().join(" ")).not.toContain(SECRET_MARKER);
  });

  it("leaves no kubeconfig or private key on disk once they are stored", () => {
    expect(filesContaining(fresh.tmpdir, SECRET_MARKER)).toEqual([]);
    const work = flagValue(karmadaInits(fresh.calls)[0], "--karmada-data")?.replace(/\/karmada-data$/, "") ?? "";
    expect(work).not.toBe("");
    expect(existsSync(work)).toBe(false);
  });

  it("checks that the control plane is healthy after init", () => {
    expect(fresh.phases.post_build.stdout).toContain("Karmada control plane on demo-parent is healthy");
  });
});

describe("karmada-init on a parent where Karmada already runs", { timeout: 120_000 }, () => {
  it("does not run init again when Karmada is healthy and its secrets are stored", () => {
    const cloud = initializedCloud();

    const build = runBuild(spec, cloud, ENV);

    expect(build.status).toBe("SUCCEEDED");
    expect(karmadaInits(build.calls)).toEqual([]);
    expect(secretWrites(build.calls)).toEqual([]);
    expect(build.phases.pre_build.stdout).toContain("nothing to do");
  });

  it("waits for the components instead of re-initializing when Karmada is installed but still starting", () => {
    const cloud = initializedCloud();

    const build = runBuild(spec, cloud, ENV, { podsNotReadyPolls: 3 });

    expect(build.status).toBe("SUCCEEDED");
    expect(karmadaInits(build.calls)).toEqual([]);
    expect(build.phases.pre_build.stdout).toContain("post_build waits for it");
    expect(callsTo(build.calls, "sleep")).toEqual([
      ["sleep", "20"],
      ["sleep", "20"],
    ]);
  });

  it("fails after a bounded wait, naming each component that is short of Ready pods", () => {
    const cloud = initializedCloud();
    cloud.seedKarmada({
      pods: HEALTHY_PODS.filter((pod) => pod !== "karmada-webhook True").map((pod, i) =>
        i < 2 ? pod.replace("True", "False") : pod,
      ),
    });

    const build = runBuild(spec, cloud, ENV);

    expect(build.status).toBe("FAILED");
    expect(build.phases.post_build.status).toBe("FAILED");
    expect(build.phases.post_build.stderr).toContain(
      "Karmada control plane on demo-parent is not healthy after 600 s: etcd: 1/3 Ready; karmada-webhook: 0/1 Ready",
    );
    expect(callsTo(build.calls, "sleep")).toHaveLength(29);
  });

  it("adds a new version to its own secrets when Karmada is installed afresh (a re-created parent)", () => {
    const cloud = new FakeCloud();
    cloud.seedSecret(ENV.KUBECONFIG_SECRET, { value: "old", owner: "demo" });
    cloud.seedSecret(ENV.PKI_SECRET, { value: "old", owner: "demo" });

    const build = runBuild(spec, cloud, ENV);

    expect(build.status).toBe("SUCCEEDED");
    expect(secretWrites(build.calls).map((call) => call[2])).toEqual(["put-secret-value", "put-secret-value"]);
    expect(cloud.secret(ENV.KUBECONFIG_SECRET)?.value).toContain(ENV.NLB_HOSTNAME);
  });

  it("restores its own secret scheduled for deletion before storing the new value", () => {
    const cloud = new FakeCloud();
    cloud.seedSecret(ENV.KUBECONFIG_SECRET, { value: "old", owner: "demo", deleted: "2025-01-01T00:00:00Z" });

    const build = runBuild(spec, cloud, ENV);

    expect(build.status).toBe("SUCCEEDED");
    expect(callsTo(build.calls, "aws", "secretsmanager", "restore-secret")).toHaveLength(1);
    expect(cloud.secret(ENV.KUBECONFIG_SECRET)).toMatchObject({ deleted: undefined });
    expect(cloud.secret(ENV.KUBECONFIG_SECRET)?.value).toContain(ENV.NLB_HOSTNAME);
  });
});

describe("karmada-init when it cannot proceed safely", { timeout: 120_000 }, () => {
  it("stops before init when a secret of that name belongs to another deployment", () => {
    const cloud = new FakeCloud();
    cloud.seedSecret(ENV.PKI_SECRET, { value: "theirs", owner: "other" });

    const build = runBuild(spec, cloud, ENV);

    expect(build.status).toBe("FAILED");
    expect(build.phases.pre_build.stderr).toContain(
      `secret ${ENV.PKI_SECRET} exists in eu-west-1 but is not tagged eks-karmada-orchestrator/deployment=demo`,
    );
    expect(karmadaInits(build.calls)).toEqual([]);
    expect(cloud.secret(ENV.PKI_SECRET)?.value).toBe("theirs");
  });

  it("stops on a partial install, naming the missing components", () => {
    const cloud = new FakeCloud();
    cloud.seedKarmada({ workloads: ["etcd", "karmada-apiserver"], pods: HEALTHY_PODS.slice(0, 6) });

    const build = runBuild(spec, cloud, ENV);

    expect(build.status).toBe("FAILED");
    expect(build.phases.pre_build.stderr).toContain(
      "Karmada is only partly installed on demo-parent (missing: karmada-aggregated-apiserver; kube-controller-manager; karmada-scheduler; karmada-controller-manager; karmada-webhook)",
    );
    expect(karmadaInits(build.calls)).toEqual([]);
  });

  it("stops when Karmada is installed but its credentials were never stored", () => {
    const cloud = new FakeCloud();
    cloud.seedKarmada({ pods: HEALTHY_PODS });

    const build = runBuild(spec, cloud, ENV);

    expect(build.status).toBe("FAILED");
    expect(build.phases.pre_build.stderr).toContain(
      `Karmada is installed on demo-parent but its credentials are not stored (${ENV.KUBECONFIG_SECRET}: absent, ${ENV.PKI_SECRET}: absent)`,
    );
    expect(karmadaInits(build.calls)).toEqual([]);
  });

  it("reports a Secrets Manager error instead of guessing the secret's state", () => {
    const build = runBuild(spec, new FakeCloud(), ENV, { describeError: "AccessDeniedException" });

    expect(build.status).toBe("FAILED");
    expect(build.phases.pre_build.stderr).toContain("AccessDeniedException");
    expect(build.phases.pre_build.stderr).toContain(
      `could not describe Secrets Manager secret ${ENV.KUBECONFIG_SECRET}`,
    );
    expect(karmadaInits(build.calls)).toEqual([]);
  });
});

describe("karmada-init when kubectl karmada init fails", { timeout: 120_000 }, () => {
  it("fails without storing anything when init fails before writing credentials", () => {
    const cloud = new FakeCloud();

    const build = runBuild(spec, cloud, ENV, { initResult: "fail-early" });

    expect(build.status).toBe("FAILED");
    expect(build.phases.build.stderr).toContain(
      "kubectl karmada init exited with status 1 (see its output above) before generating credentials; nothing was stored",
    );
    expect(secretWrites(build.calls)).toEqual([]);
  });

  it("fails when init reports success but leaves no kubeconfig or PKI behind", () => {
    const build = runBuild(spec, new FakeCloud(), ENV, { initResult: "no-credentials" });

    expect(build.status).toBe("FAILED");
    expect(build.phases.build.stderr).toContain("kubectl karmada init reported success but left no kubeconfig");
    expect(secretWrites(build.calls)).toEqual([]);
  });

  it("stores the credentials it wrote, so the next build waits for the components instead of re-initializing", () => {
    const cloud = new FakeCloud();

    const failed = runBuild(spec, cloud, ENV, { initResult: "fail-late" });

    expect(failed.status).toBe("FAILED");
    expect(failed.phases.build.stderr).toContain("The kubeconfig and PKI it generated are stored");
    expect(failed.phases.post_build).toMatchObject({ status: "SUCCEEDED" });
    expect(failed.phases.post_build.stdout).toContain("karmada-system pods for diagnosis");
    expect(failed.output).not.toContain(SECRET_MARKER);
    expect(cloud.secret(ENV.KUBECONFIG_SECRET)?.value).toContain(`https://${ENV.NLB_HOSTNAME}:32443`);
    expect(cloud.secret(ENV.PKI_SECRET)).toBeDefined();

    cloud.seedKarmada({ pods: HEALTHY_PODS });
    const rerun = runBuild(spec, cloud, ENV);

    expect(rerun.status).toBe("SUCCEEDED");
    expect(karmadaInits(rerun.calls)).toEqual([]);
  });
});
