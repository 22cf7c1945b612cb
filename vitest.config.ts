import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Handlers read AWS settings from the environment; tests never reach a real account.
    env: {
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: "AKIDTESTTESTTESTTEST",
      AWS_SECRET_ACCESS_KEY: "test-secret-key-not-real",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    },
  },
});
