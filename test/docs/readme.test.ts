/**
 * The README's reference tables are specifications a user reads instead of the code: each is derived here from the
 * code it describes, at test time, so a new error, plan field, resource, output, route or script fails this suite
 * until the README says what it is.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planJsonSchema } from "../../functions/lib/plan.js";
import { DEPLOYMENT_STATUSES } from "../../functions/lib/registry.js";
import { API_ROUTES, portalPolicy } from "../../infra/entry-policies.js";
import * as naming from "../../infra/naming.js";
import { KUBERNETES_STAGES, perRole, STAGES } from "../../infra/stages.js";
import { fakeDay2Resources } from "../../statemachine/day2-resources.js";
import { DEPLOY_ERRORS, deployDefinition } from "../../statemachine/deploy.js";
import { DESTROY_ERRORS, destroyDefinition } from "../../statemachine/destroy.js";
import { driftCheckDefinition } from "../../statemachine/drift-check.js";
import { fakeDeployResources } from "../../statemachine/resources.js";
import { REPLACING_ERRORS, STAGE_TRANSIENT_ERRORS } from "../../statemachine/retry.js";
import { allStates } from "../../statemachine/walk.js";
import { codeSpans, README, ROOT, section, type Table, table } from "./markdown.js";

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const sstConfig = read("sst.config.ts");
const STAGE = "<stage>";

/** Every .ts file under a directory of the repository. */
const sourcesUnder = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f));

/** A table's rows keyed by the code span in their first cell (one name per row). */
function rowsByName(t: Table): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const row of t.rows) {
    const names = codeSpans(row[0] ?? "");
    expect(names, `row "${row[0]}" names one thing in its first cell`).toHaveLength(1);
    const name = names[0] ?? "";
    expect(rows.has(name), `${name} has one row`).toBe(false);
    rows.set(name, row);
  }
  return rows;
}

// ------------------------------------------------------------------------------------------------ Errors

/** The named errors of functions/lib/errors.ts, read from its text (bundlers rename classes; the names are literals). */
const ERRORS_TS = read("functions/lib/errors.ts");
const LIB_ERRORS = [...ERRORS_TS.matchAll(/override readonly name = "(\w+)"/g)].map((m) => m[1] ?? "");
const WORKFLOW_ERRORS: Record<string, "Deploy" | "Destroy"> = {
  ...Object.fromEntries(Object.values(DEPLOY_ERRORS).map((e) => [e, "Deploy" as const])),
  ...Object.fromEntries(Object.values(DESTROY_ERRORS).map((e) => [e, "Destroy" as const])),
};
const DEFINITIONS = {
  Deploy: deployDefinition(fakeDeployResources()),
  DriftCheck: driftCheckDefinition(fakeDay2Resources()),
  Destroy: destroyDefinition(fakeDay2Resources()),
};

const STAGE_FOLDERS = readdirSync(join(ROOT, "functions")).filter(
  (f) => f !== "lib" && statSync(join(ROOT, "functions", f)).isDirectory(),
);
const throwsIt = (file: string, error: string) => new RegExp(`new ${error}\\(`).test(read(file));
/** Stage folders whose own code throws the error. */
const directThrowers = (error: string) =>
  STAGE_FOLDERS.filter((folder) => sourcesUnder(`functions/${folder}`).some((f) => throwsIt(f, error)));
/** Shared-library files that throw the error (for every stage that uses them). */
const libThrowers = (error: string) =>
  sourcesUnder("functions/lib").filter((f) => f !== "functions/lib/errors.ts" && throwsIt(f, error));
