/**
 * The deployment registry on the simulated cloud: a SimAccount (local/sim) with the registry table, started once per
 * test file, and a real DynamoDB document client pointed at it. Every read, write, update and condition expression is
 * the simulator's (local/sim/aws/dynamodb.ts); this file only starts it, seeds it and reads it back.
 *
 *   const table = useSimTable();            // at the top of a test file: beforeAll / afterAll / beforeEach hooks
 *   await table.put({ deploymentName: "demo", status: "DEPLOYED" });
 *   await stage(input, { ...deps, registry: table.registry });
 *   expect(await table.get("demo")).toMatchObject({ status: "DEPLOYED" });
 *
 * The table is emptied before each test. Seeding and reading go through the same document client (so through the
 * SDK's marshalling, as the stages' writes do); `stored` is the table as the simulator keeps it (wire form), for
 * state the API would refuse to write.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type DeploymentRecord, type Registry, registryClient } from "../../../functions/lib/registry.js";
import { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import type { RequestHook } from "../../../local/sim/aws/server.js";
import type { TableRecord } from "../../../local/sim/state.js";

export const TABLE = "eko-test-registry";
export const REGION = "eu-central-1";
const ACCOUNT_ROLE = "arn:aws:iam::123456789012:role/eko-test";
/** Not a secret: the simulator checks no signatures unless given policies, which this account has none of. */
const CREDENTIALS = { accessKeyId: "AKIDSIMTABLE", secretAccessKey: "sim-table-not-a-secret" };

/** A DynamoDB operation as the simulator records it. */
export type TableOperation = "GetItem" | "PutItem" | "UpdateItem" | "DeleteItem" | "Scan" | "Query";

export interface SimTable {
  readonly sim: SimAccount;
  /** What stages and the API take as `registry`. */
  readonly registry: Registry;
  /** The table as the simulator keeps it: items in wire form (AttributeValue maps) by their key. */
  readonly stored: TableRecord;
  /** Writes a whole record (PutItem). */
  put(record: Partial<DeploymentRecord> & { deploymentName: string }): Promise<void>;
  /** Reads a record back (GetItem, strongly consistent). */
  get(name: string): Promise<DeploymentRecord | undefined>;
  /** Empties the table (as before each test). */
  clear(): void;
  /** How many items the table holds. */
  size(): number;
  /** The DynamoDB operations the simulator answered in this test, in order (seeding included). */
  operations(): string[];
  /** Runs `hook` right before the simulator applies the next `operation` (to stage a race). */
  beforeNext(operation: TableOperation, hook: RequestHook): void;
  /**
   * The next `operation` answers this error instead. DynamoDB answers its errors with HTTP 400, throttling included
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.MessagesAndCodes).
   */
  failNext(operation: TableOperation, code: string, message: string): void;
}

/** What else the table's account has. */
export interface SimTableOptions {
  /** State machine ARNs StartExecution accepts (test/support/sim/executions.ts). @default none */
  stateMachines?: string[];
}

/** Starts an account with the registry table (stop it when done). */
export async function startSimTable(options: SimTableOptions = {}): Promise<SimAccount> {
  const sim = new SimAccount({
    seed: 1,
    defaultVpcs: false,
    identities: { credentials: [], codebuildRoleArn: ACCOUNT_ROLE },
    projects: {},
    kmsKeyId: "alias/test",
    tables: [{ region: REGION, name: TABLE, hashKey: "deploymentName" }],
    ...(options.stateMachines ? { stateMachines: options.stateMachines } : {}),
  });
  await sim.start();
  return sim;
}

/**
 * The registry table for the tests of this file: the account starts in `beforeAll`, stops in `afterAll`, and the table
 * is emptied (and hooks dropped) in `beforeEach`. Call it at the top of the file, before hooks that seed the table.
 */
export function useSimTable(options: SimTableOptions = {}): SimTable {
  let started: { sim: SimAccount; registry: Registry; firstCall: number } | undefined;
  const running = () => {
    if (!started) throw new Error("useSimTable(): the simulated account starts in beforeAll");
    return started;
  };
  const stored = () => {
    const table = running().sim.region(REGION).tables?.[TABLE];
    if (!table) throw new Error(`the simulated account has no table ${TABLE}`);
    return table;
  };

  beforeAll(async () => {
    // Files share modules (vitest isolate: false): a stub another file left on the DynamoDB clients must not answer.
    for (const client of [DynamoDBClient, DynamoDBDocumentClient])
      (client.prototype.send as { restore?: () => void }).restore?.();
    const sim = await startSimTable(options);
    const doc = registryClient({ region: REGION, endpoint: sim.aws.url, credentials: CREDENTIALS, maxAttempts: 1 });
    started = { sim, registry: { doc, tableName: TABLE }, firstCall: 0 };
  });
  afterAll(async () => {
    await started?.sim.stop();
    started = undefined;
  });
  beforeEach(() => {
    const s = running();
    stored().items = {};
    s.sim.aws.clearHooks();
    s.firstCall = s.sim.aws.calls.length;
  });

  return {
    get sim() {
      return running().sim;
    },
    get registry() {
      return running().registry;
    },
    get stored() {
      return stored();
    },
    async put(record) {
      const { registry } = running();
      await registry.doc.send(new PutCommand({ TableName: TABLE, Item: record }));
    },
    async get(name) {
      const { registry } = running();
      const { Item } = await registry.doc.send(
        new GetCommand({ TableName: TABLE, Key: { deploymentName: name }, ConsistentRead: true }),
      );
      return Item as DeploymentRecord | undefined;
    },
    clear() {
      stored().items = {};
    },
    size: () => Object.keys(stored().items).length,
    operations() {
      const s = running();
      return s.sim.aws.calls
        .slice(s.firstCall)
        .filter((c) => c.service === "dynamodb")
        .map((c) => c.operation);
    },
    beforeNext(operation, hook) {
      running().sim.aws.beforeNext("dynamodb", operation, hook);
    },
    failNext(operation, code, message) {
      running().sim.aws.beforeNext("dynamodb", operation, () => {
        throw new AwsError(code, message, 400);
      });
    },
  };
}
