import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { currentStep } from "../../../functions/api/getDeployment.js";
import type { ApiEvent } from "../../../functions/api/http.js";
import { ROUTES, route } from "../../../functions/api/router.js";
import { useSimExecutions } from "../../support/sim/executions.js";
import { useSimTable } from "../../support/sim/table.js";
import { DEMO_PLAN } from "../drift/driftFixtures.js";
import { NOW, stageDeps } from "../kube/kubeFixtures.js";

const SM = (name: string) => `arn:aws:states:eu-central-1:123456789012:stateMachine:eko-dev-${name}`;
const EXEC = (machine: string, name: string) =>
  `arn:aws:states:eu-central-1:123456789012:execution:eko-dev-${machine}:${name}`;
const PORTAL = "arn:aws:sts::123456789012:assumed-role/portal/session";
const table = useSimTable({ stateMachines: [SM("deploy"), SM("drift-check"), SM("destroy")] });
const sfn = useSimExecutions(table);

beforeEach(() => {
  vi.stubEnv("DEPLOY_STATE_MACHINE_ARN", SM("deploy"));
  vi.stubEnv("DRIFT_CHECK_STATE_MACHINE_ARN", SM("drift-check"));
  vi.stubEnv("DESTROY_STATE_MACHINE_ARN", SM("destroy"));
});
afterEach(() => vi.unstubAllEnvs());

/** An HTTP API event as API Gateway sends it with IAM auth. */
function event(
  routeKey: string,
  options: { name?: string; body?: unknown; raw?: string; base64?: boolean } = {},
): ApiEvent {
  const text = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return {
    version: "2.0",
    routeKey,
    rawPath: routeKey.split(" ")[1]?.replace("{name}", options.name ?? "") ?? "/",
    rawQueryString: "",
    headers: { "content-type": "application/json" },
    ...(options.name ? { pathParameters: { name: options.name } } : {}),
    ...(text === undefined ? {} : { body: options.base64 ? Buffer.from(text).toString("base64") : text }),
    isBase64Encoded: options.base64 ?? false,
    requestContext: { authorizer: { iam: { userArn: PORTAL } } },
  } as unknown as ApiEvent;
}

async function call(routeKey: string, options: Parameters<typeof event>[1] = {}) {
  const { log } = stageDeps().deps;
  const result = await route(event(routeKey, options), {
    aws: sfn.aws,
    registry: table.registry,
    log,
    now: () => NOW,
  });
  return { status: result.statusCode, body: JSON.parse(result.body ?? "null"), headers: result.headers };
}

const running = (machine: string, name: string, operation = "deploy") => ({
  arn: EXEC(machine, name),
  operation,
  startedAt: "2025-06-01T11:00:00.000Z",
});

describe("the router", () => {
  it("serves exactly the five routes of the portal API", () => {
    expect(Object.keys(ROUTES)).toEqual([
      "POST /deployments",
      "GET /deployments",
      "GET /deployments/{name}",
      "POST /deployments/{name}/check",
      "POST /deployments/{name}/destroy",
    ]);
  });

  it("answers 404 for any other route, as JSON", async () => {
    const response = await call("GET /clusters/{name}", { name: "demo" });

    expect(response).toMatchObject({
      status: 404,
      body: { error: "NotFound" },
      headers: { "content-type": "application/json" },
    });
  });

  it("answers 405 with Allow for a method the path does not serve", async () => {
    const response = await call("DELETE /deployments/{name}", { name: "demo" });

    expect(response).toMatchObject({
      status: 405,
      body: { error: "MethodNotAllowed", message: expect.stringContaining("GET") },
      headers: { allow: "GET", "content-type": "application/json" },
    });
  });

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])(
    "answers 404 with a status code for the route key %j (no lookup through Object.prototype)",
    async (routeKey) => {
      const response = await call(routeKey);

      expect(response).toMatchObject({ status: 404, body: { error: "NotFound" } });
    },
  );

  it("answers 400 for a body that is not JSON", async () => {
    const response = await call("POST /deployments", { raw: "{not json" });

    expect(response.status).toBe(400);
    expect(response.body.problems).toEqual([{ path: "(body)", rule: "must be a JSON document" }]);
  });

  it("answers 503 with Retry-After when AWS throttles, and 500 without internals otherwise", async () => {
    table.failNext("Scan", "ThrottlingException", "slow down");
    expect(await call("GET /deployments")).toMatchObject({ status: 503, headers: { "retry-after": "5" } });

    table.failNext("Scan", "AccessDeniedException", "not authorized");
    expect(await call("GET /deployments")).toMatchObject({
      status: 500,
      body: { error: "AwsRequestFailed", message: expect.stringContaining("AccessDeniedException: not authorized") },
    });

    // Corrupt items (no deploymentName), which no write through the API could leave.
    table.stored.items = { a: { status: { S: "DEPLOYED" } }, b: { status: { S: "DEPLOYED" } } };
    const failed = await call("GET /deployments");
    expect(failed).toMatchObject({ status: 500, body: { error: "InternalError" } });
    expect(JSON.stringify(failed.body)).not.toContain("localeCompare");
  });
});

