import { BatchGetBuildsCommand, StartBuildCommand, StopBuildCommand } from "@aws-sdk/client-codebuild";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimAccount } from "../../local/sim/account.js";
import { clientsFor, credentials, startAccount, useRealAwsClients } from "./support.js";

/** Behaviours where the simulator contradicted the botocore model (local/sim/SOURCES.md, Known differences). */
const MACHINE = "arn:aws:states:eu-central-1:123456789012:stateMachine:eko-deploy";
let sim: SimAccount;
let aws: ReturnType<typeof clientsFor>;
let sfn: SFNClient;

beforeAll(async () => {
  useRealAwsClients();
  sim = await startAccount({ stateMachines: [MACHINE] });
  aws = clientsFor(sim);
  sfn = new SFNClient({ region: "eu-central-1", endpoint: sim.aws.url, credentials, maxAttempts: 1 });
});
afterAll(() => sim.stop());

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: Error) => e,
  );

describe("simulated CodeBuild, as botocore codebuild/2016-10-06 has it", () => {
  it("leaves a stopped build STOPPED (StatusType), not FAILED", async () => {
    const started = await aws.codebuild.send(new StartBuildCommand({ projectName: "eko-karmada-init" }));
    const id = started.build?.id as string;

    const stopped = await aws.codebuild.send(new StopBuildCommand({ id }));
    const got = await aws.codebuild.send(new BatchGetBuildsCommand({ ids: [id] }));

    expect(stopped.build?.buildStatus).toBe("STOPPED");
    expect(got.builds?.[0]).toMatchObject({ buildStatus: "STOPPED", buildComplete: true });
  });
});

describe("simulated Step Functions, as botocore stepfunctions/2016-11-23 has it", () => {
  it.each(["deploy.2030-01-01", "Deploy@eu+1", "x".repeat(80)])(
    "starts an execution named %j (any 1–80 characters but the forbidden ones)",
    async (name) => {
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name, input: "{}" }));

      expect(started.executionArn).toBe(`${MACHINE.replace(":stateMachine:", ":execution:")}:${name}`);
    },
  );

  it.each(["has space", "a:b", "a/b", "star*", "x".repeat(81), ""])("answers InvalidName for %j", async (name) => {
    const error = await errorOf(sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name, input: "{}" })));

    expect(error?.name).toBe("InvalidName");
  });
});
