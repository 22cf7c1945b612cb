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
  it("deploys the Deploy, DriftCheck and Destroy definitions from statemachine/ with aws.sfn.StateMachine, as Standard workflows", () => {
    expect(config).toContain("new aws.sfn.StateMachine(");
    for (const builder of ["deployDefinition({", "driftCheckDefinition({", "destroyDefinition({"])
      expect(config).toContain(builder);
    expect(config).toContain('type: "STANDARD"');
  });

  it("gives each state machine a role that invokes exactly the functions of its definition", () => {
    expect(squashed).toContain("functionArns: invokedFunctions(v.definition),");
  });

  it("keeps the registry in a DynamoDB table keyed by deploymentName", () => {
    expect(squashed).toContain(
      'new sst.aws.Dynamo("Registry", { fields: { deploymentName: "string" }, primaryIndex: { hashKey: "deploymentName" },',
    );
  });

  it("runs the drift checks on a schedule whose rate is a constant at the top of the file", () => {
    expect(config).toMatch(/^const DRIFT_CHECK_SCHEDULE = "(rate|cron)\(.+\)";$/m);
    expect(squashed).toContain("scheduleExpression: DRIFT_CHECK_SCHEDULE,");
    expect(squashed).toContain("input: json(SCHEDULED_CHECK_INPUT),");
  });

  it("authorizes every API route with IAM", () => {
    expect(squashed).toContain(
      "for (const route of API_ROUTES) api.route(route, functions.api.arn, { auth: { iam: true } });",
    );
  });

  it("logs every execution event without payloads and traces with X-Ray", () => {
    expect(squashed).toMatch(/loggingConfiguration: \{ level: "ALL", includeExecutionData: false,/);
    expect(squashed).toContain("tracingConfiguration: { enabled: true }");
  });

  it("runs the stages on Node.js 22 (arm64)", () => {
    expect(config).toContain('runtime: "nodejs22.x"');
    expect(config).toContain('architecture: "arm64"');
    expect(config).toMatch(/handler: `functions\/\$\{STAGE_FOLDERS\[key\]\}\/handler\.handler`/);
    expect(config).toMatch(/const \{ STAGE_FOLDERS,[^}]*\} = await import\(\s*"\.\/infra\/stages\.js"/);
  });

  it("gives every CodeBuild project its buildspec with the pins of the version table rendered in", () => {
    expect(squashed).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of sst.config.ts, a template literal there
      'source: { type: "NO_SOURCE", buildspec: renderBuildspec(readFileSync(`buildspecs/${job}.yml`, "utf8")) },',
    );
    expect(config).toContain('await import("./functions/lib/karmada-versions.js")');
  });

  it("builds the state machine and CodeBuild roles from the infra/ policy functions", () => {
    for (const builder of ["stageRolePolicy(", "codeBuildPolicy(", "stateMachinePolicy("])
      expect(config).toContain(builder);
  });

  it.each(BUILD_JOBS)("inlines buildspecs/%s.yml, which exists", (job) => {
    expect(config).toMatch(/readFileSync\(`buildspecs\/\$\{job\}\.yml`/);
    expect(existsSync(resolve(ROOT, "buildspecs", `${job}.yml`))).toBe(true);
  });

  it("runs both CodeBuild projects in the orchestrator VPC's private subnets, behind the egress-only security group", () => {
    expect(squashed).toContain(
      "vpcConfig: { vpcId: vpc.id, subnets: vpc.privateSubnets, securityGroupIds: [egressOnly.id] }",
    );
    expect(squashed).toMatch(/codeBuildPolicy\(\{[^}]*subnetIds: v\.subnetIds/);
  });

  it("runs the functions of the roles in the orchestrator VPC in its private subnets, behind the same group", () => {
    expect(squashed).toContain(
      "const privateNetwork = { privateSubnets: vpc.privateSubnets, securityGroups: [egressOnly.id] };",
    );
    expect(squashed).toContain("vpc: inOrchestratorVpc(roleOf(key)) ? privateNetwork : undefined,");
  });

  it("opens the orchestrator's security group only outbound, to the ports infra/network.ts names", () => {
    const group = /new aws\.ec2\.SecurityGroup\("OrchestratorEgress", \{(.*?)\}\);/.exec(squashed)?.[1] ?? "";

    expect(group).toContain("egress: network.EGRESS_PORTS.map(");
    expect(group).not.toContain("ingress");
  });

  it("egresses through the NAT's Elastic IPs, which become ORCHESTRATOR_EGRESS_CIDRS and an output", () => {
    expect(squashed).toContain(
      'new sst.aws.Vpc("OrchestratorVpc", { az: network.ORCHESTRATOR_AZS, nat: network.natType(stage) })',
    );
    expect(squashed).toMatch(/const egressCidrs = vpc\.nodes\.elasticIps .*\.apply\(network\.egressCidrs\)/);
    expect(squashed).toContain('orchestratorEgressCidrs: egressCidrs.apply((cidrs) => cidrs.join(",")),');
    expect(squashed).toMatch(/return \{[^}]*orchestratorEgressCidrs: egressCidrs,[^}]*\};/);
  });

  it("gives each function its role only once the role's policy exists (Lambda checks VPC permissions on create)", () => {
    expect(squashed).toContain("role: stageRoleArns[roleOf(key)],");
    expect(squashed).toMatch(/\$resolve\(\[stageRoles\[role\]\.arn, stagePolicies\[role\]\.id\] as const\)/);
  });

  it("has no top-level imports (SST loads modules inside run())", () => {
    expect(config).not.toMatch(/^import\s/m);
  });
});
