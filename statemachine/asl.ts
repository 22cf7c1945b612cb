/**
 * The subset of the Amazon States Language (JSONPath) this project emits, typed so builders and tests
 * cannot drift from the spec. https://states-language.net/spec.html
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Payload = { [key: string]: JsonValue };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: "FULL" | "NONE";
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}

interface Base {
  Comment?: string;
  Next?: string;
  End?: true;
}

export interface TaskState extends Base {
  Type: "Task";
  Resource: string;
  Parameters?: Payload;
  ResultSelector?: Payload;
  ResultPath?: string | null;
  OutputPath?: string;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface PassState extends Base {
  Type: "Pass";
  Parameters?: Payload;
  Result?: JsonValue;
  ResultPath?: string | null;
}

export interface WaitState extends Base {
  Type: "Wait";
  Seconds?: number;
  SecondsPath?: string;
}

export interface ChoiceRule {
  Variable: string;
  Next: string;
  BooleanEquals?: boolean;
  NumericGreaterThanEquals?: number;
  NumericGreaterThan?: number;
  StringEquals?: string;
  IsPresent?: boolean;
}
export interface CompoundChoiceRule {
  And?: Omit<ChoiceRule, "Next">[];
  Next: string;
}

export interface ChoiceState {
  Type: "Choice";
  Comment?: string;
  Choices: (ChoiceRule | CompoundChoiceRule)[];
  Default?: string;
}

export interface FailState {
  Type: "Fail";
  Comment?: string;
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
}

export interface SucceedState {
  Type: "Succeed";
  Comment?: string;
  OutputPath?: string;
}

export interface ParallelState extends Base {
  Type: "Parallel";
  Branches: StateMachineDefinition[];
  Parameters?: Payload;
  ResultSelector?: Payload;
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface MapState extends Base {
  Type: "Map";
  ItemsPath: string;
  ItemSelector?: Payload;
  ItemProcessor: StateMachineDefinition & { ProcessorConfig: { Mode: "INLINE" } };
  MaxConcurrency?: number;
  ResultSelector?: Payload;
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export type State =
  | TaskState
  | PassState
  | WaitState
  | ChoiceState
  | FailState
  | SucceedState
  | ParallelState
  | MapState;

export type States = Record<string, State>;

export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  States: States;
  TimeoutSeconds?: number;
}

/** Sets `Next`, or `End: true` when `next` is undefined. */
export const nextOrEnd = (next: string | undefined): { Next: string } | { End: true } =>
  next === undefined ? { End: true } : { Next: next };