describe("POST /deployments", () => {
  it("lists every problem of an invalid plan with its path and rule, and starts nothing", async () => {
    const response = await call("POST /deployments", {
      body: { ...DEMO_PLAN, deploymentName: "Bad_Name", karmada: { allowedCidrs: [] }, extra: 1 },
    });

    expect(response.status).toBe(400);
    expect(response.body.problems).toEqual(
      expect.arrayContaining([
        { path: "deploymentName", rule: expect.stringContaining("DNS-1123") },
        { path: "karmada.allowedCidrs", rule: expect.stringContaining("at least one CIDR") },
        { path: "(input)", rule: "has unknown field 'extra'" },
      ]),
    );
    expect(sfn.calls("StartExecution")).toEqual([]);
    expect(table.size()).toBe(0);
  });

  it("requires a body", async () => {
    expect((await call("POST /deployments")).body.problems).toEqual([
      { path: "(body)", rule: "is required (the plan document)" },
    ]);
  });

  it("registers the plan and starts Deploy with it (202, console link, who asked)", async () => {
    const response = await call("POST /deployments", { body: DEMO_PLAN, base64: true });

    const name = "demo-deploy-1-20250601T120000Z";
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      deploymentName: "demo",
      operation: "deploy",
      executionArn: EXEC("deploy", name),
      name,
      consoleUrl: `https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/${EXEC("deploy", name)}`,
      location: "/deployments/demo",
    });
    expect(sfn.calls("StartExecution")).toEqual([
      { stateMachineArn: SM("deploy"), name, input: JSON.stringify(DEMO_PLAN) },
    ]);
    expect(sfn.executions()).toMatchObject([{ executionArn: EXEC("deploy", name), status: "RUNNING" }]);
    expect(await table.get("demo")).toMatchObject({
      status: "DEPLOYING",
      plan: DEMO_PLAN,
      currentExecution: { requestedBy: PORTAL },
    });
  });

  it("answers 409 with the running execution while one runs for that deployment", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYING",
      revision: 1,
      currentExecution: running("deploy", "demo-deploy-1"),
    } as never);
    sfn.seed({ arn: EXEC("deploy", "demo-deploy-1"), status: "RUNNING" });

    const response = await call("POST /deployments", { body: DEMO_PLAN });

    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      error: "ExecutionInProgress",
      executionArn: EXEC("deploy", "demo-deploy-1"),
      consoleUrl: expect.stringContaining("/v2/executions/details/"),
    });
    expect(sfn.calls("StartExecution")).toEqual([]);
  });

  it("starts one execution for a double click: the second request gets 409", async () => {
    const [first, second] = await Promise.all([
      call("POST /deployments", { body: DEMO_PLAN }),
      call("POST /deployments", { body: DEMO_PLAN }),
    ]);

    expect([first.status, second.status].sort()).toEqual([202, 409]);
    expect(sfn.calls("StartExecution")).toHaveLength(1);
    expect(sfn.executions()).toHaveLength(1);
  });
});

