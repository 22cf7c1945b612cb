/**
 * The teardown buildspecs (karmada-unjoin.yml, karmada-deinit.yml): the same shape, pins and names as the Deploy
 * buildspecs (loaded with test/buildspec/harness.ts), and run phase by phase — as CodeBuild runs them — against fake
 * tools (buildspec-stubs/, on top of the download stubs of test/buildspec/stubs) and a fake cloud kept in files.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEPLOYMENT_TAG, KARMADA_NAMESPACE } from "../../../functions/lib/names.js";
import { DEFAULT_KARMADA_VERSION } from "../../../functions/lib/plan.js";
import {
  type BuildspecName,
  callsTo,
  flagValue,
  loadBuildspec,
  PHASES,
  type PhaseName,
} from "../../buildspec/harness.js";

const NAMES = ["karmada-unjoin", "karmada-deinit"] as unknown as BuildspecName[];
const STUBS = resolve(import.meta.dirname, "buildspec-stubs");
const DOWNLOAD_STUBS = resolve(import.meta.dirname, "../../buildspec/stubs/bin");
const MARKER = "SECRET-MARKER-KARMADA-KEY";
const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
const withShellcheck = hasShellcheck || process.env.CI === "true" ? it : it.skip;

describe.each(NAMES)("%s buildspec", (name) => {
  const spec = loadBuildspec(name);

  it("is a version 0.2 bash buildspec with one `set -euo pipefail` block per phase", () => {
    expect(spec.doc.version).toBe(0.2);
    expect(spec.doc.env?.shell).toBe("bash");
    expect(Object.keys(spec.doc.phases).sort()).toEqual([...PHASES].sort());
    for (const phase of PHASES) {
      expect(spec.doc.phases[phase]?.commands, phase).toHaveLength(1);
      expect(spec.doc.phases[phase]?.commands[0], phase).toMatch(/^set -euo pipefail\n/);
    }
  });

  it("never traces commands and defaults KARMADA_VERSION to the plan's default", () => {
    expect(spec.text).not.toMatch(/set\s+-[a-z]*x|set\s+-o\s+xtrace|bash\s+-x/);
    expect(spec.doc.env?.variables?.KARMADA_VERSION).toBe(DEFAULT_KARMADA_VERSION);
  });

  it("installs kubectl and kubectl-karmada with exactly the pins of karmada-init.yml", () => {
    const init = loadBuildspec("karmada-init");
    expect(spec.pinBlock).not.toBe("");
    expect(spec.pinBlock).toBe(init.pinBlock);
    expect(spec.pins).toEqual(init.pins);
  });

  it("uses the names functions/lib/names.ts gives to tags and Kubernetes objects", () => {
    const constants = Object.fromEntries(
      [...spec.lib.matchAll(/^([A-Z_]+)="([^"\n]*)"$/gm)].map(([, key, value]) => [key, value]),
    );
    expect(constants.DEPLOYMENT_TAG).toBe(DEPLOYMENT_TAG);
    if (name === ("karmada-deinit" as BuildspecName)) expect(constants.KARMADA_NAMESPACE).toBe(KARMADA_NAMESPACE);
  });

  withShellcheck.each([...PHASES, "lib"] as const)("passes shellcheck (%s)", (part) => {
    const script = part === "lib" ? spec.lib : spec.phases[part as PhaseName].join("\n");
    const run = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: script, encoding: "utf8" });
    expect(run.stdout + run.stderr).toBe("");
  });
});

// ---------------------------------------------------------------------------------------------- running them

interface Build {
  status: "SUCCEEDED" | "FAILED";
  failedPhase?: PhaseName;
  output: string;
  calls: string[][];
}

/** A fake cloud in files, and a runner that runs a buildspec's phases like CodeBuild does. */
class Cloud {
  readonly root = mkdtempSync(join(tmpdir(), "teardown-buildspec-"));
  readonly state = join(this.root, "state");
  readonly log = join(this.root, "calls.log");

