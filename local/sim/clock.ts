/**
 * Simulated time as a discrete-event clock. Every piece of concurrent work (a Parallel branch, a Map iteration,
 * a CodeBuild `.sync` task) either runs — a handler doing its requests, which takes no simulated time — or sleeps
 * until a simulated instant (a Wait state, a retry backoff, a build). The clock stands still while anything runs;
 * once everything sleeps it jumps to the earliest wake-up. Branches that sleep side by side therefore overlap
 * in simulated time exactly as they would on AWS, and a run's timing is independent of the machine's speed.
 *
 * `timeScale` paces the jumps against the wall clock (simulated seconds per real second) so a person can watch
 * progress; `Infinity` jumps at once (tests, benchmark).
 */

// Captured at load: the run patches the globals (see virtual-time.ts) and the clock itself must use real ones.
const realSetTimeout = globalThis.setTimeout;
const realSetImmediate = globalThis.setImmediate;

/** A sleeping piece of work; cancel it with {@link SimClock.cancel}. */
export class SimTimer {
  cancelled = false;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fire: () => void,
  ) {}
  // Node timer surface, in case a caller treats it like one.
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
}

export interface SimClockOptions {
  /** Simulated epoch milliseconds at which the clock starts. */
  startMs: number;
  /**
   * Simulated seconds per real second while the clock jumps.
   * @default Infinity (no pacing)
   */
  timeScale?: number;
}

export class SimClock {
  private nowMs: number;
  private readonly timers: SimTimer[] = [];
  private busy = 0;
  private seq = 0;
  private checkQueued = false;
  private advancing = false;
  timeScale: number;
  /** Called after each jump (progress output). */
  onAdvance?: (nowMs: number) => void;

  constructor(options: SimClockOptions) {
    this.nowMs = options.startMs;
    this.timeScale = options.timeScale ?? Number.POSITIVE_INFINITY;
  }

  /** Current simulated time, epoch milliseconds. */
  now(): number {
    return this.nowMs;
  }

  /** Runs `fire` once the clock reaches now + delay (`Infinity`: never; it only keeps a handle). */
  schedule(delayMs: number, fire: () => void): SimTimer {
    const delay = Number.isNaN(delayMs) ? 0 : Math.max(0, delayMs);
    const timer = new SimTimer(this.nowMs + delay, this.seq++, fire);
    if (Number.isFinite(timer.at)) {
      // Sorted by (at, seq): equal instants fire in the order they were scheduled.
      let i = this.timers.length;
      while (i > 0 && (this.timers[i - 1] as SimTimer).at > timer.at) i--;
      this.timers.splice(i, 0, timer);
    }
    this.kick();
    return timer;
  }

  cancel(timer: SimTimer): void {
    timer.cancelled = true;
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
    this.kick();
  }

  /** Sleeps `seconds` of simulated time. */
  sleep(seconds: number): Promise<void> {
    return new Promise((resolve) => this.schedule(seconds * 1000, resolve));
  }

  /** Sleeps until the simulated instant `atMs` (at once when it has passed). */
  sleepUntil(atMs: number): Promise<void> {
    return this.sleep(Math.max(0, atMs - this.nowMs) / 1000);
  }

  /**
   * Marks work in progress: the clock does not move until the returned release is called. Hold while running
   * (or waiting to run) real code; release before sleeping.
   */
  hold(): () => void {
    this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy--;
      this.kick();
    };
  }

  /** Runs `work` holding the clock. */
  async running<T>(work: () => Promise<T>): Promise<T> {
    const release = this.hold();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Whether nothing runs and nothing sleeps: the simulation has settled. */
  get idle(): boolean {
    return this.busy === 0 && this.timers.length === 0;
  }

  // The check runs from setImmediate: after every promise continuation of the current turn has run, so work that
  // was just woken has had its chance to hold the clock or schedule its next sleep.
  private kick(): void {
    if (this.checkQueued || this.advancing) return;
    this.checkQueued = true;
    realSetImmediate(() => {
      this.checkQueued = false;
      void this.advance();
    });
  }

  private async advance(): Promise<void> {
    if (this.busy > 0 || this.timers.length === 0) return;
    this.advancing = true;
    try {
      const first = this.timers[0] as SimTimer;
      if (Number.isFinite(this.timeScale) && first.at > this.nowMs) {
        const realMs = Math.min((first.at - this.nowMs) / this.timeScale, 60_000);
        await new Promise((resolve) => realSetTimeout(resolve, realMs));
        // Nothing can start while everything sleeps, but a cancellation may have happened.
        if (this.busy > 0 || this.timers.length === 0) return;
      }
      const next = this.timers[0] as SimTimer;
      this.nowMs = Math.max(this.nowMs, next.at);
      const due: SimTimer[] = [];
      while (this.timers.length && (this.timers[0] as SimTimer).at <= this.nowMs)
        due.push(this.timers.shift() as SimTimer);
      this.onAdvance?.(this.nowMs);
      for (const timer of due) if (!timer.cancelled) timer.fire();
    } finally {
      this.advancing = false;
      this.kick();
    }
  }
}
