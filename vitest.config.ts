import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The differential suite needs moto (Python): `npm run test:differential`, vitest.differential.config.ts.
    exclude: [...configDefaults.exclude, "test/differential/**"],
    environment: "node",
    setupFiles: ["test/setup.ts"],
    // Test files share one module graph per worker: loading the AWS SDK and the Kubernetes client once instead of
    // per file makes the suite ~4x faster. Every file resets its own mocks and servers.
    isolate: false,
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
