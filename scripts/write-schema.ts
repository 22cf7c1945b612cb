/**
 * Writes `schema/plan.schema.json`, the JSON Schema of the execution input, from the zod schema in
 * functions/lib/plan.ts (the one source). Run `npm run schema` after changing the plan schema;
 * test/unit/plan/schema.test.ts fails while the committed file is stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { planJsonSchema } from "../functions/lib/plan.js";

/** Where the committed schema lives, relative to the repository root. */
export const PLAN_SCHEMA_PATH = "schema/plan.schema.json";

/** The committed file's exact text: pretty JSON with identification first, and a trailing newline. */
export function renderPlanSchema(): string {
  const { $schema, ...rest } = planJsonSchema();
  const document = {
    $schema,
    $id: "urn:eks-karmada-orchestrator:schema:plan",
    title: "eks-karmada-orchestrator plan",
    description:
      "Execution input of the Deploy workflow: a parent EKS cluster running Karmada, its member clusters, and the sample workload. Cross-field rules (unique names, at least 3 parent nodes, a member vpc when the member is in another region than a top-level vpc.id) are checked by ValidateInput.",
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

// Run as a script (not when a test imports it).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = new URL(`../${PLAN_SCHEMA_PATH}`, import.meta.url);
  writeFileSync(target, renderPlanSchema());
  console.log(`wrote ${PLAN_SCHEMA_PATH}`);
}
