import { describe, expect, it } from "vitest";
import {
  clusterRole,
  ebsCsiRole,
  lambdaTrust,
  nodeRole,
  type ServiceRole,
  sameAccountTrust,
} from "../../infra/service-roles.js";

describe("service roles", () => {
  it.each<[string, ServiceRole, string, string[], string[]]>([
    [
      "EKS cluster",
      clusterRole("aws"),
      "eks.amazonaws.com",
      ["sts:AssumeRole"],
      ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"],
    ],
    [
      "node",
      nodeRole("aws"),
      "ec2.amazonaws.com",
      ["sts:AssumeRole"],
      [
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
      ],
    ],
    [
      "EBS CSI",
      ebsCsiRole("aws"),
      "pods.eks.amazonaws.com",
      ["sts:AssumeRole", "sts:TagSession"],
      ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
    ],
  ])("the %s role trusts only %s and carries only its AWS managed policies", (_, role, service, actions, managed) => {
    expect(role.assumeRolePolicy.Statement).toEqual([
      { Effect: "Allow", Principal: { Service: service }, Action: actions },
    ]);
    expect(role.managedPolicyArns).toEqual(managed);
  });

  it("builds managed policy ARNs in the stack's partition", () => {
    expect(clusterRole("aws-cn").managedPolicyArns).toEqual(["arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy"]);
  });

  it("lets Lambda assume the stage roles", () => {
    expect(lambdaTrust().Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["sts:AssumeRole"] },
    ]);
  });

  it.each(["codebuild.amazonaws.com", "states.amazonaws.com"] as const)(
    "lets %s assume its role only on behalf of this account",
    (service) => {
      expect(sameAccountTrust(service, "123456789012").Statement[0]?.Condition).toEqual({
        StringEquals: { "aws:SourceAccount": "123456789012" },
      });
    },
  );
});
