// Makes `.sst/platform` (the types sst.config.ts is checked against) available offline.
// `sst install` needs no AWS account; it is skipped when the installed platform matches the sst package.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

const wanted = JSON.parse(readFileSync("node_modules/sst/package.json", "utf8")).version;
const marker = ".sst/platform/version";
const installed = existsSync(marker) ? readFileSync(marker, "utf8").trim() : "";
if (installed === wanted && existsSync(".sst/platform/config.d.ts")) process.exit(0);

execFileSync("npx", ["sst", "install", "--stage", process.env.SST_STAGE ?? "dev"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    ...process.env,
    SST_SKIP_DEPENDENCY_CHECK: "1",
    SST_NO_BUN: "1",
    SST_TELEMETRY_DISABLED: "1",
  },
});