/** Whether a stage folder imports a library file (directly). */
const imports = (folder: string, libFile: string) => {
  const module = libFile.replace(/^functions\/lib\//, "").replace(/\.ts$/, ".js");
  return sourcesUnder(`functions/${folder}`).some((f) => read(f).includes(`from "../lib/${module}"`));
};

/** The states of a workflow that raise a named error (a Pass or Fail state that sets `Error`). */
const raisingStates = (workflow: keyof typeof DEFINITIONS, error: string) =>
  [...allStates(DEFINITIONS[workflow])]
    .filter(([, s]) => {
      const state = s as { Error?: unknown; Parameters?: { Error?: unknown } };
      return (state.Error ?? state.Parameters?.Error) === error;
    })
    .map(([name]) => name);

describe("README Errors", () => {
  const errors = table(section("## Errors"), "Error", "Raised by", "Retried", "Meaning", "What to do");
  const rows = rowsByName(errors);

  it("has one row per named error of functions/lib/errors.ts and of the state machines, and no other", () => {
    expect(LIB_ERRORS.length).toBe(ERRORS_TS.match(/extends OrchestratorError/g)?.length);
    const named = [...LIB_ERRORS, ...Object.keys(WORKFLOW_ERRORS)];

    expect(
      named.filter((e) => !rows.has(e)),
      "named errors without a row: add | `Name` | raised by | retried | meaning | what to do |",
    ).toEqual([]);
    expect(
      [...rows.keys()].filter((e) => !named.includes(e)),
      "rows naming no error of errors.ts or the state machines",
    ).toEqual([]);
  });

  it.each(LIB_ERRORS)("names the stages and shared modules that raise %s", (error) => {
    const raisedBy = rows.get(error)?.[1] ?? "";
    const spans = codeSpans(raisedBy);
    const folders = spans.filter((s) => STAGE_FOLDERS.includes(s));
    const libs = spans.filter((s) => s.startsWith("functions/lib/"));
    const fromLib = libThrowers(error);

    // Every stage whose own code throws it is named, and every module of functions/lib that throws it.
    expect(folders).toEqual(expect.arrayContaining(directThrowers(error)));
    expect(libs.sort()).toEqual(fromLib.sort());
    // A named stage throws it itself or through a named module it imports.
    for (const folder of folders)
      expect(
        directThrowers(error).includes(folder) || fromLib.some((lib) => imports(folder, lib)),
        `${folder} raises ${error}`,
      ).toBe(true);
    if (!directThrowers(error).length && !fromLib.length) expect(raisedBy).toMatch(/no longer raised/);
  });

  it.each(Object.entries(WORKFLOW_ERRORS))("names the states that raise %s (%s workflow)", (error, workflow) => {
    const raisedBy = rows.get(error)?.[1] ?? "";
    const states = [...raisedBy.matchAll(/_([^_]+)_/g)].map((m) => m[1]);

    expect(raisedBy.startsWith(`${workflow}: `), raisedBy).toBe(true);
    expect(states.sort()).toEqual(raisingStates(workflow, error).sort());
  });

  it("says which errors the state machine retries", () => {
    const retried = [...rows].filter(([, row]) => (row[2] ?? "").startsWith("yes")).map(([name]) => name);
    const named = new Set<string>([...LIB_ERRORS, ...Object.keys(WORKFLOW_ERRORS)]);

    expect(retried.sort()).toEqual([...STAGE_TRANSIENT_ERRORS, ...REPLACING_ERRORS].filter((e) => named.has(e)).sort());
    for (const [name, row] of rows) expect(row[2], name).toMatch(/^(yes|no)\b/);
  });

  it("says for every error what it means and what to do", () => {
    for (const [name, row] of rows) {
      expect(row[3]?.length, `${name}: meaning`).toBeGreaterThan(10);
      expect(row[4], `${name}: what to do`).toBeTruthy();
    }
  });
});

// ------------------------------------------------------------------------------------------------ The stack

describe("README Deploying the stack", () => {
  const deploying = section("## Deploying the stack");
  const resources = table(deploying, "Resource", "Components", "Purpose");
  const row = (starts: RegExp) => {
    const found = resources.rows.filter((r) => starts.test(r[0] ?? ""));
    expect(found, `one resource row matching ${starts}`).toHaveLength(1);
    return found[0]?.join(" | ") ?? "";
  };

  it("lists every kind of resource sst.config.ts creates, and no other", () => {
    const created = new Set([...sstConfig.matchAll(/new ((?:aws|sst\.aws)\.[\w.]+)\(/g)].map((m) => m[1]));
    const listed = new Set(resources.rows.flatMap((r) => codeSpans(r[1] ?? "")));

    expect([...listed].sort()).toEqual([...created].sort());
  });

  it("names every IAM role sst.config.ts names", () => {
    const roles = [...sstConfig.matchAll(/(?:new aws\.iam\.Role|serviceRole)\(\s*"(\w+)"/g)].map((m) => m[1] ?? "");
    const names = resources.rows.flatMap((r) => codeSpans(r[0] ?? ""));

    expect(roles.length).toBeGreaterThan(3);
    expect(names).toEqual(expect.arrayContaining(roles));
  });

  it("counts the Lambda functions, their roles and the Kubernetes stages that share one", () => {
    const lambdas = row(/Lambda functions/);
    const roles = Object.keys(perRole((r) => r)).length;

    expect(lambdas).toMatch(
      new RegExp(
        `^${STAGES.length} Lambda functions \`${naming.functionName(STAGE, "<folder>")}\` with ${roles} roles`,
      ),
    );
    expect(lambdas).toContain(`the ${KUBERNETES_STAGES.length} stages that call a Kubernetes API`);
  });

  it("names each CodeBuild project, state machine and log group as infra/naming.ts builds them", () => {
    const builds = row(/CodeBuild projects/);
    expect(builds).toMatch(new RegExp(`^${naming.BUILD_JOBS.length} CodeBuild projects`));
    for (const job of naming.BUILD_JOBS) expect(builds).toContain(`\`${naming.projectName(STAGE, job)}\``);
    expect(builds).toContain(`\`${naming.buildLogGroupName(STAGE)}\``);
    // sst.config.ts makes one project per build of statemachine/stages.ts, whose jobs BUILD_JOBS lists.
    expect(sstConfig).toContain("BUILD_KEYS.map((key) => [key, buildProject(BUILDS[key])])");

    const machines = row(/state machines/);
    expect(machines).toMatch(new RegExp(`^${naming.STATE_MACHINES.length} state machines`));
    for (const machine of naming.STATE_MACHINES)
      expect(machines).toContain(`\`${naming.stateMachineName(STAGE, machine)}\``);
    expect(machines).toContain(`\`${naming.stateMachineLogGroupName(STAGE, "<machine>")}\``);
    expect(sstConfig.match(/= stateMachine\(/g)).toHaveLength(naming.STATE_MACHINES.length);

    expect(row(/KMS key/)).toContain(`\`${naming.secretsKeyAlias(STAGE)}\``);
    expect(row(/DynamoDB table/)).toContain(`\`${naming.registryTableName(STAGE)}\``);
    expect(row(/Scheduler schedule/)).toContain(`\`${naming.driftScheduleName(STAGE)}\``);
    expect(row(/HTTP API/)).toMatch(new RegExp(`^HTTP API \`PortalApi\`, ${API_ROUTES.length} routes`));
  });

  it("lists every output of sst.config.ts in its order, each with what it is", () => {
    const returned = sstConfig.slice(sstConfig.lastIndexOf("    return {"));
    const outputs = [...returned.matchAll(/^ {6}(\w+):/gm)].map((m) => m[1]);
    const listed = rowsByName(table(deploying, "Output", "What it is"));

    expect([...listed.keys()]).toEqual(outputs);
    for (const [name, r] of listed) expect(r[1], name).toBeTruthy();
  });
});

// ------------------------------------------------------------------------------------------------ Operating

describe("README Operating the platform", () => {
  it("lists the portal API's routes as infra/entry-policies.ts defines them", () => {
    const routes = table(section("### The portal API"), "route", "does");

    expect(routes.rows.map((r) => codeSpans(r[0] ?? "")[0])).toEqual([...API_ROUTES]);
  });

  it("shows the portal policy portalPolicy() builds", () => {
    const json = /```json\n([\s\S]+?)\n```/.exec(section("### The portal API"))?.[1] ?? "";
    const policy = portalPolicy({ partition: "aws", account: "<account>", region: "<region>" }, "<api id>");

    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(policy)));
  });

  it("names every status a registry item can have", () => {
    const statuses = codeSpans(/`status` \(([^)]+)\)/.exec(section("## Operating the platform"))?.[1] ?? "");

    expect(statuses).toEqual([...DEPLOYMENT_STATUSES]);
  });
});

// ------------------------------------------------------------------------------------------------ Input reference

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  required?: string[];
  default?: unknown;
}

