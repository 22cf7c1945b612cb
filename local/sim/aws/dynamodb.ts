// Source: local/sim/SOURCES.md § aws/dynamodb.ts
/**
 * Simulated Amazon DynamoDB (JSON 1.0): GetItem, PutItem, UpdateItem, DeleteItem, Scan and Query on the tables the
 * account was given (the deployment registry), items stored in their wire form (AttributeValue maps). Expressions
 * are parsed and evaluated as DynamoDB does for what the registry uses: UpdateExpression `SET` (with `+`, `-`,
 * `if_not_exists`, `list_append`) and `REMOVE` on nested paths; condition, filter and key-condition expressions with
 * comparisons, `BETWEEN`, `IN`, `AND` / `OR` / `NOT`, `attribute_exists`, `attribute_not_exists`, `begins_with`,
 * `contains` and `size`; `#name` / `:value` placeholders. A failed condition answers
 * `ConditionalCheckFailedException`.
 */
import type { SimAccount } from "../account.js";
import type { RegionState, TableRecord } from "../state.js";
import { AwsError, notImplemented } from "./protocol.js";

/** A DynamoDB AttributeValue as it travels (`{"S": "x"}`, `{"M": {…}}`, …). */
// biome-ignore lint/suspicious/noExplicitAny: attribute values are arbitrary JSON
export type AttributeValue = Record<string, any>;
export type Item = Record<string, AttributeValue>;

const validation = (message: string) => new AwsError("ValidationException", message);

/** The tables of a region (older saved accounts have none). */
export function tablesOf(region: RegionState): Record<string, TableRecord> {
  region.tables ??= {};
  return region.tables;
}

/** Creates a table with a hash key (and optional range key) unless it exists. */
export function ensureTable(region: RegionState, name: string, hashKey: string, rangeKey?: string): TableRecord {
  const tables = tablesOf(region);
  tables[name] ??= { name, hashKey, ...(rangeKey ? { rangeKey } : {}), items: {} };
  return tables[name];
}

export function handleDynamoDb(
  sim: SimAccount,
  regionName: string,
  operation: string,
  body: Record<string, unknown>,
): unknown {
  const region = sim.region(regionName);
  const table = tablesOf(region)[String(body.TableName ?? "")];
  if (!table)
    throw new AwsError(
      "ResourceNotFoundException",
      `Requested resource not found: Table: ${String(body.TableName)} not found`,
    );
  const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (body.ExpressionAttributeValues ?? {}) as Item;
  const condition = (item: Item | undefined) => {
    const text = body.ConditionExpression as string | undefined;
    if (text && !evaluate(parseCondition(text), item ?? {}, names, values))
      throw new AwsError("ConditionalCheckFailedException", "The conditional request failed");
  };
  switch (operation) {
    case "GetItem": {
      const item = table.items[keyOf(table, body.Key as Item)];
      return item ? { Item: structuredClone(item) } : {};
    }
    case "PutItem": {
      const item = body.Item as Item;
      const key = keyOf(table, item);
      const previous = table.items[key];
      condition(previous);
      table.items[key] = structuredClone(item);
      return body.ReturnValues === "ALL_OLD" && previous ? { Attributes: previous } : {};
    }
    case "UpdateItem": {
      const keyItem = body.Key as Item;
      const key = keyOf(table, keyItem);
      const previous = table.items[key];
      condition(previous);
      const next: Item = structuredClone(previous ?? keyItem);
      if (body.UpdateExpression) applyUpdate(String(body.UpdateExpression), next, names, values);
      for (const k of [table.hashKey, table.rangeKey])
        if (k && JSON.stringify(next[k]) !== JSON.stringify(keyItem[k]))
          throw validation(
            `One or more parameter values were invalid: Cannot update attribute ${k}. This attribute is part of the key`,
          );
      table.items[key] = next;
      const returned = body.ReturnValues;
      if (returned === "ALL_NEW") return { Attributes: structuredClone(next) };
      if (returned === "ALL_OLD" && previous) return { Attributes: structuredClone(previous) };
      return {};
    }
    case "DeleteItem": {
      const key = keyOf(table, body.Key as Item);
      const previous = table.items[key];
      condition(previous);
      delete table.items[key];
      return body.ReturnValues === "ALL_OLD" && previous ? { Attributes: previous } : {};
    }
    case "Scan":
    case "Query": {
      const filter = body.FilterExpression ? parseCondition(String(body.FilterExpression)) : undefined;
      const keyCondition =
        operation === "Query"
          ? parseCondition(
              String(body.KeyConditionExpression ?? "") ||
                (() => {
                  throw validation("KeyConditionExpression is required");
                })(),
            )
          : undefined;
      let items = Object.entries(table.items)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, item]) => ({ k, item }));
      if (keyCondition) items = items.filter(({ item }) => evaluate(keyCondition, item, names, values));
      const start = body.ExclusiveStartKey ? keyOf(table, body.ExclusiveStartKey as Item) : undefined;
      if (start) items = items.filter(({ k }) => k > start);
      const limit = typeof body.Limit === "number" ? body.Limit : Number.POSITIVE_INFINITY;
      const page = items.slice(0, limit);
      const matched = page.filter(({ item }) => !filter || evaluate(filter, item, names, values));
      const last = page.length < items.length ? page.at(-1) : undefined;
      return {
        Items: matched.map(({ item }) => structuredClone(item)),
        Count: matched.length,
        ScannedCount: page.length,
        ...(last ? { LastEvaluatedKey: keyAttributes(table, last.item) } : {}),
      };
    }
    default:
      throw notImplemented("DynamoDB", operation);
  }
}

