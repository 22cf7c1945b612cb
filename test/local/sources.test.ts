import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * local/sim/SOURCES.md is where each modelled AWS, Kubernetes and Karmada behaviour names its source. These tests fail
 * when the simulator answers an operation or throws a code that the file's section does not list with a source.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const SIM = join(ROOT, "local/sim");
const SOURCES = readFileSync(join(SIM, "SOURCES.md"), "utf8");

/** `## <heading>` → its text. */
const SECTIONS = new Map(
  SOURCES.split(/^## /m)
    .slice(1)
    .map((chunk) => {
      const newline = chunk.indexOf("\n");
      return [chunk.slice(0, newline).trim(), chunk.slice(newline + 1)] as const;
    }),
);

/** What counts as naming a source: a model path, a repository, a spec or a documentation page. */
const SOURCE =
  /botocore|https?:\/\/|kubernetes|karmada|cloud-provider-aws|aws-iam-authenticator|errors-overview|_retry\.json|Smithy|RFC \d+/;

/** A section's entries: table rows, and bullets or paragraphs (a code listed in one must share it with a source). */
function entries(section: string): string[] {
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(paragraph.join(" "));
    paragraph = [];
  };
  for (const line of section.split("\n")) {
    if (line.startsWith("|")) {
      flush();
      out.push(line);
    } else if (!line.trim() || line.startsWith("- ")) {
      flush();
      if (line.trim()) paragraph.push(line);
    } else paragraph.push(line);
  }
  flush();
  return out;
}

/** Whether `term` (in backticks) is listed in the section on an entry that names a source. */
const listedWithSource = (section: string, term: string) =>
  entries(section).some((e) => e.includes(`\`${term}\``) && SOURCE.test(e));

const source = (file: string) => readFileSync(join(SIM, file), "utf8");
const awsServiceFiles = readdirSync(join(SIM, "aws")).filter(
  (f) => f.endsWith(".ts") && f !== "protocol.ts" && f !== "server.ts",
);

/** The operations a simulated service dispatches on: `case "CreateCluster"`, `case "GET /clusters/{}"`, `!== "PutEvents"`. */
function operationsOf(text: string): string[] {
  const names = [
    ...[...text.matchAll(/case "([^"]+)"/g)].map((m) => m[1] as string),
    ...[...text.matchAll(/operation !== "([^"]+)"/g)].map((m) => m[1] as string),
  ];
  return [...new Set(names.filter((n) => /^[A-Z][A-Za-z0-9]+$|^(GET|POST|PUT|PATCH|DELETE) \//.test(n)))];
}

/** The AWS error codes a file throws (`new AwsError("Code", …)`, and the throttling table of server.ts). */
function awsCodesOf(file: string): string[] {
  const text = source(file);
  const codes = [...text.matchAll(/new AwsError\(\s*"([^"]+)"/g)].map((m) => m[1] as string);
  if (file === "aws/server.ts") codes.push(...[...text.matchAll(/\{ code: "([^"]+)"/g)].map((m) => m[1] as string));
  return [...new Set(codes)];
}

describe("local/sim/SOURCES.md", () => {
  it.each(awsServiceFiles)("lists every operation aws/%s answers, with its source", (file) => {
    const section = SECTIONS.get(`aws/${file}`);
    const operations = operationsOf(source(`aws/${file}`));

    expect(section, `SOURCES.md has no section "## aws/${file}"`).toBeDefined();
    expect(operations.length).toBeGreaterThan(0);
    const missing = operations.filter((op) => !listedWithSource(section as string, op));
    expect(missing, `operations of aws/${file} not listed with a source in SOURCES.md`).toEqual([]);
  });

  it.each([...awsServiceFiles, "protocol.ts", "server.ts"].map((f) => `aws/${f}`))(
    "lists every AWS error code %s throws, with the model or page that defines it",
    (file) => {
      const section = SECTIONS.get(file);
      const codes = awsCodesOf(file);

      expect(section, `SOURCES.md has no section "## ${file}"`).toBeDefined();
      const missing = codes.filter((code) => !listedWithSource(section as string, code));
      expect(missing, `error codes of ${file} not listed with a source in SOURCES.md`).toEqual([]);
    },
  );

  it.each(["aws/eks.ts", "account.ts"])("lists every EKS health issue code %s reports, with its source", (file) => {
    const codes = [...source(file).matchAll(/\bcode: "([A-Za-z0-9]+)"/g)].map((m) => m[1] as string);
    const sections = [SECTIONS.get(file) ?? "", SECTIONS.get("Known differences") ?? ""];

    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((code) => !sections.some((section) => listedWithSource(section, code)))).toEqual([]);
  });

  it("lists every status and reason the simulated Kubernetes API answers, with its source", () => {
    const answers = new Set<string>();
    for (const file of readdirSync(join(SIM, "kube")).filter((f) => f.endsWith(".ts")))
      for (const m of source(`kube/${file}`).matchAll(/new KubeError\(\s*(\d+),\s*"([A-Za-z]+)"/g))
        answers.add(`${m[1]} ${m[2]}`);
    const section = SECTIONS.get("kube/store.ts") ?? "";

    expect(answers.size).toBeGreaterThan(0);
    expect([...answers].filter((a) => !listedWithSource(section, a))).toEqual([]);
  });

  it("is pointed at by the first line of every file that models AWS, Kubernetes or Karmada", () => {
    const modelling = [
      ...readdirSync(join(SIM, "aws")).map((f) => `aws/${f}`),
      ...readdirSync(join(SIM, "kube")).map((f) => `kube/${f}`),
      "karmada.ts",
      "world.ts",
      "account.ts",
      "dns.ts",
      "pki.ts",
      "virtual-time.ts",
    ].filter((f) => f.endsWith(".ts"));
    const files = [...modelling.map((f) => ({ path: join(SIM, f), section: f })), timingFile()];

    for (const { path, section } of files) {
      const first = readFileSync(path, "utf8").split("\n")[0];
      expect(first, path).toBe(`// Source: local/sim/SOURCES.md § ${section}`);
      expect(SECTIONS.has(section), `SOURCES.md section "## ${section}"`).toBe(true);
    }
  });

  it("records each known difference with the file, the simulator's behaviour, the source's and the evidence", () => {
    const rows = entries(SECTIONS.get("Known differences") ?? "").filter(
      (e) => e.startsWith("| ") && !/^\|\s*File\s*\|/.test(e) && !/^\|\s*-+\s*\|/.test(e),
    );

    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const cells = row.split(/\s\|\s/);
      expect(cells.length, row).toBeGreaterThanOrEqual(4);
      expect(SOURCE.test(cells.slice(2).join(" | ")) || /\(parallel\)/.test(row), row).toBe(true);
    }
  });
});

function timingFile() {
  return { path: join(ROOT, "functions/lib/timing.ts"), section: "timing (functions/lib/timing.ts)" };
}