/**
 * The plan's field paths as the table lists them: an object's fields (not the object), an array of objects itself
 * and its items' fields (`members`, `members[].name`), and everything else (unions, arrays of values) as one field.
 */
function fieldPaths(node: SchemaNode, prefix = ""): { path: string; node: SchemaNode; required: boolean }[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const required = (node.required ?? []).includes(key);
    if (child.properties && !child.anyOf) return fieldPaths(child, path);
    if (child.items?.properties) return [{ path, node: child, required }, ...fieldPaths(child.items, `${path}[]`)];
    return [{ path, node: child, required }];
  });
}

/** Whether a dotted path (`vpc.create.cidr`, `members[].syncMode`) names a field of the schema, in any union branch. */
function resolves(node: SchemaNode | undefined, segments: string[]): boolean {
  if (!node) return false;
  if (!segments.length) return true;
  if (node.anyOf) return node.anyOf.some((branch) => resolves(branch, segments));
  const [first = "", ...rest] = segments;
  if (first.endsWith("[]")) {
    const array = node.properties?.[first.slice(0, -2)];
    return resolves(array?.items, rest);
  }
  return resolves(node.properties?.[first], rest);
}

describe("README Input reference", () => {
  const schema = planJsonSchema() as SchemaNode;
  const fields = rowsByName(table(section("## Input reference"), "Field", "Default", "Rules"));
  const paths = fieldPaths(schema);

  it("has a row for every field of functions/lib/plan.ts", () => {
    const missing = paths.map((p) => p.path).filter((p) => !fields.has(p));

    expect(missing, "fields without a row in README Input reference").toEqual([]);
  });

  it("lists only fields the plan has", () => {
    const unknown = [...fields.keys()].filter((p) => !resolves(schema, p.split(".")));

    expect(unknown, "rows naming no field of functions/lib/plan.ts").toEqual([]);
  });

  it("marks exactly the required fields required, and gives every other default as the schema has it", () => {
    for (const { path, node, required } of paths) {
      const cell = fields.get(path)?.[1] ?? "";
      if (required) {
        expect(cell, path).toBe("required");
        continue;
      }
      expect(cell, path).not.toBe("required");
      const [literal] = codeSpans(cell);
      if (literal === undefined) continue;
      // A default is either the schema's own value (JSON) or another field it falls back to (`region`).
      if (fields.has(literal)) continue;
      expect(JSON.parse(literal), path).toEqual(node.default);
    }
  });
});