function keyAttributes(table: TableRecord, item: Item): Item {
  return Object.fromEntries(
    [table.hashKey, table.rangeKey].filter((k): k is string => !!k).map((k) => [k, item[k] as AttributeValue]),
  );
}

function keyOf(table: TableRecord, key: Item | undefined): string {
  const parts = [table.hashKey, table.rangeKey].filter((k): k is string => !!k);
  if (!key || parts.some((k) => !key[k])) throw validation("The provided key element does not match the schema");
  return parts.map((k) => JSON.stringify(key[k])).join("|");
}

// ------------------------------------------------------------------------------------------------ tokens

type Token = { kind: "name" | "value" | "word" | "op" | "number"; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(\d+)|(<>|<=|>=|[=<>(),.[\]+-]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw validation(`Invalid expression: syntax error near "${text.slice(at, at + 20)}"`);
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: "name", text: m[1] });
    else if (m[2]) tokens.push({ kind: "value", text: m[2] });
    else if (m[3]) tokens.push({ kind: "word", text: m[3] });
    else if (m[4]) tokens.push({ kind: "number", text: m[4] });
    else tokens.push({ kind: "op", text: m[5] as string });
  }
  return tokens;
}

class Cursor {
  i = 0;
  constructor(
    readonly tokens: Token[],
    readonly source: string,
  ) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === "word" && t.text.toUpperCase() === word;
  }
  isOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === "op" && t.text === op;
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw validation(`Invalid expression: unexpected end of "${this.source}"`);
    return t;
  }
  expectOp(op: string): void {
    const t = this.next();
    if (t.kind !== "op" || t.text !== op)
      throw validation(`Invalid expression: expected "${op}", found "${t.text}" in "${this.source}"`);
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
}

// ------------------------------------------------------------------------------------------------ operands

type PathPart = { name: string } | { index: number };
type Operand =
  | { type: "path"; path: PathPart[] }
  | { type: "value"; ref: string }
  | { type: "call"; fn: string; args: Operand[] }
  | { type: "arith"; op: "+" | "-"; left: Operand; right: Operand };

const FUNCTIONS = new Set(["if_not_exists", "list_append", "size"]);

