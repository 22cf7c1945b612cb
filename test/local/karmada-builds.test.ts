/**
 * The simulated KarmadaInit / KarmadaJoin / KarmadaUnjoin / KarmadaDeinit builds refuse what the deployed buildspecs
 * refuse in their install phase: a KARMADA_VERSION without a row in functions/lib/karmada-versions.ts, and (init)
 * a CERT_VALIDITY_DAYS that is not a whole number of days. See test/buildspec for the buildspecs themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUPPORTED_KARMADA_VERSIONS } from "../../functions/lib/karmada-versions.js";
import type { SimAccount } from "../../local/sim/account.js";
import { planBuild } from "../../local/sim/karmada.js";
import type { BuildRecord } from "../../local/sim/state.js";
import { startAccount, useRealAwsClients } from "./support.js";

let sim: SimAccount;
beforeAll(async () => {
  useRealAwsClients();
  sim = await startAccount({
    projects: {
      "eko-karmada-init": "karmada-init",
      "eko-karmada-join": "karmada-join",
      "eko-karmada-unjoin": "karmada-unjoin",
      "eko-karmada-deinit": "karmada-deinit",
    },
  });
});
afterAll(() => sim.stop());

const INIT = {
  DEPLOYMENT_NAME: "demo",
  CLUSTER_REGION: "eu-central-1",
  CLUSTER_NAME: "demo-parent",
  KARMADA_VERSION: "v1.18.2",
  APISERVER_REPLICAS: "3",
  ETCD_REPLICAS: "3",
  CERT_VALIDITY_DAYS: "365",
  NLB_HOSTNAME: "k.elb.eu-central-1.amazonaws.com",
  NLB_IPV4: "198.51.100.7",
  SECRETS_REGION: "eu-central-1",
  KUBECONFIG_SECRET: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
  PKI_SECRET: "eks-karmada-orchestrator/demo/karmada-pki",
};
const MEMBER = {
  DEPLOYMENT_NAME: "demo",
  MEMBER_NAME: "m1",
  CLUSTER_NAME: "demo-m1",
  CLUSTER_REGION: "eu-central-1",
  KARMADA_VERSION: "v1.18.2",
  SECRETS_REGION: "eu-central-1",
  KUBECONFIG_SECRET: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
};
const DEINIT = { DEPLOYMENT_NAME: "demo", CLUSTER_REGION: "eu-central-1", CLUSTER_NAME: "demo-parent" };

let builds = 0;
const plan = (project: string, environment: Record<string, string>) => {
  builds += 1;
  const now = sim.now();
  const build: BuildRecord = {
    id: `${project}:${builds}`,
    arn: "",
    projectName: project,
    buildNumber: builds,
    startTime: now,
    endTime: now,
    applied: false,
    environment,
    initiator: "test",
  };
  return planBuild(sim, build, now, () => undefined);
};

const unsupported = (version: string) =>
  `KARMADA_VERSION ${version} is not a supported Karmada version (supported: ${SUPPORTED_KARMADA_VERSIONS.join(" ")})`;

describe("the simulated Karmada builds", () => {
  it.each([
    ["eko-karmada-init", INIT],
    ["eko-karmada-join", MEMBER],
    ["eko-karmada-unjoin", MEMBER],
    ["eko-karmada-deinit", { ...DEINIT, KARMADA_VERSION: "v1.18.2" }],
  ])("%s refuses a Karmada version the version table has no row for, as its buildspec does", (project, env) => {
    const outcome = plan(project, { ...env, KARMADA_VERSION: "v1.19.0" });

    expect(outcome.outcome).toBe("FAILED");
    expect(outcome.reason).toContain(unsupported("v1.19.0"));
  });

  it("goes past the pins for a version of the table (then fails on the missing parent, not on the version)", () => {
    const outcome = plan("eko-karmada-init", INIT);

    expect(outcome.reason).not.toContain("not a supported Karmada version");
    expect(outcome.reason).toContain("cluster demo-parent is not ACTIVE");
  });

  it.each([
    ["", "environment variable CERT_VALIDITY_DAYS is required (see buildspecs/ENV.md)"],
    ["8760h", "CERT_VALIDITY_DAYS '8760h' is not a whole number of days from 1 to 3650"],
    ["3651", "CERT_VALIDITY_DAYS '3651' is not a whole number of days from 1 to 3650"],
  ])("KarmadaInit refuses CERT_VALIDITY_DAYS=%j as its buildspec does", (value, reason) => {
    const outcome = plan("eko-karmada-init", { ...INIT, CERT_VALIDITY_DAYS: value });

    expect(outcome).toMatchObject({ outcome: "FAILED", reason });
  });
});