// ------------------------------------------------------------------------------------------------ The rest

describe("README scripts, examples and layout", () => {
  it("describes every npm script of package.json", () => {
    const scripts = Object.keys(JSON.parse(read("package.json")).scripts);
    const listed = rowsByName(table(section("## Set up and test"), "Script", "Does"));

    expect([...listed.keys()]).toEqual(scripts.map((s) => (s === "test" ? "npm test" : `npm run ${s}`)));
  });

  it("names every example plan", () => {
    const examples = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".json"));
    const starting = section("## Starting a deployment");

    for (const example of examples) expect(starting).toContain(`\`${example}\``);
  });

  it("shows every top-level directory of the repository in its layout", () => {
    const ignored = read(".gitignore")
      .split("\n")
      .map((l) => l.trim().replace(/\/$/, ""));
    const directories = readdirSync(ROOT).filter(
      (f) => !f.startsWith(".") && !ignored.includes(f) && statSync(join(ROOT, f)).isDirectory(),
    );
    const block = /```\n([\s\S]+?)\n```/.exec(section("## Repository layout"))?.[1] ?? "";
    const listed = block
      .split("\n")
      .map((l) => l.split(/\s+/)[0] ?? "")
      .filter((name) => name.endsWith("/"))
      .map((name) => name.slice(0, -1));

    expect(listed.sort()).toEqual(directories.sort());
    for (const name of listed) expect(existsSync(join(ROOT, name))).toBe(true);
  });

  it("links only to headings it has", () => {
    const slug = (heading: string) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N} -]/gu, "")
        .replace(/ /g, "-");
    const anchors = new Set([...README.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1] ?? "")));
    const links = [...README.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1] ?? "");

    expect(links.filter((l) => !anchors.has(l))).toEqual([]);
  });
});