  constructor() {
    for (const dir of ["eks", "karmada/clusters", "parent", "counters"])
      mkdirSync(join(this.state, dir), { recursive: true });
    writeFileSync(this.log, "");
  }
  eksCluster(name: string, owner = "demo") {
    writeFileSync(join(this.state, "eks", name), `${owner}\n`);
  }
  joined(member: string) {
    writeFileSync(join(this.state, "karmada", "clusters", member), "");
  }
  isJoined = (member: string) => existsSync(join(this.state, "karmada", "clusters", member));
  /** karmada-system as `kubectl karmada init` leaves it, plus our LoadBalancer Service unless it was deleted. */
  karmadaInstalled(options: { loadBalancerService?: boolean; phase?: "Active" | "Terminating" } = {}) {
    writeFileSync(join(this.state, "parent", "namespace"), options.phase ?? "Active");
    const objects = [
      ...KARMADA_OBJECTS,
      ...(options.loadBalancerService ? ["service karmada-service-loadbalancer -"] : []),
    ];
    writeFileSync(join(this.state, "parent", "objects"), objects.map((o) => `${o}\n`).join(""));
  }
  namespace = () => {
    const file = join(this.state, "parent", "namespace");
    return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
  };
  objectsLeft = () => {
    const file = join(this.state, "parent", "objects");
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  };
  volumes(lines: string[]) {
    writeFileSync(join(this.state, "parent", "pvs"), lines.map((l) => `${l}\n`).join(""));
  }
  volumesLeft = () => readFileSync(join(this.state, "parent", "pvs"), "utf8").trim();

  run(name: string, variables: Record<string, string>, options: { unrendered?: boolean } = {}): Build {
    const spec = loadBuildspec(name as BuildspecName, options.unrendered ? { releases: null } : {});
    const container = mkdtempSync(join(this.root, "build-"));
    const karmadaVersion = variables.KARMADA_VERSION ?? DEFAULT_KARMADA_VERSION;
    const env: Record<string, string> = {
      PATH: `${STUBS}/bin:${DOWNLOAD_STUBS}:/usr/local/bin:/usr/bin:/bin`,
      HOME: container,
      TMPDIR: container,
      LANG: "C.UTF-8",
      STUB_DIR: STUBS,
      STUB_STATE: this.state,
      STUB_LOG: this.log,
      STUB_SECRET_MARKER: MARKER,
      STUB_SHA256_KUBECTL: spec.pins.kubectlSha256,
      STUB_SHA256_KUBECTL_KARMADA: spec.pins.kubectlKarmada[karmadaVersion] ?? "",
      KARMADA_VERSION: DEFAULT_KARMADA_VERSION,
      ...variables,
      CODEBUILD_BUILD_SUCCEEDING: "1",
    };
    const before = this.calls().length;
    let output = "";
    let failedPhase: PhaseName | undefined;
    for (const phase of PHASES) {
      if (failedPhase && failedPhase !== "build") break;
      const run = spawnSync("bash", ["-c", spec.phases[phase].join("\n")], { env, encoding: "utf8", timeout: 15_000 });
      output += run.stdout + run.stderr;
      if (run.status !== 0 && !failedPhase) {
        failedPhase = phase;
        env.CODEBUILD_BUILD_SUCCEEDING = "0";
      }
    }
    return {
      status: failedPhase ? "FAILED" : "SUCCEEDED",
      ...(failedPhase ? { failedPhase } : {}),
      output,
      calls: this.calls().slice(before),
    };
  }

  calls(): string[][] {
    return readFileSync(this.log, "utf8")
      .split("\x1e")
      .filter(Boolean)
      .map((r) => r.split("\x1f").slice(0, -1));
  }
}

let cloud: Cloud | undefined;
const track = (c: Cloud) => {
  cloud = c;
};
afterEach(() => {
  if (cloud) rmSync(cloud.root, { recursive: true, force: true });
  cloud = undefined;
});

const UNJOIN = {
  DEPLOYMENT_NAME: "demo",
  MEMBER_NAME: "member-1",
  CLUSTER_NAME: "demo-member-1",
  CLUSTER_REGION: "eu-west-1",
  SECRETS_REGION: "eu-central-1",
  KUBECONFIG_SECRET: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
};