function parsePath(c: Cursor): PathPart[] {
  const parts: PathPart[] = [];
  const first = c.next();
  if (first.kind !== "name" && first.kind !== "word")
    throw validation(`Invalid expression: expected an attribute, found "${first.text}" in "${c.source}"`);
  parts.push({ name: first.text });
  for (;;) {
    if (c.isOp(".")) {
      c.next();
      const t = c.next();
      parts.push({ name: t.text });
    } else if (c.isOp("[")) {
      c.next();
      const t = c.next();
      parts.push({ index: Number(t.text) });
      c.expectOp("]");
    } else return parts;
  }
}

function parseOperand(c: Cursor): Operand {
  const t = c.peek();
  if (!t) throw validation(`Invalid expression: unexpected end of "${c.source}"`);
  if (t.kind === "value") {
    c.next();
    return { type: "value", ref: t.text };
  }
  if (t.kind === "word" && FUNCTIONS.has(t.text) && c.peek(1)?.text === "(") {
    c.next();
    c.expectOp("(");
    const args = [parseOperand(c)];
    while (c.isOp(",")) {
      c.next();
      args.push(parseOperand(c));
    }
    c.expectOp(")");
    return { type: "call", fn: t.text, args };
  }
  return { type: "path", path: parsePath(c) };
}

function parseSetValue(c: Cursor): Operand {
  const left = parseOperand(c);
  if (c.isOp("+") || c.isOp("-")) {
    const op = c.next().text as "+" | "-";
    return { type: "arith", op, left, right: parseOperand(c) };
  }
  return left;
}

function resolveName(part: PathPart, names: Record<string, string>): string | number {
  if ("index" in part) return part.index;
  if (part.name.startsWith("#")) {
    const name = names[part.name];
    if (name === undefined)
      throw validation(`Value provided in ExpressionAttributeNames unused in expressions: unresolved ${part.name}`);
    return name;
  }
  return part.name;
}

function getPath(item: Item, path: PathPart[], names: Record<string, string>): AttributeValue | undefined {
  let node: AttributeValue | undefined = { M: item };
  for (const part of path) {
    const key = resolveName(part, names);
    if (!node) return undefined;
    if (typeof key === "number") node = node.L?.[key];
    else node = node.M?.[key];
  }
  return node;
}

function setPath(item: Item, path: PathPart[], names: Record<string, string>, value: AttributeValue): void {
  let parent: AttributeValue = { M: item };
  for (const [i, part] of path.entries()) {
    const key = resolveName(part, names);
    const last = i === path.length - 1;
    const container = typeof key === "number" ? parent.L : parent.M;
    if (!container) throw validation("The document path provided in the update expression is invalid for update");
    if (last) {
      container[key] = value;
      return;
    }
    parent = container[key];
    if (!parent) throw validation("The document path provided in the update expression is invalid for update");
  }
}

function removePath(item: Item, path: PathPart[], names: Record<string, string>): void {
  const parent = path.length === 1 ? { M: item } : getPath(item, path.slice(0, -1), names);
  const key = resolveName(path.at(-1) as PathPart, names);
  if (!parent) return;
  if (typeof key === "number") parent.L?.splice(key, 1);
  else if (parent.M) delete parent.M[key];
}

function operandValue(
  operand: Operand,
  item: Item,
  names: Record<string, string>,
  values: Item,
): AttributeValue | undefined {
  switch (operand.type) {
    case "value": {
      const v = values[operand.ref];
      if (!v)
        throw validation(
          `An expression attribute value used in expression is not defined; attribute value: ${operand.ref}`,
        );
      return v;
    }
    case "path":
      return getPath(item, operand.path, names);
    case "arith": {
      const a = operandValue(operand.left, item, names, values);
      const b = operandValue(operand.right, item, names, values);
      if (a?.N === undefined || b?.N === undefined)
        throw validation("An operand in the update expression has an incorrect data type");
      return { N: String(Number(a.N) + (operand.op === "+" ? 1 : -1) * Number(b.N)) };
    }
    case "call": {
      const [first, second] = operand.args;
      if (operand.fn === "if_not_exists" && first && second)
        return operandValue(first, item, names, values) ?? operandValue(second, item, names, values);
      if (operand.fn === "list_append" && first && second)
        return {
          L: [
            ...(operandValue(first, item, names, values)?.L ?? []),
            ...(operandValue(second, item, names, values)?.L ?? []),
          ],
        };
      if (operand.fn === "size" && first) {
        const v = operandValue(first, item, names, values);
        const size = v?.S?.length ?? v?.L?.length ?? (v?.M ? Object.keys(v.M).length : undefined) ?? v?.SS?.length;
        return size === undefined ? undefined : { N: String(size) };
      }
      throw validation(`Invalid function ${operand.fn}`);
    }
  }
}

