/**
 * A structural guard on sst.config.ts (it cannot run without an AWS account): the settings reviewers rely on
 * are present in the text. The policies themselves are tested through infra/.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILD_JOBS } from "../../infra/naming.js";
import { ROOT } from "./stage-sources.js";

const config = readFileSync(resolve(ROOT, "sst.config.ts"), "utf8");
const squashed = config.replace(/\s+/g, " ");

describe("sst.config.ts", () => {
  it("deploys the Deploy definition from statemachine/deploy.ts with aws.sfn.StateMachine, as a Standard workflow", () => {
    expect(config).toContain("new aws.sfn.StateMachine(");
    expect(config).toMatch(/json\(\s*deployDefinition\(/);
    expect(config).toContain('type: "STANDARD"');
  });

  it("logs every execution event without payloads and traces with X-Ray", () => {
    expect(squashed).toMatch(/loggingConfiguration: \{ level: "ALL", includeExecutionData: false,/);
    expect(squashed).toContain("tracingConfiguration: { enabled: true }");
  });

  it("runs the stages on Node.js 22 (arm64)", () => {
    expect(config).toContain('runtime: "nodejs22.x"');
    expect(config).toContain('architecture: "arm64"');
    expect(config).toMatch(/handler: `functions\/\$\{STAGE_FOLDERS\[key\]\}\/handler\.handler`/);
  });

  it("builds the state machine and CodeBuild roles from the infra/ policy functions", () => {
    for (const builder of ["stageRolePolicy(", "codeBuildPolicy(", "stateMachinePolicy("])
      expect(config).toContain(builder);
  });

  it.each(BUILD_JOBS)("inlines buildspecs/%s.yml, which exists", (job) => {
    expect(config).toMatch(/readFileSync\(`buildspecs\/\$\{job\}\.yml`/);
    expect(existsSync(resolve(ROOT, "buildspecs", `${job}.yml`))).toBe(true);
  });

  it("has no top-level imports (SST loads modules inside run())", () => {
    expect(config).not.toMatch(/^import\s/m);
  });
});
