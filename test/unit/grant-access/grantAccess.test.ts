import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DescribeAccessEntryCommand,
  EKSClient,
  ListAssociatedAccessPoliciesCommand,
} from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { grantAccess } from "../../../functions/grant-access/grantAccess.js";
import { handler } from "../../../functions/grant-access/handler.js";
import { EKS_CLUSTER_ADMIN_POLICY } from "../../../functions/lib/names.js";
import { awsError, fakeContext, OUR_TAGS, parentSpec, stageDeps, stubSettings } from "../ensure-cluster/eksFixtures.js";

const eks = mockClient(EKSClient);
const CODEBUILD = "arn:aws:iam::123456789012:role/eko-codebuild";
const KUBE = "arn:aws:iam::123456789012:role/eko-kube";
const notFound = () => awsError("ResourceNotFoundException", "The specified access entry resource is not found");
const clusterAdmin = { policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" as const, namespaces: [] } };
const OPERATORS = "arn:aws:iam::123456789012:role/platform-admins";
const ALICE = "arn:aws:iam::210987654321:user/ops/alice";
const grant = (clusterAdmins: string[] = []) => grantAccess({ cluster: parentSpec(), clusterAdmins }, stageDeps());
const missingEverything = () => {
  eks.on(DescribeAccessEntryCommand).rejects(notFound());
  eks.on(CreateAccessEntryCommand).resolves({});
  eks.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [] });
  eks.on(AssociateAccessPolicyCommand).resolves({});
};

beforeEach(() => {
  eks.reset();
  stubSettings();
});
afterEach(() => vi.unstubAllEnvs());