// ------------------------------------------------------------------------------------------------ update

function applyUpdate(text: string, item: Item, names: Record<string, string>, values: Item): void {
  const c = new Cursor(tokenize(text), text);
  while (!c.done()) {
    const clause = c.next().text.toUpperCase();
    const more = () => {
      if (!c.isOp(",")) return false;
      c.next();
      return true;
    };
    if (clause === "SET") {
      const sets: [PathPart[], Operand][] = [];
      do {
        const path = parsePath(c);
        c.expectOp("=");
        sets.push([path, parseSetValue(c)]);
      } while (more());
      // Every right-hand side reads the item as it was before this update.
      const before = structuredClone(item);
      const computed = sets.map(([path, operand]) => [path, operandValue(operand, before, names, values)] as const);
      for (const [path, value] of computed)
        if (value === undefined)
          throw validation("The provided expression refers to an attribute that does not exist in the item");
        else setPath(item, path, names, structuredClone(value));
    } else if (clause === "REMOVE") {
      const paths: PathPart[][] = [];
      do paths.push(parsePath(c));
      while (more());
      for (const path of paths) removePath(item, path, names);
    } else if (clause === "ADD") {
      do {
        const path = parsePath(c);
        const value = operandValue(parseOperand(c), item, names, values);
        const current = getPath(item, path, names);
        if (value?.N !== undefined)
          setPath(item, path, names, { N: String(Number(current?.N ?? 0) + Number(value.N)) });
        else if (value?.SS) setPath(item, path, names, { SS: [...new Set([...(current?.SS ?? []), ...value.SS])] });
        else throw validation("ADD supports numbers and sets");
      } while (more());
    } else throw validation(`Invalid UpdateExpression: unknown clause ${clause}`);
  }
}

// ------------------------------------------------------------------------------------------------ conditions

type Condition =
  | { type: "and" | "or"; left: Condition; right: Condition }
  | { type: "not"; inner: Condition }
  | { type: "compare"; op: string; left: Operand; right: Operand }
  | { type: "between"; value: Operand; low: Operand; high: Operand }
  | { type: "in"; value: Operand; list: Operand[] }
  | { type: "function"; fn: string; args: Operand[] };

const CONDITION_FUNCTIONS = new Set([
  "attribute_exists",
  "attribute_not_exists",
  "begins_with",
  "contains",
  "attribute_type",
]);

export function parseCondition(text: string): Condition {
  const c = new Cursor(tokenize(text), text);
  const result = parseOr(c);
  if (!c.done()) throw validation(`Invalid expression: unexpected "${c.peek()?.text}" in "${text}"`);
  return result;
}

function parseOr(c: Cursor): Condition {
  let left = parseAnd(c);
  while (c.isWord("OR")) {
    c.next();
    left = { type: "or", left, right: parseAnd(c) };
  }
  return left;
}

function parseAnd(c: Cursor): Condition {
  let left = parseNot(c);
  while (c.isWord("AND")) {
    c.next();
    left = { type: "and", left, right: parseNot(c) };
  }
  return left;
}

function parseNot(c: Cursor): Condition {
  if (c.isWord("NOT")) {
    c.next();
    return { type: "not", inner: parseNot(c) };
  }
  return parsePrimary(c);
}

