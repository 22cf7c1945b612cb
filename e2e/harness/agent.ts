/**
 * The karmada-agent of a pull member, as a process. `kubectl karmada register` deploys the agent as a Deployment in
 * the member (pkg/karmadactl/register/register.go@v1.18.2) with the kubeconfig it wrote into the member's
 * karmada-system/karmada-kubeconfig Secret; kwok makes that Deployment's pod Ready but runs nothing, so the test bed
 * runs the real karmada-agent binary with that kubeconfig, as the pod would. The agent then creates the member's
 * Cluster (spec.syncMode Pull) in Karmada and reports its status.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { binary } from "./binaries.js";
import { type ControlPlane, get } from "./cluster.js";
import { type Started, start } from "./processes.js";

const SECRET_PATH = "/api/v1/namespaces/karmada-system/secrets/karmada-kubeconfig";

/**
 * Waits (up to `timeoutMs`) for register's Secret in the member, then starts the agent with it; resolves with the
 * running agent, or undefined when `cancelled()` turns true first (the register build ended without writing it).
 */
export async function runAgentOnceRegistered(options: {
  plane: Pick<ControlPlane, "endpoint" | "ca" | "admin" | "kubeconfig">;
  /** The member's name in Karmada (register's --cluster-name). */
  memberName: string;
  region: string;
  dir: string;
  timeoutMs?: number;
  cancelled?: () => boolean;
}): Promise<Started | undefined> {
  const { plane, memberName, dir } = options;
  const deadline = Date.now() + (options.timeoutMs ?? 240_000);
  while (Date.now() < deadline) {
    const res = await get(plane, SECRET_PATH);
    if (res.status === 200) {
      const secret = JSON.parse(res.body) as { data?: Record<string, string> };
      const kubeconfig = Buffer.from(secret.data?.["karmada-kubeconfig"] ?? "", "base64").toString("utf8");
      const file = join(dir, `${memberName}-agent.kubeconfig`);
      writeFileSync(file, kubeconfig, { mode: 0o600 });
      // The member's own API: controller-runtime's GetConfig reads KUBECONFIG (in the pod: the service account).
      const previous = process.env.KUBECONFIG;
      process.env.KUBECONFIG = plane.kubeconfig;
      try {
        return start(
          "karmada-agent",
          binary("karmada-agent"),
          [
            `--karmada-kubeconfig=${file}`,
            `--cluster-name=${memberName}`,
            `--cluster-api-endpoint=${plane.endpoint}`,
            "--cluster-provider=aws",
            `--cluster-region=${options.region}`,
            "--cluster-status-update-frequency=10s",
            "--leader-elect=false",
            "--metrics-bind-address=0",
            "--health-probe-bind-address=0",
            "--v=2",
          ],
          join(dir, `${memberName}-agent.log`),
        );
      } finally {
        if (previous === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = previous;
      }
    }
    if (options.cancelled?.()) return undefined;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`register never wrote karmada-system/karmada-kubeconfig into ${memberName}`);
}
