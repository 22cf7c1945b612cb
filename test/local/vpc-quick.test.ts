import { readFileSync } from "node:fs";
import { beforeAll, expect, it } from "vitest";
import { runLocal } from "../../local/run.js";
import { useRealAwsClients } from "./support.js";
beforeAll(useRealAwsClients);
it("quick", async () => {
  const input = JSON.parse(readFileSync(new URL("../../examples/create-vpc.json", import.meta.url), "utf8"));
  const r = await runLocal({ input, seed: 1, startMs: Date.UTC(2030, 0, 1) });
  console.log(r.status, r.error, r.cause, r.problems, r.created);
  expect(r.status).toBe("SUCCEEDED");
}, 120_000);