describe("karmada-unjoin", () => {
  it("unjoins a joined member, cleaning the member side too, and checks Karmada let it go", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-member-1");
    cloud.joined("member-1");

    const build = cloud.run("karmada-unjoin", UNJOIN);

    expect(build.status).toBe("SUCCEEDED");
    const [unjoin] = callsTo(build.calls, "kubectl-karmada", "unjoin", "member-1");
    expect(flagValue(unjoin, "--cluster-context")).toBe("member-1");
    expect(unjoin).toContain("--force");
    expect(flagValue(unjoin, "--wait")).toBe("2m");
    expect(cloud.isJoined("member-1")).toBe(false);
    expect(build.output).not.toContain(MARKER);
  });

  it("skips a member Karmada does not know (a re-run)", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-member-1");

    const build = cloud.run("karmada-unjoin", UNJOIN);

    expect(build.status).toBe("SUCCEEDED");
    expect(callsTo(build.calls, "kubectl-karmada", "unjoin")).toEqual([]);
    expect(build.output).toContain("nothing to unjoin");
  });

  it("removes only the registration when the member cluster is already gone", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.joined("member-1");

    const build = cloud.run("karmada-unjoin", UNJOIN);

    expect(build.status).toBe("SUCCEEDED");
    const [unjoin] = callsTo(build.calls, "kubectl-karmada", "unjoin", "member-1");
    expect(unjoin).not.toContain("--cluster-kubeconfig");
  });

  it("refuses to touch a member cluster that is not ours", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-member-1", "None");
    cloud.joined("member-1");

    const build = cloud.run("karmada-unjoin", UNJOIN);

    expect(build).toMatchObject({ status: "FAILED", failedPhase: "pre_build" });
    expect(build.output).toContain("is not ours");
    expect(callsTo(build.calls, "kubectl-karmada", "unjoin")).toEqual([]);
    expect(cloud.isJoined("member-1")).toBe(true);
  });

  it("fails closed when deployed without the pins sst.config.ts renders from the version table", () => {
    const cloud = new Cloud();
    track(cloud);

    const build = cloud.run("karmada-unjoin", UNJOIN, { unrendered: true });

    expect(build).toMatchObject({ status: "FAILED", failedPhase: "install" });
    expect(build.output).toContain("this buildspec carries no pins");
  });
});

const DEINIT = { DEPLOYMENT_NAME: "demo", CLUSTER_NAME: "demo-parent", CLUSTER_REGION: "eu-central-1" };
const ETCD_VOLUMES = [
  "pvc-0 karmada-system Delete vol-0aaa",
  "pvc-1 karmada-system Delete vol-0bbb",
  "pvc-app default Delete vol-0ccc",
];
/**
 * What `kubectl karmada init` leaves in karmada-system (kind, name, karmada.io/bootstrapping value), after
 * karmada-io/karmada pkg/karmadactl/cmdinit/kubernetes (statefulset.go, deployments.go, services.go, secret.go)@v1.18.2.
 */
