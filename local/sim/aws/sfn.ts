// Source: local/sim/SOURCES.md § aws/sfn.ts
/**
 * Simulated AWS Step Functions API (JSON 1.0): StartExecution and DescribeExecution, as the day-2 stages call them
 * (DriftRemediate starts a Deploy; the registry asks whether a lock holder still runs). A started execution is
 * recorded RUNNING; the local runner runs it afterwards on the same account and records how it ended.
 */
import type { SimAccount } from "../account.js";
import type { ExecutionRecord } from "../state.js";
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
    default:
      throw notImplemented("Step Functions", `${operation} (${region})`);
  }
}
