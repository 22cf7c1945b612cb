/**
 * Step Functions executions, EventBridge events and CloudWatch metrics on the registry table's simulated account
 * (test/support/sim/table.ts): real SFN / EventBridge / CloudWatch clients pointed at it, executions seeded as plain
 * data (`sim.state.executions`), and what the code under test started, sent and published read back from the
 * account (`sim.state`, the call log). Every answer is the simulator's (local/sim/aws/sfn.ts, observability.ts).
 *
 *   const table = useSimTable({ stateMachines: [DEPLOY_SM] });
 *   const sfn = useSimExecutions(table);
 *   sfn.seed({ arn: execution("run-1"), status: "RUNNING" });
 *   await startExclusive({ registry: table.registry, sfn: sfn.client, now }, request);
 *   expect(sfn.calls("StartExecution")).toEqual([]);
 *
 * Before each test the account forgets its executions, events and metrics.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SFNClient } from "@aws-sdk/client-sfn";
import { beforeAll, beforeEach } from "vitest";
import type { AwsClients } from "../../../functions/lib/aws.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import type { EventRecord, ExecutionRecord, HistoryEventRecord, MetricRecord } from "../../../local/sim/state.js";
import { restoreAwsClients } from "../aws-mocks.js";
import { simClients, simCredentials } from "./aws.js";
import { REGION, type SimTable } from "./table.js";

/** A Step Functions operation the simulator answers. */
export type ExecutionOperation = "StartExecution" | "DescribeExecution" | "GetExecutionHistory";

/** An execution to seed: its ARN names its state machine and name. */
export interface SeedExecution {
  arn: string;
  status: ExecutionRecord["status"];
  /** @default "{}" */
  input?: string;
  error?: string;
  cause?: string;
  output?: string;
  /** Events between ExecutionStarted and the closing event, oldest first. */
  history?: HistoryEventRecord[];
}

export interface SimExecutions {
  /** An SFN client of the table's region, sending to the simulator. */
  readonly client: SFNClient;
  /** What stages and the API take as `aws` (every client of every region sends to the simulator). */
  readonly aws: AwsClients;
  readonly events: EventBridgeClient;
  readonly metrics: CloudWatchClient;
  /** Adds executions as Step Functions would hold them. */
  seed(...executions: SeedExecution[]): void;
  /** The executions the account holds (seeded and started). */
  executions(): ExecutionRecord[];
  /**
   * The parameters of each `operation` of `service` (SigV4 name: `states` Step Functions, `events` EventBridge,
   * `monitoring` CloudWatch) the account received in this test, in order.
   */
  calls(
    operation: ExecutionOperation | "PutEvents" | "PutMetricData",
    service?: "states" | "events" | "monitoring",
  ): Record<string, unknown>[];
  /** The EventBridge events put in this test. */
  sent(): EventRecord[];
  /** The CloudWatch metric data put in this test. */
  published(): MetricRecord[];
  /**
   * The next `operation` (whose parameters satisfy `when`, if given) answers this error. Step Functions answers its
   * errors with HTTP 400 (botocore stepfunctions: every error shape is a client error, e.g. `AccessDeniedException`
   * on StartExecution answers `states:StartExecution` denied by IAM).
   */
  failNext(
    operation: ExecutionOperation,
    code: string,
    message: string,
    when?: (params: Record<string, unknown>) => boolean,
  ): void;
}

/** The SigV4 service of the EventBridge and CloudWatch operations (the others are Step Functions', `states`). */
const SERVICE_OF: Record<string, "events" | "monitoring"> = { PutEvents: "events", PutMetricData: "monitoring" };

/** Step Functions (and EventBridge, CloudWatch) on `table`'s account. Call right after `useSimTable()`. */
export function useSimExecutions(table: SimTable): SimExecutions {
  let clients: { aws: AwsClients; events: EventBridgeClient; metrics: CloudWatchClient } | undefined;
  let firstCall = 0;
  const ready = () => {
    if (!clients) throw new Error("useSimExecutions(): the clients are made in beforeAll");
    return clients;
  };

  beforeAll(() => {
    // Files share modules (vitest isolate: false): a stub another file left on a client must not answer.
    restoreAwsClients();
    const config = { region: REGION, endpoint: table.sim.aws.url, credentials: simCredentials, maxAttempts: 1 };
    clients = {
      aws: simClients(table.sim),
      events: new EventBridgeClient(config),
      metrics: new CloudWatchClient(config),
    };
  });
  beforeEach(() => {
    const { state } = table.sim;
    state.executions = [];
    state.events = [];
    state.metrics = [];
    firstCall = table.sim.aws.calls.length;
  });

  return {
    get client() {
      return ready().aws(REGION).sfn;
    },
    get aws() {
      return ready().aws;
    },
    get events() {
      return ready().events;
    },
    get metrics() {
      return ready().metrics;
    },
    seed(...executions) {
      const state = table.sim.state;
      state.executions ??= [];
      for (const e of executions) {
        const parts = e.arn.split(":");
        state.executions.push({
          executionArn: e.arn,
          stateMachineArn: [...parts.slice(0, 5), "stateMachine", parts[6]].join(":"),
          name: parts[7] ?? "",
          input: e.input ?? "{}",
          status: e.status,
          startDate: table.sim.now(),
          ...(e.status === "RUNNING" ? {} : { stopDate: table.sim.now() }),
          ...(e.error ? { error: e.error } : {}),
          ...(e.cause ? { cause: e.cause } : {}),
          ...(e.output ? { output: e.output } : {}),
          ...(e.history ? { history: e.history } : {}),
        });
      }
    },
    executions: () => table.sim.state.executions ?? [],
    calls: (operation, service = SERVICE_OF[operation] ?? "states") =>
      table.sim.aws.calls
        .slice(firstCall)
        .filter((c) => c.service === service && c.operation === operation)
        .map((c) => c.params),
    sent: () => table.sim.state.events ?? [],
    published: () => table.sim.state.metrics ?? [],
    failNext(operation, code, message, when) {
      const hook = (params: Record<string, unknown>) => {
        if (!when || when(params)) throw new AwsError(code, message, 400);
        table.sim.aws.beforeNext("states", operation, hook); // not this one: wait for the next
      };
      table.sim.aws.beforeNext("states", operation, hook);
    },
  };
}