const KARMADA_OBJECTS = [
  "statefulset etcd app-defaults",
  "deployment karmada-apiserver app-defaults",
  "deployment karmada-controller-manager app-defaults",
  "service karmada-apiserver service-defaults",
  "service etcd service-defaults",
  "secret karmada-cert secret-defaults",
  "secret etcd-cert secret-defaults",
  "pvc etcd-data-etcd-0 pvc-defaults",
  "pvc etcd-data-etcd-1 pvc-defaults",
];
describe("karmada-deinit", () => {
  it("runs deinit without --purge-namespace, then deletes the etcd claims, waits for their volumes, and deletes the namespace last", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-parent");
    cloud.karmadaInstalled();
    cloud.volumes(ETCD_VOLUMES);

    const build = cloud.run("karmada-deinit", DEINIT);

    expect(build.status).toBe("SUCCEEDED");
    const [deinit, ...again] = callsTo(build.calls, "kubectl-karmada", "deinit");
    expect(again).toEqual([]);
    expect(deinit).toContain("--force");
    expect(deinit).not.toContain("--purge-namespace");
    expect(flagValue(deinit, "--namespace")).toBe("karmada-system");
    const deletes = callsTo(build.calls, "kubectl").filter((c) => c.includes("delete"));
    expect(deletes.map((c) => c.slice(c.indexOf("delete"), c.indexOf("delete") + 3))).toEqual([
      ["delete", "persistentvolumeclaims", "-l"],
      ["delete", "namespace", "karmada-system"],
    ]);
    expect(flagValue(deletes[0], "-l")).toBe("karmada.io/bootstrapping=pvc-defaults");
    // Order: deinit, claims, every volume gone (polled), then the namespace.
    const order = build.calls.map((c) =>
      c[0] === "kubectl-karmada" ? c[1] : c.includes("delete") ? `delete ${c[c.indexOf("delete") + 1]}` : "",
    );
    const at = (what: string) => order.indexOf(what);
    expect(at("deinit")).toBeLessThan(at("delete persistentvolumeclaims"));
    expect(at("delete persistentvolumeclaims")).toBeLessThan(at("delete namespace"));
    const lastVolumePoll = build.calls.findLastIndex((c) => c.includes("persistentvolumes"));
    expect(lastVolumePoll).toBeLessThan(at("delete namespace"));
    expect(callsTo(build.calls, "sleep").length).toBeGreaterThan(0);
    expect(cloud.namespace()).toBeUndefined();
    expect(cloud.objectsLeft()).toEqual([]);
    expect(cloud.volumesLeft()).toBe("pvc-app default Delete vol-0ccc");
  });

  it("succeeds against the real deinit's behaviour: it keeps the namespace, which this build then deletes (no wait for deinit to do it)", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-parent");
    cloud.karmadaInstalled();
    cloud.volumes(ETCD_VOLUMES.slice(0, 1));

    const build = cloud.run("karmada-deinit", { ...DEINIT });

    expect(build.status).toBe("SUCCEEDED");
    expect(build.output).toContain("remove Karmada from Kubernetes successfully.");
    // The real deinit deleted the labelled workloads, Services and Secrets, and left the claims and the namespace.
    expect(build.output).toContain('delete statefulset "etcd"');
    expect(build.output).toContain('persistentvolumeclaim "etcd-data-etcd-0" deleted');
    expect(build.output).toContain('namespace "karmada-system" deleted');
    expect(cloud.namespace()).toBeUndefined();
  });

  it("cleans up after an earlier run: a Terminating namespace gets no second deinit and no second delete", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-parent");
    cloud.karmadaInstalled({ phase: "Terminating" });
    cloud.volumes(ETCD_VOLUMES.slice(0, 1));

    const build = cloud.run("karmada-deinit", DEINIT);

    expect(build.status).toBe("SUCCEEDED");
    expect(callsTo(build.calls, "kubectl-karmada", "deinit")).toEqual([]);
    expect(callsTo(build.calls, "kubectl").filter((c) => c.includes("namespace") && c.includes("delete"))).toEqual([]);
    expect(cloud.namespace()).toBeUndefined();
    expect(cloud.volumesLeft()).toBe("");
  });

  it("only waits for the etcd volumes when an earlier run already removed Karmada and its namespace", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-parent");
    cloud.volumes(ETCD_VOLUMES.slice(0, 1));

    const build = cloud.run("karmada-deinit", DEINIT);

    expect(build.status).toBe("SUCCEEDED");
    expect(callsTo(build.calls, "kubectl-karmada", "deinit")).toEqual([]);
    expect(cloud.volumesLeft()).toBe("");
  });

  it("does nothing when neither Karmada nor its volumes are there", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-parent");

    const build = cloud.run("karmada-deinit", DEINIT);

    expect(build.status).toBe("SUCCEEDED");
    expect(callsTo(build.calls, "kubectl-karmada", "deinit")).toEqual([]);
    expect(callsTo(build.calls, "sleep")).toEqual([]);
  });

  it("names etcd volumes that would be retained instead of leaving them behind silently", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-parent");
    cloud.karmadaInstalled();
    cloud.volumes(["pvc-0 karmada-system Retain vol-0aaa"]);

    const build = cloud.run("karmada-deinit", DEINIT);

    expect(build).toMatchObject({ status: "FAILED", failedPhase: "build" });
    expect(build.output).toContain("pvc-0 (vol-0aaa)");
    expect(cloud.namespace()).toBe("Active");
  });

  it("gives up on volumes the CSI driver does not delete after a bounded wait, naming them and where to look", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-parent");
    cloud.karmadaInstalled();
    cloud.volumes(ETCD_VOLUMES.slice(0, 1));

    const build = cloud.run("karmada-deinit", { ...DEINIT, STUB_PV_POLLS: "1000" });

    expect(build).toMatchObject({ status: "FAILED", failedPhase: "build" });
    expect(build.output).toMatch(/etcd data still on demo-parent after 600 s: volume pvc-0\. .*ebs-csi-controller/);
    expect(callsTo(build.calls, "sleep")).toHaveLength(59);
  });

  it("gives up on a namespace stuck Terminating after a bounded wait, naming how to find what holds it", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-parent");
    cloud.karmadaInstalled();

    const build = cloud.run("karmada-deinit", { ...DEINIT, STUB_NS_POLLS: "1000" });

    expect(build).toMatchObject({ status: "FAILED", failedPhase: "build" });
    expect(build.output).toContain(
      "namespace karmada-system is still Terminating on demo-parent after 300 s. Its conditions name what is left",
    );
  });

  it("refuses to touch a parent cluster that is not ours", () => {
    const cloud = new Cloud();
    track(cloud);
    cloud.eksCluster("demo-parent", "prod");
    cloud.karmadaInstalled();

    const build = cloud.run("karmada-deinit", DEINIT);

    expect(build).toMatchObject({ status: "FAILED", failedPhase: "pre_build" });
    expect(callsTo(build.calls, "kubectl-karmada", "deinit")).toEqual([]);
    expect(cloud.namespace()).toBe("Active");
  });
});
