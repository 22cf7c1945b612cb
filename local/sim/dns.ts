// Source: local/sim/SOURCES.md § dns.ts
/**
 * DNS for the simulated cloud's names: an NLB's DNS name resolves to its public addresses once the NLB is
 * active, and is NXDOMAIN before, like a freshly published name. While a run is in progress, the process's
 * `node:dns` resolve functions (what the stages call) answer names under `.amazonaws.com` from the simulator and
 * pass every other name to the real resolver.
 *
 * Why not a DNS server on 127.0.0.1 with `dns.setServers`: Node's resolver (c-ares) caches answers, including
 * NXDOMAIN, so a name looked up before its NLB was active would stay unresolvable for the rest of the process.
 */

import dns from "node:dns";
import { syncBuiltinESMExports } from "node:module";

export type Answer = { addresses: string[] } | "nxdomain";

const SIMULATED = /\.amazonaws\.com\.?$/i;

const notFound = (hostname: string) =>
  Object.assign(new Error(`queryA ENOTFOUND ${hostname}`), {
    code: "ENOTFOUND",
    errno: undefined,
    syscall: "queryA",
    hostname,
  });

type Resolve4 = typeof dns.promises.resolve4;

export class SimDns {
  private saved?: { promises: Resolve4; callback: typeof dns.resolve4 };

  constructor(private readonly lookup: (name: string) => Answer) {}

  private answer(hostname: string, options?: { ttl?: boolean }): string[] | { address: string; ttl: number }[] {
    const found = this.lookup(hostname.toLowerCase().replace(/\.$/, ""));
    if (found === "nxdomain") throw notFound(hostname);
    return options?.ttl ? found.addresses.map((address) => ({ address, ttl: 60 })) : found.addresses;
  }

  /** Routes the process's resolve4 through the simulator (until {@link release}). */
  capture(): void {
    if (this.saved) return;
    const saved = { promises: dns.promises.resolve4, callback: dns.resolve4 };
    this.saved = saved;
    const promises = ((hostname: string, options?: { ttl?: boolean }) =>
      SIMULATED.test(hostname)
        ? Promise.resolve().then(() => this.answer(hostname, options))
        : saved.promises(hostname, options as never)) as Resolve4;
    const callback = ((hostname: string, ...rest: unknown[]) => {
      const done = rest.pop() as (error: Error | null, addresses?: unknown) => void;
      if (!SIMULATED.test(hostname)) return (saved.callback as (...a: unknown[]) => void)(hostname, ...rest, done);
      let result: unknown;
      try {
        result = this.answer(hostname, rest[0] as { ttl?: boolean } | undefined);
      } catch (error) {
        return process.nextTick(done, error);
      }
      process.nextTick(done, null, result);
    }) as typeof dns.resolve4;
    dns.promises.resolve4 = promises;
    dns.resolve4 = callback;
    syncBuiltinESMExports();
  }

  release(): void {
    if (!this.saved) return;
    dns.promises.resolve4 = this.saved.promises;
    dns.resolve4 = this.saved.callback;
    this.saved = undefined;
    syncBuiltinESMExports();
  }
}