function parsePrimary(c: Cursor): Condition {
  if (c.isOp("(")) {
    c.next();
    const inner = parseOr(c);
    c.expectOp(")");
    return inner;
  }
  const t = c.peek();
  if (t?.kind === "word" && CONDITION_FUNCTIONS.has(t.text) && c.peek(1)?.text === "(") {
    c.next();
    c.expectOp("(");
    const args = [parseOperand(c)];
    while (c.isOp(",")) {
      c.next();
      args.push(parseOperand(c));
    }
    c.expectOp(")");
    return { type: "function", fn: t.text, args };
  }
  const left = parseOperand(c);
  if (c.isWord("BETWEEN")) {
    c.next();
    const low = parseOperand(c);
    if (!c.isWord("AND")) throw validation(`Invalid expression: BETWEEN needs AND in "${c.source}"`);
    c.next();
    return { type: "between", value: left, low, high: parseOperand(c) };
  }
  if (c.isWord("IN")) {
    c.next();
    c.expectOp("(");
    const list = [parseOperand(c)];
    while (c.isOp(",")) {
      c.next();
      list.push(parseOperand(c));
    }
    c.expectOp(")");
    return { type: "in", value: left, list };
  }
  const op = c.next();
  if (op.kind !== "op" || !["=", "<>", "<", "<=", ">", ">="].includes(op.text))
    throw validation(`Invalid expression: expected a comparison, found "${op.text}" in "${c.source}"`);
  return { type: "compare", op: op.text, left, right: parseOperand(c) };
}

const same = (a: AttributeValue | undefined, b: AttributeValue | undefined) =>
  a !== undefined && b !== undefined && JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));

/** Maps compare regardless of key order. */
function normalize(v: AttributeValue): unknown {
  if (v.M)
    return {
      M: Object.fromEntries(
        Object.entries(v.M)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, x]) => [k, normalize(x as AttributeValue)]),
      ),
    };
  if (v.L) return { L: (v.L as AttributeValue[]).map(normalize) };
  if (v.N !== undefined) return { N: Number(v.N) };
  return v;
}

function order(a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined {
  if (a?.N !== undefined && b?.N !== undefined) return Number(a.N) - Number(b.N);
  if (a?.S !== undefined && b?.S !== undefined) return a.S < b.S ? -1 : a.S > b.S ? 1 : 0;
  return undefined;
}

function evaluate(condition: Condition, item: Item, names: Record<string, string>, values: Item): boolean {
  const value = (o: Operand) => operandValue(o, item, names, values);
  switch (condition.type) {
    case "and":
      return evaluate(condition.left, item, names, values) && evaluate(condition.right, item, names, values);
    case "or":
      return evaluate(condition.left, item, names, values) || evaluate(condition.right, item, names, values);
    case "not":
      return !evaluate(condition.inner, item, names, values);
    case "compare": {
      const a = value(condition.left);
      const b = value(condition.right);
      if (condition.op === "=") return same(a, b);
      if (condition.op === "<>") return a !== undefined && b !== undefined && !same(a, b);
      const o = order(a, b);
      if (o === undefined) return false;
      return { "<": o < 0, "<=": o <= 0, ">": o > 0, ">=": o >= 0 }[condition.op] ?? false;
    }
    case "between": {
      const v = value(condition.value);
      const low = order(v, value(condition.low));
      const high = order(v, value(condition.high));
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    case "in": {
      const v = value(condition.value);
      return condition.list.some((o) => same(v, value(o)));
    }
    case "function": {
      const [first, second] = condition.args;
      if (!first) throw validation(`Invalid function call ${condition.fn}`);
      if (condition.fn === "attribute_exists") return value(first) !== undefined;
      if (condition.fn === "attribute_not_exists") return value(first) === undefined;
      const a = value(first);
      const b = second ? value(second) : undefined;
      if (condition.fn === "begins_with") return a?.S !== undefined && b?.S !== undefined && a.S.startsWith(b.S);
      if (condition.fn === "contains")
        return (
          (a?.S !== undefined && b?.S !== undefined && a.S.includes(b.S)) ||
          (a?.SS ?? []).includes(b?.S) ||
          (a?.L ?? []).some((x: AttributeValue) => same(x, b))
        );
      if (condition.fn === "attribute_type") return a !== undefined && b?.S !== undefined && b.S in a;
      throw validation(`Invalid function ${condition.fn}`);
    }
  }
}