describe("GET /deployments", () => {
  it("lists every deployment with status, running execution and last drift check, without plans", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYED",
      plan: DEMO_PLAN,
      updatedAt: "u",
      lastDriftReport: { checkedAt: "c", drifted: true, counts: { critical: 1, warning: 0, info: 0 }, findings: [] },
    } as never);
    await table.put({
      deploymentName: "alpha",
      status: "DEPLOYING",
      updatedAt: "u",
      currentExecution: running("deploy", "alpha-deploy-1"),
    } as never);

    const response = await call("GET /deployments");

    expect(response.status).toBe(200);
    expect(response.body.deployments).toEqual([
      {
        deploymentName: "alpha",
        status: "DEPLOYING",
        currentExecution: {
          ...running("deploy", "alpha-deploy-1"),
          consoleUrl: expect.stringContaining("alpha-deploy-1"),
        },
        updatedAt: "u",
      },
      {
        deploymentName: "demo",
        status: "DEPLOYED",
        lastDriftCheck: { checkedAt: "c", drifted: true, counts: { critical: 1, warning: 0, info: 0 } },
        updatedAt: "u",
      },
    ]);
  });
});

describe("GET /deployments/{name}", () => {
  it("shows the running execution with its current step, the plan and the last drift report", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYING",
      plan: DEMO_PLAN,
      currentExecution: running("deploy", "demo-deploy-2"),
      lastDriftReport: { drifted: false },
      createdAt: "c",
      updatedAt: "u",
    } as never);
    const at = NOW.getTime();
    sfn.seed({
      arn: EXEC("deploy", "demo-deploy-2"),
      status: "RUNNING",
      history: [
        { type: "TaskStateEntered", timestamp: at, state: "Create member cluster" },
        { type: "TaskStateExited", timestamp: at, state: "Create member cluster" },
        { type: "TaskStateEntered", timestamp: at, state: "Check member control plane" },
        { type: "TaskScheduled", timestamp: at },
      ],
    });

    const response = await call("GET /deployments/{name}", { name: "demo" });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      deploymentName: "demo",
      status: "DEPLOYING",
      plan: DEMO_PLAN,
      lastDriftReport: { drifted: false },
      execution: {
        arn: EXEC("deploy", "demo-deploy-2"),
        operation: "deploy",
        status: "RUNNING",
        currentStep: "Check member control plane",
        consoleUrl: `https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/${EXEC("deploy", "demo-deploy-2")}`,
      },
    });
    expect(sfn.calls("GetExecutionHistory")).toEqual([
      expect.objectContaining({
        executionArn: EXEC("deploy", "demo-deploy-2"),
        reverseOrder: true,
        includeExecutionData: false,
      }),
    ]);
  });

  it("shows the last execution's error when none runs, without reading its history", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOY_FAILED",
      lastExecution: { ...running("deploy", "demo-deploy-1"), outcome: "FAILED", endedAt: "e" },
    } as never);
    sfn.seed({
      arn: EXEC("deploy", "demo-deploy-1"),
      status: "FAILED",
      error: "ClusterCreateFailed",
      cause: "EKS cluster demo-parent is FAILED",
    });

    const response = await call("GET /deployments/{name}", { name: "demo" });

    expect(response.body.execution).toMatchObject({ status: "FAILED", error: "ClusterCreateFailed" });
    expect(response.body.lastDriftReport).toBeNull();
    expect(sfn.calls("DescribeExecution")).toHaveLength(1);
    expect(sfn.calls("GetExecutionHistory")).toEqual([]);
  });

  it("shows when the Karmada certificates expire, as the last Deploy recorded it", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYED",
      karmadaCertificatesExpireAt: "2026-06-01T12:00:00.000Z",
    } as never);

    const response = await call("GET /deployments/{name}", { name: "demo" });

    expect(response.body.karmadaCertificatesExpireAt).toBe("2026-06-01T12:00:00.000Z");
  });

  it("still answers when Step Functions has forgotten the execution", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYED",
      lastExecution: { ...running("deploy", "old"), outcome: "SUCCEEDED", endedAt: "e" },
    } as never);
    // Nothing seeded: Step Functions has no execution "old" (DescribeExecution answers ExecutionDoesNotExist).

    expect((await call("GET /deployments/{name}", { name: "demo" })).body.execution).toMatchObject({
      status: "UNKNOWN",
    });
  });

  it.each([
    ["an unknown deployment", "ghost", 404],
    ["an invalid name", "Not_A_Name", 400],
  ])("answers %s (%s) with %i", async (_, name, status) => {
    expect((await call("GET /deployments/{name}", { name })).status).toBe(status);
  });

  it("finds the current step as the newest state entered", () => {
    expect(
      currentStep([
        { type: "LambdaFunctionSucceeded" },
        { type: "PassStateEntered", stateEnteredEventDetails: { name: "Skip" } },
      ] as never),
    ).toBe("Skip");
    expect(currentStep([])).toBeUndefined();
  });
});