describe("grantAccess", () => {
  it("creates a STANDARD access entry with cluster-wide admin for every principal", async () => {
    eks.on(DescribeAccessEntryCommand).rejects(notFound());
    eks.on(CreateAccessEntryCommand).resolves({});
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [] });
    eks.on(AssociateAccessPolicyCommand).resolves({});

    const result = await grant();

    expect(result).toEqual({ principals: [CODEBUILD, KUBE] });
    for (const principalArn of [CODEBUILD, KUBE]) {
      expect(eks).toHaveReceivedCommandWith(CreateAccessEntryCommand, {
        clusterName: "demo-parent",
        principalArn,
        type: "STANDARD",
        tags: OUR_TAGS,
        clientRequestToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(eks).toHaveReceivedCommandWith(AssociateAccessPolicyCommand, {
        clusterName: "demo-parent",
        principalArn,
        policyArn: EKS_CLUSTER_ADMIN_POLICY,
        accessScope: { type: "cluster" },
      });
    }
  });

  it("changes nothing when every principal already has its entry and cluster admin", async () => {
    eks.on(DescribeAccessEntryCommand).resolves({ accessEntry: { type: "STANDARD" } });
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [clusterAdmin] });

    const result = await grant();

    expect(eks).not.toHaveReceivedCommand(CreateAccessEntryCommand);
    expect(eks).not.toHaveReceivedCommand(AssociateAccessPolicyCommand);
    expect(result.principals).toEqual([CODEBUILD, KUBE]);
  });

  it("widens an admin association scoped to namespaces to the whole cluster", async () => {
    eks.on(DescribeAccessEntryCommand).resolves({ accessEntry: {} });
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({
      associatedAccessPolicies: [
        { policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "namespace", namespaces: ["default"] } },
      ],
    });

    await grant();

    expect(eks).toHaveReceivedCommandTimes(AssociateAccessPolicyCommand, 2);
  });

  it("finds the association on a later page of ListAssociatedAccessPolicies", async () => {
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

    await grant();

    expect(eks).not.toHaveReceivedCommand(AssociateAccessPolicyCommand);
    expect(eks).toHaveReceivedCommandTimes(ListAssociatedAccessPoliciesCommand, 4);
  });

  it("accepts an entry another execution created between describe and create", async () => {
    eks.on(DescribeAccessEntryCommand).rejects(notFound());
    eks
      .on(CreateAccessEntryCommand)
      .rejects(awsError("ResourceInUseException", "The specified access entry resource is already in use"));
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({});

    await grant();

    expect(eks).toHaveReceivedCommandTimes(AssociateAccessPolicyCommand, 2);
  });

  it("wraps an AWS failure with the principal and cluster it concerns and keeps the cause", async () => {
    const cause = awsError(
      "InvalidRequestException",
      "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP]",
    );
    eks.on(DescribeAccessEntryCommand).rejects(notFound());
    eks.on(CreateAccessEntryCommand).rejects(cause);

    const error = await grant().catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: "AwsRequestFailed",
      message: expect.stringContaining(`failed to create an access entry for ${CODEBUILD} on EKS cluster demo-parent`),
    });
    expect((error as Error).cause).toBe(cause);
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    const throttled = awsError("ThrottlingException");
    eks.on(DescribeAccessEntryCommand).resolves({ accessEntry: {} });
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({});
    eks.on(AssociateAccessPolicyCommand).rejects(throttled);

    await expect(grant()).rejects.toBe(throttled);
  });

  it("grants the stack's default admins and the plan's too, each once, after the orchestrator's principals", async () => {
    vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", `${OPERATORS}, ${KUBE}`);
    missingEverything();

    const result = await grant([ALICE, OPERATORS.replace("platform-admins", "Platform-Admins")]);

    expect(result).toEqual({ principals: [CODEBUILD, KUBE, OPERATORS, ALICE] });
    expect(eks).toHaveReceivedCommandTimes(CreateAccessEntryCommand, 4);
    for (const principalArn of [OPERATORS, ALICE]) {
      expect(eks).toHaveReceivedCommandWith(CreateAccessEntryCommand, {
        clusterName: "demo-parent",
        principalArn,
        type: "STANDARD",
      });
      expect(eks).toHaveReceivedCommandWith(AssociateAccessPolicyCommand, {
        clusterName: "demo-parent",
        principalArn,
        policyArn: EKS_CLUSTER_ADMIN_POLICY,
        accessScope: { type: "cluster" },
      });
    }
  });

  it("fails with AccessPrincipalNotFound naming the ARN and where it came from when EKS finds no such principal", async () => {
    missingEverything();
    const cause = awsError("InvalidParameterException", "The specified principalArn is invalid: invalid principal.");
    eks.on(CreateAccessEntryCommand, { principalArn: ALICE }).rejects(cause);

    const error = await grant([ALICE]).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: "AccessPrincipalNotFound" });
    expect((error as Error).message).toContain(ALICE);
    expect((error as Error).message).toContain("access.clusterAdmins");
    expect((error as Error).message).toContain("demo-parent");
    expect((error as Error).cause).toBe(cause);
  });

  it("names DEFAULT_CLUSTER_ADMIN_ARNS when the missing principal is a stack default", async () => {
    vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", OPERATORS);
    missingEverything();
    eks
      .on(CreateAccessEntryCommand, { principalArn: OPERATORS })
      .rejects(awsError("InvalidParameterException", "The specified principalArn is invalid: invalid principal."));

    await expect(grant()).rejects.toMatchObject({
      name: "AccessPrincipalNotFound",
      message: expect.stringContaining("DEFAULT_CLUSTER_ADMIN_ARNS in sst.config.ts"),
    });
  });

  it("fails with MissingConfiguration before any call when a stack default is not an IAM principal ARN", async () => {
    vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", "arn:aws:sts::123456789012:assumed-role/Admin/me");

    await expect(grant()).rejects.toMatchObject({
      name: "MissingConfiguration",
      message: expect.stringContaining("DEFAULT_CLUSTER_ADMIN_ARNS"),
    });
    expect(eks.calls()).toHaveLength(0);
  });

  it.each([
    { value: "", why: "unset" },
    { value: " , ", why: "empty" },
  ])("fails with MissingConfiguration when ADMIN_PRINCIPAL_ARNS is $why", async ({ value }) => {
    vi.stubEnv("ADMIN_PRINCIPAL_ARNS", value);

    await expect(grant()).rejects.toMatchObject({ name: "MissingConfiguration" });
    expect(eks.calls()).toHaveLength(0);
  });
});

describe("grant-access handler", () => {
  it("grants through middy and returns the principals", async () => {
    eks.on(DescribeAccessEntryCommand).resolves({ accessEntry: {} });
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [clusterAdmin] });

    await expect(handler({ cluster: parentSpec() }, fakeContext)).resolves.toEqual({ principals: [CODEBUILD, KUBE] });
  });

  it("grants the plan's cluster admins it receives", async () => {
    eks.on(DescribeAccessEntryCommand).resolves({ accessEntry: {} });
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [clusterAdmin] });

    await expect(handler({ cluster: parentSpec(), clusterAdmins: [ALICE] }, fakeContext)).resolves.toEqual({
      principals: [CODEBUILD, KUBE, ALICE],
    });
  });
});
