import { defineConfig } from "vitest/config";

/**
 * The differential suite (`npm run test:differential`): the AWS calls the stages make go to the simulator and to
 * moto, and the outcomes are compared. Not part of `npm test` (it needs Python and installs moto on first use).
 */
export default defineConfig({
  test: {
    include: ["test/differential/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/differential/global-setup.ts"],
    // One moto_server serves every file; files reset it and so must not run at the same time.
    fileParallelism: false,
    testTimeout: 30_000,
    // A cold install of moto takes minutes (the global setup), the rest seconds.
    hookTimeout: 60_000,
    env: {
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: "AKIDTESTTESTTESTTEST",
      AWS_SECRET_ACCESS_KEY: "test-secret-key-not-real",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    },
  },
});