describe("POST /deployments/{name}/check", () => {
  beforeEach(() => table.put({ deploymentName: "demo", status: "DEPLOYED", plan: DEMO_PLAN, revision: 3 } as never));

  it("starts a DriftCheck, remediating when asked", async () => {
    const response = await call("POST /deployments/{name}/check", { name: "demo", body: { remediate: true } });

    expect(response).toMatchObject({
      status: 202,
      body: { operation: "check", remediate: true, name: "demo-check-4-20250601T120000Z" },
    });
    expect(sfn.calls("StartExecution")).toEqual([
      expect.objectContaining({
        stateMachineArn: SM("drift-check"),
        input: JSON.stringify({ deploymentName: "demo", remediate: true }),
      }),
    ]);
  });

  it("checks without remediation by default (no body)", async () => {
    expect((await call("POST /deployments/{name}/check", { name: "demo" })).body.remediate).toBe(false);
  });

  it.each([
    ["an unknown field", { remediate: true, force: 1 }, "(body)"],
    ["a non-boolean remediate", { remediate: "yes" }, "(body).remediate"],
  ])("answers 400 for %s", async (_, body, path) => {
    const response = await call("POST /deployments/{name}/check", { name: "demo", body });

    expect(response.status).toBe(400);
    expect(response.body.problems[0].path).toBe(path);
  });

  it("answers 404 for an unknown deployment and 409 for a destroyed one", async () => {
    expect((await call("POST /deployments/{name}/check", { name: "ghost" })).status).toBe(404);
    await table.put({ deploymentName: "demo", status: "DESTROYED", plan: DEMO_PLAN } as never);
    expect(await call("POST /deployments/{name}/check", { name: "demo" })).toMatchObject({
      status: 409,
      body: { error: "DeploymentDestroyed" },
    });
  });

  it("answers 409 while a destroy runs", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DESTROYING",
      plan: DEMO_PLAN,
      currentExecution: running("destroy", "d-1", "destroy"),
    } as never);
    sfn.seed({ arn: EXEC("destroy", "d-1"), status: "RUNNING" });

    expect((await call("POST /deployments/{name}/check", { name: "demo" })).status).toBe(409);
  });
});

describe("POST /deployments/{name}/destroy", () => {
  beforeEach(() => table.put({ deploymentName: "demo", status: "DEPLOYED", plan: DEMO_PLAN } as never));

  it.each([
    ["without a body", undefined],
    ["without confirm", {}],
    ["with another name", { confirm: "prod" }],
  ])("answers 400 %s and starts nothing", async (_, body) => {
    const response = await call("POST /deployments/{name}/destroy", { name: "demo", body });

    expect(response.status).toBe(400);
    expect(response.body.problems).toEqual([
      { path: "confirm", rule: expect.stringContaining('must equal the deployment name "demo"') },
    ]);
    expect(sfn.calls("StartExecution")).toEqual([]);
  });

  it("starts Destroy with the confirmation", async () => {
    const response = await call("POST /deployments/{name}/destroy", { name: "demo", body: { confirm: "demo" } });

    expect(response).toMatchObject({
      status: 202,
      body: { operation: "destroy", name: "demo-destroy-1-20250601T120000Z" },
    });
    expect(sfn.calls("StartExecution")).toEqual([
      expect.objectContaining({
        stateMachineArn: SM("destroy"),
        input: JSON.stringify({ deploymentName: "demo", confirm: "demo" }),
      }),
    ]);
  });

  it("answers 404 for an unknown deployment and 409 while a deploy runs", async () => {
    expect((await call("POST /deployments/{name}/destroy", { name: "ghost", body: { confirm: "ghost" } })).status).toBe(
      404,
    );
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYING",
      plan: DEMO_PLAN,
      currentExecution: running("deploy", "x"),
    } as never);
    sfn.seed({ arn: EXEC("deploy", "x"), status: "RUNNING" });
    expect((await call("POST /deployments/{name}/destroy", { name: "demo", body: { confirm: "demo" } })).status).toBe(
      409,
    );
  });
});
