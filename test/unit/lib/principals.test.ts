import { afterEach, describe, expect, it, vi } from "vitest";
import { clusterAdmins } from "../../../functions/lib/access.js";
import { stackClusterAdmins } from "../../../functions/lib/principals.js";

const OPS = "arn:aws:iam::123456789012:role/ops";
const ALICE = "arn:aws:iam::123456789012:user/people/alice";

afterEach(() => vi.unstubAllEnvs());

describe("stackClusterAdmins (sst.config.ts DEFAULT_CLUSTER_ADMIN_ARNS)", () => {
  it("adds the deploying shell's DEFAULT_CLUSTER_ADMIN_ARNS to the configured list, each principal once", () => {
    expect(
      stackClusterAdmins([OPS], ` ${ALICE}, ${OPS.toUpperCase().replace("ARN:AWS:IAM", "arn:aws:iam")} ,`),
    ).toEqual([OPS, ALICE]);
    expect(stackClusterAdmins([])).toEqual([]);
  });

  it("stops the stack deploy naming every ARN that is not an IAM role or user, with its rule", () => {
    const deploy = () =>
      stackClusterAdmins(["arn:aws:sts::123456789012:assumed-role/ops/me"], "arn:aws-cn:iam::123456789012:role/x");

    expect(deploy).toThrow(
      /^DEFAULT_CLUSTER_ADMIN_ARNS:\n- 'arn:aws:sts::123456789012:assumed-role\/ops\/me' is an STS session/,
    );
    expect(deploy).toThrow(/\n- 'arn:aws-cn:iam::123456789012:role\/x' is in the aws-cn partition/);
  });
});

describe("clusterAdmins (who GrantAccess grants and DriftCluster checks)", () => {
  it("lists the orchestrator's principals, then the stack's, then the plan's, each once with where it came from", () => {
    vi.stubEnv(
      "ADMIN_PRINCIPAL_ARNS",
      "arn:aws:iam::123456789012:role/eko-builds,arn:aws:iam::123456789012:role/eko-kube",
    );
    vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", `${OPS}`);

    expect(clusterAdmins([ALICE, OPS]).map((a) => [a.principalArn, a.source])).toEqual([
      ["arn:aws:iam::123456789012:role/eko-builds", "orchestrator"],
      ["arn:aws:iam::123456789012:role/eko-kube", "orchestrator"],
      [OPS, "stack default"],
      [ALICE, "plan"],
    ]);
  });

  it("treats an unset DEFAULT_CLUSTER_ADMIN_ARNS as none, but requires ADMIN_PRINCIPAL_ARNS", () => {
    vi.stubEnv("ADMIN_PRINCIPAL_ARNS", "arn:aws:iam::123456789012:role/eko-builds");
    vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", undefined);

    expect(clusterAdmins([]).map((a) => a.source)).toEqual(["orchestrator"]);
    vi.stubEnv("ADMIN_PRINCIPAL_ARNS", "");
    expect(() => clusterAdmins([ALICE])).toThrow(expect.objectContaining({ name: "MissingConfiguration" }));
  });
});
