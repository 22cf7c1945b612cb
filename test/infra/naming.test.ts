import { describe, expect, it } from "vitest";
import {
  BUILD_JOBS,
  buildLogGroupName,
  functionName,
  projectName,
  secretsKeyAlias,
  stackResourceName,
  stateMachineLogGroupName,
} from "../../infra/naming.js";
import { STAGE_FOLDERS } from "../../infra/stages.js";

describe("stack resource names", () => {
  it("names resources eko-<stage>-<part>", () => {
    expect(functionName("dev", "preflight")).toBe("eko-dev-preflight");
    expect(projectName("dev", "karmada-init")).toBe("eko-dev-karmada-init");
    expect(secretsKeyAlias("dev")).toBe("alias/eko-dev-karmada-secrets");
    expect(buildLogGroupName("dev")).toBe("/aws/codebuild/eko-dev-karmada");
    expect(stateMachineLogGroupName("dev", "deploy")).toBe("/aws/vendedlogs/states/eko-dev-deploy");
  });

  it.each(Object.values(STAGE_FOLDERS))(
    "fits the Lambda name of %s in 64 characters for a 30-character stage",
    (folder) => {
      expect(functionName("a".repeat(30), folder).length).toBeLessThanOrEqual(64);
    },
  );

  it.each(BUILD_JOBS)("names the %s project within CodeBuild's limit", (job) => {
    expect(projectName("a".repeat(30), job).length).toBeLessThanOrEqual(150);
  });

  it("rejects a stage name that makes a name too long, and says what to do", () => {
    expect(() => stackResourceName("a".repeat(60), "sample-workload-status", "lambda")).toThrow(
      /lambda name eko-a+-sample-workload-status is 87 characters; the limit is 64\. Use a shorter SST stage name\./,
    );
  });
});
