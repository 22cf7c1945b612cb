// The test-only fake Kubernetes API server is gone: tests use the simulator's (test/support/sim/kube.ts). This
// re-export only keeps test/workflow/fake-day2.ts compiling until that file is deleted; delete it with it.
export { type FakeKubeApiServer, startKubeApiServer } from "./sim/kube.js";
