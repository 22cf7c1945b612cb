/**
 * `AwsEndpoint.beforeNext`: test machinery of the simulated cloud (local/sim/SOURCES.md § aws/server.ts). A hook runs
 * once, right before the next request it matches is applied; what it changes is what that request sees, and an
 * AwsError it throws is that request's answer.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimAccount } from "../../local/sim/account.js";
import { AwsError } from "../../local/sim/aws/protocol.js";
import { credentials, startAccount, useRealAwsClients } from "./support.js";

const TABLE = "hooks";
let sim: SimAccount;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  useRealAwsClients();
  sim = await startAccount({ tables: [{ region: "eu-central-1", name: TABLE, hashKey: "id" }] });
  dynamodb = new DynamoDBClient({ region: "eu-central-1", endpoint: sim.aws.url, credentials, maxAttempts: 1 });
});
afterAll(() => sim.stop());

const item = (id: string, n: number) => ({ id: { S: id }, n: { N: String(n) } });
const read = async (id: string) =>
  (await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } } }))).Item;
/** Sets n to `to` if it is still `from`. */
const compareAndSet = (id: string, from: number, to: number) =>
  dynamodb.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: { id: { S: id } },
      UpdateExpression: "SET n = :to",
      ConditionExpression: "n = :from",
      ExpressionAttributeValues: { ":from": { N: String(from) }, ":to": { N: String(to) } },
    }),
  );

describe("beforeNext", () => {
  it("lands another writer's change right before the next matching request, once", async () => {
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item("a", 1) }));
    sim.aws.beforeNext("dynamodb", "UpdateItem", () =>
      dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item("a", 2) })).then(() => undefined),
    );

    expect(await read("a")).toEqual(item("a", 1)); // another operation: the hook waits
    await expect(compareAndSet("a", 1, 3)).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
    await compareAndSet("a", 2, 3); // the hook has run: the next update is applied as is
    expect(await read("a")).toEqual(item("a", 3));
  });

  it("answers the AwsError a hook throws instead of applying the request", async () => {
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item("b", 1) }));
    sim.aws.beforeNext("dynamodb", "UpdateItem", () => {
      throw new AwsError("ThrottlingException", "Rate exceeded", 400);
    });

    await expect(compareAndSet("b", 1, 2)).rejects.toMatchObject({
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
    expect(await read("b")).toEqual(item("b", 1));
  });

  it("drops hooks that have not run on clearHooks", async () => {
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item("c", 1) }));
    sim.aws.beforeNext("dynamodb", "UpdateItem", () => {
      throw new AwsError("ThrottlingException", "Rate exceeded", 400);
    });
    sim.aws.clearHooks();

    await compareAndSet("c", 1, 2);
    expect(await read("c")).toEqual(item("c", 2));
  });
});
