/**
 * Each function's bundle (esbuild as SST builds it, local/bench.ts) carries only the AWS SDK clients its role may call:
 * the `@aws-sdk/client-*` packages that reach the output are a subset of the services its IAM policy allows. A
 * client added to one stage therefore grows no other bundle, and a shared module that loads every client fails here.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isKubernetesStage, roleOf, STAGE_FOLDERS, STAGES, type StageKey } from "../../infra/stages.js";
import { type Bundle, bundleFunctions } from "../../local/bench.js";
import { stagePolicies } from "./fixtures.js";
import { IAM_PREFIX } from "./stage-sources.js";

let bundles = new Map<string, Bundle>();
const dir = mkdtempSync(join(tmpdir(), "eko-bundles-"));

beforeAll(async () => {
  bundles = await bundleFunctions(Object.values(STAGE_FOLDERS), dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The services (action prefixes) a stage's role is allowed to call. */
const allowedServices = (stage: StageKey): Set<string> =>
  new Set(
    stagePolicies[roleOf(stage)].Statement.flatMap((s) => s.Action).map((action) => action.split(":")[0] as string),
  );

const bundle = (stage: StageKey) => bundles.get(STAGE_FOLDERS[stage]) as Bundle;

describe("function bundles", () => {
  it.each(STAGES)("%s bundles only SDK clients of services its IAM policy allows", (stage) => {
    const services = bundle(stage).sdkClients.map((client) => IAM_PREFIX[client] ?? client);
    const allowed = allowedServices(stage);
    expect(services.filter((s) => !allowed.has(s))).toEqual([]);
  });

  it.each(STAGES)("%s carries @kubernetes/client-node only if it calls a Kubernetes API", (stage) => {
    expect(bundle(stage).kubernetes).toBe(isKubernetesStage(stage));
  });

  it("pure stages import no AWS SDK client", () => {
    const pure = STAGES.filter((s) =>
      ["validate-input", "drift-desired", "destroy-confirm"].includes(STAGE_FOLDERS[s]),
    );
    expect(pure).toHaveLength(3);
    for (const stage of pure) expect(bundle(stage).sdkClients, stage).toEqual([]);
  });

  it("an EKS-only stage does not carry EC2, which a sibling stage uses", () => {
    expect(bundle("ensureCluster").sdkClients).toEqual(["@aws-sdk/client-eks"]);
    expect(bundle("ensureVpcs").sdkClients).toEqual(["@aws-sdk/client-ec2"]);
  });
});
