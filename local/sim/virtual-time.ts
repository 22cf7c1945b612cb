// Source: local/sim/SOURCES.md § virtual-time.ts
/**
 * Makes the simulated clock the process's notion of time for the length of a run, so the real handlers (which call
 * `new Date()`), the AWS SDK (which signs with the current time), the simulated services and the state machine
 * library all share one clock — and no handler knows it is simulated.
 *
 * Sleeps of the state machine library become simulated sleeps. aws-local-stepfunctions sleeps with the global
 * `setTimeout` in three places, each right after it reads an override table by state name:
 *   - a Wait state reads `waitTimeOverrides[state]`, then sleeps Seconds / SecondsPath / Timestamp;
 *   - a retry reads `retryIntervalOverrides[state]`, then sleeps the backoff with full jitter (`Math.random`);
 *   - a Task calls its local handler, then arms its TimeoutSeconds timer.
 * The override tables are Proxies that answer "no override" and mark the library's *next* `setTimeout` call (made
 * synchronously after the read) as simulated. The mark expires at the end of the synchronous turn, so no other
 * timer of the process is ever affected. During the retry read `Math.random` is the simulator's seeded stream,
 * so backoff jitter is reproducible.
 */
import { type SimClock, SimTimer } from "./clock.js";
import type { SimRandom } from "./rng.js";

const RealDate = globalThis.Date;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realRandom = Math.random;

type Mark = { kind: "wait" } | { kind: "retry" } | { kind: "task"; timeoutMs: number | undefined };

let installed: { clock: SimClock; random: SimRandom } | undefined;
let mark: Mark | undefined;

function setMark(next: Mark): void {
  mark = next;
  queueMicrotask(() => {
    if (mark === next) clearMark();
  });
}

function clearMark(): void {
  mark = undefined;
  Math.random = realRandom;
}

/** The simulated-time `Date`: `new Date()` and `Date.now()` read the simulated clock; everything else is Date. */
function simulatedDate(clock: SimClock): DateConstructor {
  class SimDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(clock.now());
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return clock.now();
    }
    // Dates made before the run (or by the real constructor) are still Dates.
    static override [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof RealDate;
    }
  }
  return SimDate as unknown as DateConstructor;
}

function simulatedSetTimeout(clock: SimClock) {
  return (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const current = mark;
    if (!current) return realSetTimeout(callback, ms, ...args);
    clearMark();
    const delay = current.kind === "task" ? (current.timeoutMs ?? Number.POSITIVE_INFINITY) : (ms ?? 0);
    return clock.schedule(delay, () => callback(...args));
  };
}

function simulatedClearTimeout(clock: SimClock) {
  return (handle: unknown) => {
    if (handle instanceof SimTimer) clock.cancel(handle);
    else realClearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  };
}

/** Installs simulated time; returns the function that restores real time. Only one run at a time. */
export function installVirtualTime(clock: SimClock, random: SimRandom): () => void {
  if (installed) throw new Error("a simulated run is already in progress in this process");
  installed = { clock, random };
  globalThis.Date = simulatedDate(clock);
  globalThis.setTimeout = simulatedSetTimeout(clock) as unknown as typeof setTimeout;
  globalThis.clearTimeout = simulatedClearTimeout(clock) as typeof clearTimeout;
  return () => {
    clearMark();
    globalThis.Date = RealDate;
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
    installed = undefined;
  };
}

/** `waitTimeOverrides` for aws-local-stepfunctions: every Wait sleeps its own duration in simulated time. */
export function simulatedWaits(): Record<string, number> {
  return new Proxy({} as Record<string, number>, {
    get(_target, property) {
      if (typeof property === "string") setMark({ kind: "wait" });
      return undefined;
    },
  });
}

/** `retryIntervalOverrides`: every retry backoff (with its seeded full jitter) sleeps in simulated time. */
export function simulatedRetries(): Record<string, number> {
  return new Proxy({} as Record<string, number>, {
    get(_target, property) {
      if (typeof property !== "string" || !installed) return undefined;
      const random = installed.random;
      setMark({ kind: "retry" });
      Math.random = () => random.next();
      return undefined;
    },
  });
}

/**
 * Call synchronously right before a Task's local handler returns its promise: the library's TimeoutSeconds timer,
 * armed next, runs in simulated time. Without TimeoutSeconds AWS applies none, so the timer never fires.
 */
export function markTaskTimeout(timeoutSeconds: number | undefined): void {
  setMark({ kind: "task", timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000 });
}

/** The real `Date` constructor (certificate validity is checked by OpenSSL against the real clock). */
export const realDate = RealDate;
