/** The CodeBuild role checked against the AWS CLI calls the buildspecs make. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILD_JOBS } from "../../infra/naming.js";
import { buildPolicy, granting } from "./fixtures.js";
import { ROOT } from "./stage-sources.js";

/** AWS CLI commands that are not one API call each. */
const CLI_CUSTOM: Record<string, string[]> = {
  "eks update-kubeconfig": ["eks:DescribeCluster"],
  // A presigned STS URL: no permission needed.
  "eks get-token": [],
};
/** AWS CLI service names whose IAM prefix differs or that the role may use. */
const CLI_SERVICES: Record<string, string> = { eks: "eks", secretsmanager: "secretsmanager" };

const pascal = (kebab: string) => kebab.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** IAM actions behind every `aws <service> <command>` of a buildspec. */
function cliActions(job: string): { actions: string[]; unknown: string[] } {
  const text = readFileSync(resolve(ROOT, "buildspecs", `${job}.yml`), "utf8");
  const actions = new Set<string>();
  const unknown = new Set<string>();
  for (const [, service = "", command = ""] of text.matchAll(/\baws[ \t]+([a-z][a-z0-9-]*)[ \t]+([a-z][a-z0-9-]*)/g)) {
    const custom = CLI_CUSTOM[`${service} ${command}`];
    if (custom) for (const action of custom) actions.add(action);
    else if (CLI_SERVICES[service]) actions.add(`${CLI_SERVICES[service]}:${pascal(command)}`);
    else unknown.add(`aws ${service} ${command}`);
  }
  return { actions: [...actions].sort(), unknown: [...unknown].sort() };
}

describe("codeBuildPolicy against the buildspecs", () => {
  it.each(BUILD_JOBS)("buildspecs/%s.yml calls only AWS services the CodeBuild role is meant for", (job) => {
    expect(cliActions(job).unknown).toEqual([]);
  });

  it.each(BUILD_JOBS)("the CodeBuild role allows every AWS CLI call of buildspecs/%s.yml", (job) => {
    const missing = cliActions(job).actions.filter((action) => granting(buildPolicy, action).length === 0);

    expect(missing, "add these actions to infra/codebuild-policy.ts").toEqual([]);
  });

  it("grants no Secrets Manager or EKS action that no buildspec uses", () => {
    const used = new Set(BUILD_JOBS.flatMap((job) => cliActions(job).actions));
    const granted = buildPolicy.Statement.flatMap((s) => s.Action).filter((a) => /^(eks|secretsmanager):/.test(a));

    // Tags go with create-secret --tags, authorized as a separate action.
    expect(granted.filter((a) => !used.has(a) && a !== "secretsmanager:TagResource")).toEqual([]);
  });
});
