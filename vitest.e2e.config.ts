import { defineConfig } from "vitest/config";

/**
 * The real-Kubernetes suite (`npm run e2e`): the stages and buildspecs against real etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, kwok and Karmada processes on loopback (e2e/harness). Not part of
 * `npm test`: it needs the binaries `npm run e2e:build` makes and the AWS CLI scripts/awscli/install.sh installs.
 */
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    environment: "node",
    // One test bed (a dozen processes) per file; files run one after another.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    env: { POWERTOOLS_LOG_LEVEL: "SILENT" },
  },
});
