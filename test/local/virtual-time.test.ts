import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { SimClock } from "../../local/sim/clock.js";
import { SimRandom } from "../../local/sim/rng.js";
import { installVirtualTime, markTaskTimeout, simulatedRetries, simulatedWaits } from "../../local/sim/virtual-time.js";

const START = Date.UTC(2030, 0, 1);
const realDelay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a definition on simulated time; tasks are async functions of (input, clock). */
async function simulate(
  definition: object,
  tasks: Record<string, (input: unknown, clock: SimClock) => Promise<unknown>>,
  seed = 1,
) {
  const clock = new SimClock({ startMs: START });
  const restore = installVirtualTime(clock, new SimRandom(seed));
  try {
    const handlers = Object.fromEntries(
      Object.entries(tasks).map(([name, task]) => [
        name,
        (input: unknown) => {
          // Tasks here do no real I/O, so they need not hold the clock.
          const running = task(input, clock);
          markTaskTimeout(
            (definition as { States: Record<string, { TimeoutSeconds?: number }> }).States[name]?.TimeoutSeconds,
          );
          return running;
        },
      ]),
    );
    const run = new StateMachine(definition as never, { validationOptions: { noValidate: true } }).run({} as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        waitTimeOverrides: simulatedWaits(),
        retryIntervalOverrides: simulatedRetries(),
      },
    });
    const events: { type: string; timestamp: number }[] = [];
    const collecting = (async () => {
      for await (const e of run.eventLogs) events.push(e);
    })();
    let error: string | undefined;
    await run.result.catch((e: { cause?: Error }) => {
      error = e.cause?.name;
    });
    await collecting;
    return { elapsedSeconds: (clock.now() - START) / 1000, events, error };
  } finally {
    restore();
  }
}

describe("SimClock", () => {
  it("jumps to the earliest wake-up once nothing holds it, waking sleepers in order", async () => {
    const clock = new SimClock({ startMs: START });
    const woke: [string, number][] = [];

    await Promise.all([
      clock.sleep(10).then(() => woke.push(["ten", clock.now() - START])),
      clock.sleep(5).then(() => woke.push(["five", clock.now() - START])),
    ]);

    expect(woke).toEqual([
      ["five", 5000],
      ["ten", 10000],
    ]);
  });

  it("stands still while work holds it", async () => {
    const clock = new SimClock({ startMs: START });
    const release = clock.hold();
    const sleeping = clock.sleep(30);

    await realDelay(20);
    expect(clock.now()).toBe(START);

    release();
    await sleeping;
    expect(clock.now()).toBe(START + 30_000);
  });
});

describe("simulated time under aws-local-stepfunctions", () => {
  const parallelWaits = {
    StartAt: "Both",
    States: {
      Both: {
        Type: "Parallel",
        End: true,
        Branches: [
          { StartAt: "Short", States: { Short: { Type: "Wait", Seconds: 600, End: true } } },
          {
            StartAt: "Set",
            States: {
              Set: { Type: "Pass", Result: { seconds: 900 }, ResultPath: "$.poll", Next: "Long" },
              Long: { Type: "Wait", SecondsPath: "$.poll.seconds", End: true },
            },
          },
        ],
      },
    },
  };

  it("overlaps the Waits of parallel branches: the makespan is the longest branch", async () => {
    const run = await simulate(parallelWaits, {});

    expect(run.error).toBeUndefined();
    expect(run.elapsedSeconds).toBe(900);
  });

  it("stamps events and `new Date()` with simulated time", async () => {
    const run = await simulate(parallelWaits, {});

    const last = run.events.at(-1);
    expect(last?.type).toBe("ExecutionSucceeded");
    expect(last?.timestamp).toBe(START + 900_000);
  });

  const flaky = {
    StartAt: "Flaky",
    States: {
      Flaky: {
        Type: "Task",
        Resource: "arn:aws:lambda:eu-central-1:123456789012:function:flaky",
        Retry: [
          {
            ErrorEquals: ["ThrottlingException"],
            IntervalSeconds: 20,
            MaxAttempts: 3,
            BackoffRate: 2,
            JitterStrategy: "FULL",
          },
        ],
        End: true,
      },
    },
  };
  const failTwice = () => {
    let calls = 0;
    return {
      Flaky: async () => {
        if (++calls <= 2) throw Object.assign(new Error("slow down"), { name: "ThrottlingException" });
        return { ok: true };
      },
    };
  };

  it("sleeps retry backoffs in simulated time with seeded, reproducible full jitter", async () => {
    const first = await simulate(flaky, failTwice(), 42);
    const again = await simulate(flaky, failTwice(), 42);

    expect(first.error).toBeUndefined();
    expect(first.elapsedSeconds).toBeGreaterThan(0);
    expect(first.elapsedSeconds).toBeLessThanOrEqual(20 + 40);
    expect(again.events.map((e) => [e.type, e.timestamp])).toEqual(first.events.map((e) => [e.type, e.timestamp]));
  });

  it("times a Task out after its TimeoutSeconds of simulated time", async () => {
    const slow = {
      StartAt: "Slow",
      States: {
        Slow: {
          Type: "Task",
          Resource: "arn:aws:lambda:eu-central-1:123456789012:function:slow",
          TimeoutSeconds: 60,
          End: true,
        },
      },
    };

    const run = await simulate(slow, {
      Slow: async (_input, clock) => {
        await clock.sleep(3600);
        return {};
      },
    });

    expect(run.error).toBe("States.Timeout");
    expect(run.elapsedSeconds).toBe(60);
  });
});
