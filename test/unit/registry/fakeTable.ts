/**
 * An in-memory registry table behind aws-sdk-client-mock: GetCommand, ScanCommand and UpdateCommand are answered
 * from a Map, with the update and condition expressions the registry writes evaluated for real (SET with
 * `if_not_exists`, REMOVE, `attribute_exists` / `attribute_not_exists`, `=` on nested paths, AND / OR groups).
 * So tests see the lock behave: a second claim for the same revision fails with ConditionalCheckFailedException.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import type { DeploymentRecord, Registry } from "../../../functions/lib/registry.js";

export const TABLE = "eko-test-registry";

type Item = Record<string, unknown>;
type Names = Record<string, string>;
type Values = Record<string, unknown>;

const resolvePath = (path: string, names: Names) => path.split(".").map((part) => names[part] ?? part);

function read(item: Item | undefined, path: string[]): unknown {
  return path.reduce<unknown>((o, key) => (o && typeof o === "object" ? (o as Item)[key] : undefined), item);
}

/** Splits on a separator outside parentheses. */
function splitTop(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

const unwrap = (text: string) => (text.startsWith("(") && text.endsWith(")") ? text.slice(1, -1) : text);

function evaluate(expression: string | undefined, item: Item | undefined, names: Names, values: Values): boolean {
  if (!expression) return true;
  return splitTop(expression, " AND ").every((term) =>
    splitTop(unwrap(term), " OR ").some((atom) => {
      const exists = /^attribute_(not_)?exists\((.+)\)$/.exec(atom);
      if (exists) {
        const present = read(item, resolvePath(exists[2] ?? "", names)) !== undefined;
        return exists[1] ? !present : present;
      }
      const [left, right] = atom.split(" = ");
      if (!left || !right) throw new Error(`fake table: unsupported condition ${atom}`);
      return JSON.stringify(read(item, resolvePath(left, names))) === JSON.stringify(values[right]);
    }),
  );
}

function applyUpdate(item: Item, expression: string, names: Names, values: Values): Item {
  const next = structuredClone(item);
  const [setPart = "", removePart] = expression.replace(/^SET /, "").split(" REMOVE ");
  for (const [, name = "", value = ""] of setPart.matchAll(/(#\w+) = (if_not_exists\(#\w+, :\w+\)|:\w+)/g)) {
    const key = names[name] ?? name;
    const ifNotExists = /^if_not_exists\(#\w+, (:\w+)\)$/.exec(value);
    if (ifNotExists) {
      if (next[key] === undefined) next[key] = structuredClone(values[ifNotExists[1] ?? ""]);
    } else next[key] = structuredClone(values[value]);
  }
  for (const name of removePart?.split(",").map((s) => s.trim()) ?? []) delete next[names[name] ?? name];
  return next;
}

const conditionFailed = () =>
  Object.assign(new Error("The conditional request failed"), {
    name: "ConditionalCheckFailedException",
    $metadata: {},
  });

export interface FakeTable {
  registry: Registry;
  mock: AwsClientStub<DynamoDBDocumentClient>;
  items: Map<string, Item>;
  put(record: Partial<DeploymentRecord> & { deploymentName: string }): void;
  get(name: string): DeploymentRecord | undefined;
  /** Runs `before` right before the next conditional update is evaluated (to stage a race). */
  beforeNextUpdate(before: () => void): void;
}

let shared: AwsClientStub<DynamoDBDocumentClient> | undefined;

/** Installs an empty fake table on every DynamoDBDocumentClient (call it in `beforeEach`). */
export function fakeTable(): FakeTable {
  shared ??= mockClient(DynamoDBDocumentClient);
  const mock = shared;
  mock.reset();
  const items = new Map<string, Item>();
  let before: (() => void) | undefined;
  mock.on(GetCommand).callsFake((input) => {
    const item = items.get(input.Key.deploymentName);
    return { Item: item ? structuredClone(item) : undefined };
  });
  mock.on(ScanCommand).callsFake(() => ({ Items: [...items.values()].map((i) => structuredClone(i)) }));
  mock.on(UpdateCommand).callsFake((input) => {
    const hook = before;
    before = undefined;
    hook?.();
    const key = input.Key.deploymentName as string;
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const current = items.get(key);
    if (!evaluate(input.ConditionExpression, current, names, values)) throw conditionFailed();
    items.set(key, applyUpdate(current ?? { deploymentName: key }, input.UpdateExpression, names, values));
    return {};
  });
  return {
    registry: { doc: DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-central-1" })), tableName: TABLE },
    mock,
    items,
    put: (record) => items.set(record.deploymentName, structuredClone(record)),
    get: (name) => items.get(name) as DeploymentRecord | undefined,
    beforeNextUpdate: (hook) => {
      before = hook;
    },
  };
}
