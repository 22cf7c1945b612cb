import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PLAN_SCHEMA_PATH, renderPlanSchema } from "../../../scripts/write-schema.js";

describe("schema/plan.schema.json", () => {
  it("is what the plan's zod schema produces now", () => {
    const committed = readFileSync(new URL(`../../../${PLAN_SCHEMA_PATH}`, import.meta.url), "utf8");

    expect(committed === renderPlanSchema(), `${PLAN_SCHEMA_PATH} is stale: run \`npm run schema\``).toBe(true);
  });

  it("rejects unknown top-level fields and requires the fields without defaults", () => {
    const schema = JSON.parse(renderPlanSchema());

    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["deploymentName", "region", "vpc", "members", "karmada"]);
  });
});
