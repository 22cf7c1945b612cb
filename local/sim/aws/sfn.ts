// Source: local/sim/SOURCES.md § aws/sfn.ts
/**
 * Simulated AWS Step Functions API (JSON 1.0): StartExecution, DescribeExecution and GetExecutionHistory, as the
 * day-2 stages and the API call them (DriftRemediate starts a Deploy; the registry asks whether a lock holder still
 * runs; GET /deployments/{name} reads the current step). A started execution is recorded RUNNING; the local runner
 * runs it afterwards on the same account and records how it ended.
 */
import type { SimAccount } from "../account.js";
import type { ExecutionRecord, HistoryEventRecord } from "../state.js";
import { AwsError, notImplemented } from "./protocol.js";

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** The executions of the account (older saved accounts have none). */
export function executionsOf(sim: SimAccount): ExecutionRecord[] {
  sim.state.executions ??= [];
  return sim.state.executions;
}

/**
 * Execution names: 1–80 characters, no white space, brackets, wildcards, control characters (\p{Cc}) or any of
 * the characters " # % \ ^ | ~ ` $ & , ; : /
 * (botocore stepfunctions `StartExecutionInput.name`, shape `Name`).
 */
const VALID_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

export function handleStepFunctions(
  sim: SimAccount,
  region: string,
  operation: string,
  body: Record<string, unknown>,
): unknown {
  const executions = executionsOf(sim);
  switch (operation) {
    case "StartExecution": {
      const stateMachineArn = String(body.stateMachineArn ?? "");
      const parts = stateMachineArn.split(":");
      if (parts[2] !== "states" || parts[5] !== "stateMachine" || !parts[6])
        throw new AwsError("InvalidArn", `Invalid Arn: '${stateMachineArn}'`);
      if (!sim.stateMachines.has(stateMachineArn))
        throw new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${stateMachineArn}'`);
      const name = String(body.name ?? sim.random.uuid());
      if (!VALID_NAME.test(name)) throw new AwsError("InvalidName", `Invalid Name: '${name}'`);
      const input = String(body.input ?? "{}");
      try {
        JSON.parse(input);
      } catch {
        throw new AwsError("InvalidExecutionInput", "Invalid execution input: not JSON");
      }
      const executionArn = [...parts.slice(0, 5), "execution", parts[6], name].join(":");
      const existing = executions.find((e) => e.executionArn === executionArn);
      if (existing) {
        // Same name and input while running is idempotent; anything else is a reused name.
        if (existing.status === "RUNNING" && existing.input === input)
          return { executionArn, startDate: seconds(existing.startDate) };
        throw new AwsError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
      }
      const record: ExecutionRecord = {
        executionArn,
        stateMachineArn,
        name,
        input,
        status: "RUNNING",
        startDate: sim.now(),
      };
      executions.push(record);
      return { executionArn, startDate: seconds(record.startDate) };
    }
    case "DescribeExecution": {
      const arn = String(body.executionArn ?? "");
      const record = executions.find((e) => e.executionArn === arn);
      if (!record) throw new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
      return {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: seconds(record.startDate),
        ...(record.stopDate !== undefined ? { stopDate: seconds(record.stopDate) } : {}),
        input: record.input,
        ...(record.output !== undefined ? { output: record.output } : {}),
        ...(record.error ? { error: record.error } : {}),
        ...(record.cause ? { cause: record.cause } : {}),
      };
    }
    case "GetExecutionHistory": {
      const arn = String(body.executionArn ?? "");
      const record = executions.find((e) => e.executionArn === arn);
      if (!record) throw new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
      const events = historyOf(record, body.includeExecutionData !== false);
      if (body.reverseOrder === true) events.reverse();
      // maxResults: 0–1000, "The default is 100 … A value of 0 uses the default" (shape PageSize). nextToken is
      // opaque; one the service did not hand out is InvalidToken ("The provided token is not valid").
      const size = Number(body.maxResults ?? 0) || 100;
      if (size < 0 || size > 1000)
        throw new AwsError("ValidationException", `maxResults must be between 0 and 1000, got ${size}`);
      const token = body.nextToken === undefined ? undefined : String(body.nextToken);
      const from = token === undefined ? 0 : Number(/^page-(\d+)$/.exec(token)?.[1] ?? Number.NaN);
      if (!Number.isInteger(from) || from > events.length) throw new AwsError("InvalidToken", "Invalid Token");
      const page = events.slice(from, from + size);
      return {
        events: page,
        ...(from + size < events.length ? { nextToken: `page-${from + size}` } : {}),
      };
    }
    default:
      throw notImplemented("Step Functions", `${operation} (${region})`);
  }
}

/** The closing event of each closed status (botocore stepfunctions enum `HistoryEventType`). */
const CLOSING: Partial<Record<ExecutionRecord["status"], string>> = {
  SUCCEEDED: "ExecutionSucceeded",
  FAILED: "ExecutionFailed",
  ABORTED: "ExecutionAborted",
  TIMED_OUT: "ExecutionTimedOut",
};

/**
 * An execution's history oldest first, as GetExecutionHistory returns it (shape `HistoryEvent`: `timestamp`, `type`,
 * `id`, `previousEventId`, one `<type>EventDetails`): ExecutionStarted (with the input unless `includeExecutionData`
 * is false), the recorded events, and the closing event of a closed execution (`executionSucceededEventDetails.output`,
 * `execution{Failed,Aborted,TimedOut}EventDetails.error/cause`). Ids count from 1.
 */
function historyOf(record: ExecutionRecord, includeData: boolean): Record<string, unknown>[] {
  const recorded: (HistoryEventRecord & { details?: [string, Record<string, unknown>] })[] = [
    {
      type: "ExecutionStarted",
      timestamp: record.startDate,
      details: ["executionStartedEventDetails", includeData ? { input: record.input } : {}],
    },
    ...(record.history ?? []),
  ];
  const closing = CLOSING[record.status];
  if (closing) {
    const key = `${closing[0]?.toLowerCase()}${closing.slice(1)}EventDetails`;
    const details =
      record.status === "SUCCEEDED"
        ? includeData && record.output !== undefined
          ? { output: record.output }
          : {}
        : { ...(record.error ? { error: record.error } : {}), ...(record.cause ? { cause: record.cause } : {}) };
    recorded.push({ type: closing, timestamp: record.stopDate ?? record.startDate, details: [key, details] });
  }
  return recorded.map((event, i) => {
    const detailsKey = event.state
      ? event.type.endsWith("StateEntered")
        ? "stateEnteredEventDetails"
        : event.type.endsWith("StateExited")
          ? "stateExitedEventDetails"
          : undefined
      : undefined;
    return {
      id: i + 1,
      ...(i > 0 ? { previousEventId: i } : {}),
      type: event.type,
      timestamp: seconds(event.timestamp),
      ...(event.details ? { [event.details[0]]: event.details[1] } : {}),
      ...(detailsKey ? { [detailsKey]: { name: event.state } } : {}),
    };
  });
}
