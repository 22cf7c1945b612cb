import {
  AssociateAccessPolicyCommand,
  DescribeAccessEntryCommand,
  EKSClient,
  EKSServiceException,
  ListAssociatedAccessPoliciesCommand,
} from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { grantAccess } from "../../../functions/grant-access/grantAccess.js";
import { handler } from "../../../functions/grant-access/handler.js";
import { type AwsClients, awsClients, resetAwsClients } from "../../../functions/lib/aws.js";
import { EKS_CLUSTER_ADMIN_POLICY } from "../../../functions/lib/names.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import type { ClusterRecord } from "../../../local/sim/state.js";
import {
  callsTo,
  handlersUseSim,
  type ReceivedCall,
  type SeedCluster,
  seedAws,
  simClients,
  startAwsSim,
} from "../../support/sim/aws.js";
import { fakeContext, OUR_TAGS, parentSpec, stageDeps, stubSettings } from "../ensure-cluster/eksFixtures.js";

// The parent's access entries are the simulated account's (local/sim/aws/eks.ts), seeded as plain data per test; what
// the stage asked for is read from the account's call log.
const CODEBUILD = "arn:aws:iam::123456789012:role/eko-codebuild";
const KUBE = "arn:aws:iam::123456789012:role/eko-kube";
const OPERATORS = "arn:aws:iam::123456789012:role/platform-admins";
/** Of another account: EKS accepts it (the simulator takes other accounts' principals to exist). */
const ALICE = "arn:aws:iam::210987654321:user/ops/alice";
/** Principals of the account that do not exist. */
const GONE_USER = "arn:aws:iam::123456789012:user/ops/alice-left";
const GONE_ROLE = "arn:aws:iam::123456789012:role/platform-admins-old";
const clusterAdmin = { policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" as const, namespaces: [] } };

let sim: SimAccount;
let aws: AwsClients;
beforeAll(async () => {
  sim = await startAwsSim({ principals: [CODEBUILD, KUBE, OPERATORS] });
  aws = simClients(sim);
});
afterAll(() => sim.stop());
beforeEach(() => stubSettings());
afterEach(() => {
  sim.aws.clearHooks();
  vi.unstubAllEnvs();
});

const grant = (clusterAdmins: string[] = []) =>
  grantAccess({ cluster: parentSpec(), clusterAdmins }, { ...stageDeps(), aws });
/** The parent (ACTIVE, authentication mode API unless told otherwise). */
const parentWith = (cluster: Partial<SeedCluster> = {}) =>
  seedAws(sim, { "eu-central-1": { clusters: [{ name: "demo-parent", tags: OUR_TAGS, ...cluster }] } });
/** An entry with cluster-wide admin for each principal. */
const admins = (...principals: string[]) =>
  principals.map((principalArn) => ({ principalArn, policies: [{ policyArn: EKS_CLUSTER_ADMIN_POLICY }] }));
const parentCluster = () => sim.state.regions["eu-central-1"]?.clusters["demo-parent"] as ClusterRecord;
const entries = () => parentCluster().accessEntries;
/** The EKS calls received, with the principal ARN in the path decoded. */
const eksCalls = (operation: RegExp): ReceivedCall[] =>
  callsTo(sim, { service: "eks" })
    .map((c) => ({ ...c, operation: decodeURIComponent(c.operation) }))
    .filter((c) => operation.test(c.operation));
const ENTRIES = "/clusters/demo-parent/access-entries";
const creates = () => eksCalls(/^POST \/clusters\/demo-parent\/access-entries$/);
const associations = () => eksCalls(/^POST \/clusters\/demo-parent\/access-entries\/.+\/access-policies$/);
const associationOf = (principalArn: string) => `POST ${ENTRIES}/${principalArn}/access-policies`;

describe("grantAccess", () => {
  it("creates a STANDARD access entry with cluster-wide admin for every principal", async () => {
    await parentWith();

    const result = await grant();

    expect(result).toEqual({ principals: [CODEBUILD, KUBE] });
    for (const principalArn of [CODEBUILD, KUBE]) {
      expect(creates()).toContainEqual(
        expect.objectContaining({
          params: {
            principalArn,
            type: "STANDARD",
            tags: OUR_TAGS,
            clientRequestToken: expect.stringMatching(/^[0-9a-f]{64}$/),
          },
        }),
      );
      expect(associations()).toContainEqual(
        expect.objectContaining({
          operation: associationOf(principalArn),
          params: { policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } },
        }),
      );
      expect(entries()[principalArn]).toMatchObject({
        type: "STANDARD",
        tags: OUR_TAGS,
        policies: [{ policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } }],
      });
    }
  });

  it("changes nothing when every principal already has its entry and cluster admin", async () => {
    await parentWith({ accessEntries: admins(CODEBUILD, KUBE) });

    const result = await grant();

    expect(creates()).toEqual([]);
    expect(associations()).toEqual([]);
    expect(result.principals).toEqual([CODEBUILD, KUBE]);
  });

  it("widens an admin association scoped to namespaces to the whole cluster", async () => {
    const scoped = [{ policyArn: EKS_CLUSTER_ADMIN_POLICY, namespaces: ["default"] }];
    await parentWith({
      accessEntries: [
        { principalArn: CODEBUILD, policies: scoped },
        { principalArn: KUBE, policies: scoped },
      ],
    });

    await grant();

    expect(associations()).toHaveLength(2);
    for (const principalArn of [CODEBUILD, KUBE])
      expect(entries()[principalArn]?.policies).toEqual([
        expect.objectContaining({ policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } }),
      ]);
  });

  it("finds the association on a later page of ListAssociatedAccessPolicies", async () => {
    // The requests are the point: on EKS a page boundary needs more associations than there are access policies
    // (100 a page), so the stage's nextToken loop is checked against stubbed pages.
    const eks = mockClient(EKSClient);
    try {
      eks.on(DescribeAccessEntryCommand).resolves({ accessEntry: {} });
      eks.on(ListAssociatedAccessPoliciesCommand, { nextToken: undefined }).resolves({
        associatedAccessPolicies: [
          { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", accessScope: { type: "cluster" } },
        ],
        nextToken: "page-2",
      });
      eks
        .on(ListAssociatedAccessPoliciesCommand, { nextToken: "page-2" })
        .resolves({ associatedAccessPolicies: [clusterAdmin] });

      await grantAccess({ cluster: parentSpec(), clusterAdmins: [] }, { ...stageDeps(), aws: awsClients });

      expect(eks).not.toHaveReceivedCommand(AssociateAccessPolicyCommand);
      expect(eks).toHaveReceivedCommandTimes(ListAssociatedAccessPoliciesCommand, 4);
    } finally {
      eks.restore();
    }
  });

  it("accepts an entry another execution created between describe and create", async () => {
    await parentWith();
    // Another execution's CreateAccessEntry lands right before each of ours.
    for (const principalArn of [CODEBUILD, KUBE])
      sim.aws.beforeNext("eks", `POST ${ENTRIES}`, () => {
        entries()[principalArn] = {
          principalArn,
          accessEntryArn: `arn:aws:eks:eu-central-1:123456789012:access-entry/demo-parent/role/other-${principalArn.length}`,
          type: "STANDARD",
          username: principalArn,
          kubernetesGroups: [],
          createdAt: sim.now(),
          policies: [],
          tags: {},
        };
      });

    await grant();

    expect(sim.aws.calls.filter((c) => c.operation === `POST ${ENTRIES}`).map((c) => c.error)).toEqual([
      "ResourceInUseException",
      "ResourceInUseException",
    ]);
    expect(associations()).toHaveLength(2);
  });

  it("wraps an AWS failure with the principal and cluster it concerns and keeps the cause", async () => {
    await parentWith({ authenticationMode: "CONFIG_MAP" });

    const error = await grant().catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: "AwsRequestFailed",
      message: expect.stringContaining(`failed to create an access entry for ${CODEBUILD} on EKS cluster demo-parent`),
    });
    expect((error as Error).cause).toBeInstanceOf(EKSServiceException);
    expect((error as Error).cause).toMatchObject({
      name: "InvalidRequestException",
      message: expect.stringContaining("authentication mode must be set to one of [API, API_AND_CONFIG_MAP]"),
    });
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    await parentWith({ accessEntries: [{ principalArn: CODEBUILD }, { principalArn: KUBE }] });
    // The path as the SDK sends it (the principal ARN percent-encoded).
    sim.aws.beforeNext("eks", `POST ${ENTRIES}/${encodeURIComponent(CODEBUILD)}/access-policies`, () => {
      throw new AwsError("ThrottlingException", "Rate exceeded", 429);
    });

    const error = await grant().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EKSServiceException);
    expect(error).toMatchObject({
      name: "ThrottlingException",
      message: "Rate exceeded",
      $metadata: { httpStatusCode: 429 },
    });
  });

  it("grants the stack's default admins and the plan's too, each once, after the orchestrator's principals", async () => {
    vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", `${OPERATORS}, ${KUBE}`);
    await parentWith();

    const result = await grant([ALICE, OPERATORS.replace("platform-admins", "Platform-Admins")]);

    expect(result).toEqual({ principals: [CODEBUILD, KUBE, OPERATORS, ALICE] });
    expect(creates()).toHaveLength(4);
    for (const principalArn of [OPERATORS, ALICE]) {
      expect(creates()).toContainEqual(
        expect.objectContaining({ params: expect.objectContaining({ principalArn, type: "STANDARD" }) }),
      );
      expect(associations()).toContainEqual(
        expect.objectContaining({
          operation: associationOf(principalArn),
          params: { policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } },
        }),
      );
    }
  });

  it("fails with AccessPrincipalNotFound naming the ARN and where it came from when EKS finds no such principal", async () => {
    await parentWith();

    const error = await grant([GONE_USER]).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: "AccessPrincipalNotFound" });
    expect((error as Error).message).toContain(GONE_USER);
    expect((error as Error).message).toContain("access.clusterAdmins");
    expect((error as Error).message).toContain("demo-parent");
    expect((error as Error).cause).toBeInstanceOf(EKSServiceException);
    expect((error as Error).cause).toMatchObject({
      name: "InvalidParameterException",
      message: "The specified principalArn is invalid: invalid principal.",
    });
  });

  it("names DEFAULT_CLUSTER_ADMIN_ARNS when the missing principal is a stack default", async () => {
    vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", GONE_ROLE);
    await parentWith();

    await expect(grant()).rejects.toMatchObject({
      name: "AccessPrincipalNotFound",
      message: expect.stringContaining("DEFAULT_CLUSTER_ADMIN_ARNS in sst.config.ts"),
    });
  });

  it("fails with MissingConfiguration before any call when a stack default is not an IAM principal ARN", async () => {
    vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", "arn:aws:sts::123456789012:assumed-role/Admin/me");
    await parentWith();

    await expect(grant()).rejects.toMatchObject({
      name: "MissingConfiguration",
      message: expect.stringContaining("DEFAULT_CLUSTER_ADMIN_ARNS"),
    });
    expect(callsTo(sim)).toEqual([]);
  });

  it.each([
    { value: "", why: "unset" },
    { value: " , ", why: "empty" },
  ])("fails with MissingConfiguration when ADMIN_PRINCIPAL_ARNS is $why", async ({ value }) => {
    vi.stubEnv("ADMIN_PRINCIPAL_ARNS", value);
    await parentWith();

    await expect(grant()).rejects.toMatchObject({ name: "MissingConfiguration" });
    expect(callsTo(sim)).toEqual([]);
  });
});

describe("grant-access handler", () => {
  /** The handler's default clients reach the simulated account through AWS_ENDPOINT_URL, as in a local run. */
  const throughEndpoint = async <T>(run: () => Promise<T>): Promise<T> => {
    handlersUseSim(sim);
    try {
      return await run();
    } finally {
      vi.unstubAllEnvs();
      resetAwsClients();
    }
  };

  it("grants through middy and returns the principals", async () => {
    await parentWith({ accessEntries: admins(CODEBUILD, KUBE) });

    await expect(throughEndpoint(() => handler({ cluster: parentSpec() }, fakeContext))).resolves.toEqual({
      principals: [CODEBUILD, KUBE],
    });
  });

  it("grants the plan's cluster admins it receives", async () => {
    await parentWith({ accessEntries: admins(CODEBUILD, KUBE, ALICE) });

    await expect(
      throughEndpoint(() => handler({ cluster: parentSpec(), clusterAdmins: [ALICE] }, fakeContext)),
    ).resolves.toEqual({ principals: [CODEBUILD, KUBE, ALICE] });
  });
});
