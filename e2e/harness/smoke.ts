/**
 * Smoke check of the real binaries (`npm run e2e:smoke`): starts etcd + kube-apiserver with real TLS on free
 * loopback ports, checks /readyz and /version, prints start-up time and memory, stops both by PID and checks they
 * are gone. Groundwork for the e2e harness; needs `npm run e2e:build` first.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pinnedVersion } from "./binaries.js";
import { get, startControlPlane } from "./cluster.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const dir = mkdtempSync(join(tmpdir(), "e2e-smoke-"));
let failed = false;
try {
  const cp = await startControlPlane({ name: "smoke", dir });
  try {
    const version = JSON.parse((await get(cp, "/version")).body) as { gitVersion: string };
    const want = pinnedVersion("kubernetes");
    if (version.gitVersion !== want) throw new Error(`apiserver reports ${version.gitVersion}, pinned ${want}`);
    const namespaces = await get(cp, "/api/v1/namespaces");
    if (namespaces.status !== 200) throw new Error(`GET namespaces as admin: ${namespaces.status} ${namespaces.body}`);
    // Without the client certificate the same request is refused: TLS client auth is what lets admin in.
    const anonymous = await get(cp, "/api/v1/namespaces", true);
    if (anonymous.status !== 401 && anonymous.status !== 403)
      throw new Error(`GET namespaces anonymously: ${anonymous.status}, expected 401 or 403`);
    console.log(`kube-apiserver ${version.gitVersion} ready at ${cp.endpoint} (etcd ${pinnedVersion("etcd")}, TLS)`);
    console.log(`keys and certificates: ${cp.pkiMs} ms; etcd + kube-apiserver start to /readyz ok: ${cp.startupMs} ms`);
    for (const [name, m] of Object.entries(cp.memory()))
      console.log(`${name}: RSS ${m.rss.toFixed(0)} MiB (peak ${m.peak.toFixed(0)} MiB)`);
  } finally {
    await cp.stop();
    const survivors = [cp.apiserver, cp.etcd].filter((p) => alive(p.pid));
    if (survivors.length > 0) {
      failed = true;
      console.error(`still running after stop: ${survivors.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}`);
    } else console.log(`stopped kube-apiserver (pid ${cp.apiserver.pid}) and etcd (pid ${cp.etcd.pid})`);
  }
} catch (error) {
  failed = true;
  console.error(`e2e smoke failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`logs kept in ${dir}`);
}
if (!failed) rmSync(dir, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
