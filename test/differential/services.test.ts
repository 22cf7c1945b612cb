/**
 * The other services the stages call: ELBv2 describes (karmada-lb-status, destroy-karmada-lb), Secrets Manager
 * (summarize, kube.ts, destroy-secrets, the karmada-init buildspec), the DynamoDB registry through
 * functions/lib/registry.ts itself, EventBridge and CloudWatch through drift-report's own request builders.
 */
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateLoadBalancerCommand, DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RestoreSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { destroySecrets } from "../../functions/destroy-secrets/destroySecrets.js";
import { buildReport, driftEvent, driftMetric } from "../../functions/drift-report/driftReport.js";
import type { RegionalClients } from "../../functions/lib/aws.js";
import { createLogger } from "../../functions/lib/logger.js";
import { DEPLOYMENT_TAG } from "../../functions/lib/names.js";
import { claim, claimRequest, getDeployment, listDeployments, release } from "../../functions/lib/registry.js";
import type { StageDeps } from "../../functions/lib/stage.js";
import { expectAgreement, REGION, REGISTRY_TABLE, startTargets, type Target, type Targets } from "./targets.js";

let targets: Targets;
beforeAll(async () => {
  targets = await startTargets(inject("motoUrl"));
});
afterAll(() => targets?.stop());

const agree = <T>(name: string, call: (t: Target) => Promise<T>, project?: (out: T, t: Target) => unknown) =>
  expectAgreement(targets, name, call, project);

/** A stage's dependencies on one target (its clock where time is simulated). */
const depsOf = (t: Target): StageDeps => ({
  aws: () => ({ ec2: t.ec2, eks: t.eks, elbv2: t.elbv2, secrets: t.secrets }) as unknown as RegionalClients,
  log: createLogger("differential"),
  now: () => new Date(t.sim ? t.sim.now() : Date.now()),
});

describe("ELBv2 (karmada-lb-status, destroy-karmada-lb)", () => {
  const NAME = "k8s-karmada-nlb";
  const ARN = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/net/k8s-missing/0123456789abcdef";

  it("DescribeLoadBalancers by a name that does not exist answers LoadBalancerNotFound", () =>
    agree("elbv2: DescribeLoadBalancers by a missing name", (t) =>
      t.elbv2.send(new DescribeLoadBalancersCommand({ Names: ["k8s-missing"] })),
    ));

  it("DescribeLoadBalancers by an ARN that does not exist answers LoadBalancerNotFound (loadBalancerGone)", () =>
    agree("elbv2: DescribeLoadBalancers by a missing ARN", (t) =>
      t.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [ARN] })),
    ));

  it("DescribeLoadBalancers without a filter lists none in a fresh account", () =>
    agree(
      "elbv2: DescribeLoadBalancers of a fresh account",
      (t) => t.elbv2.send(new DescribeLoadBalancersCommand({})),
      (out) => out.LoadBalancers,
    ));

  it("DescribeLoadBalancers by name answers the internet-facing NLB in the public subnets", () =>
    agree(
      "elbv2: DescribeLoadBalancers by name",
      async (t) => {
        const subnets = ["a", "b", "c"].map((z) => t.id(`<subnet:karmada-vpc-public-eu-central-1${z}>`));
        if (t.sim) {
          // In the simulator the cloud provider's service controller creates it (local/sim/kube/cloud.ts): the
          // same record, written directly.
          const now = t.sim.now();
          t.sim.region(REGION).loadBalancers.push({
            loadBalancerArn: `arn:aws:elasticloadbalancing:${REGION}:123456789012:loadbalancer/net/${NAME}/0123456789abcdef`,
            loadBalancerName: NAME,
            dnsName: `${NAME}-0123456789abcdef.elb.${REGION}.amazonaws.com`,
            createdAt: now,
            activeAt: now,
            state: "provisioning",
            scheme: "internet-facing",
            vpcId: t.id("<vpc:karmada-vpc>"),
            subnetIds: subnets,
            addresses: ["198.51.100.1", "198.51.100.2", "198.51.100.3"],
            owner: "demo-parent/karmada-system/karmada-apiserver-lb",
            tags: {},
          });
        } else
          await t.elbv2.send(
            new CreateLoadBalancerCommand({ Name: NAME, Type: "network", Scheme: "internet-facing", Subnets: subnets }),
          );
        return t.elbv2.send(new DescribeLoadBalancersCommand({ Names: [NAME] }));
      },
      (out) =>
        out.LoadBalancers?.map((lb) => ({
          LoadBalancerName: lb.LoadBalancerName,
          Type: lb.Type,
          Scheme: lb.Scheme,
          State: lb.State?.Code,
          VpcId: lb.VpcId,
          // karmadaLbStatus matches the Service's hostname against DNSName.
          DNSName: lb.DNSName?.replace(/^(.*)-[0-9a-z]+\.elb\./, "$1-<hex>.elb."),
          zones: lb.AvailabilityZones?.map((z) => ({ ZoneName: z.ZoneName, SubnetId: z.SubnetId })),
          arn: lb.LoadBalancerArn?.replace(/\/[0-9a-f]{16}$/, "/<hex>"),
        })),
    ));
});

describe("Secrets Manager (summarize, kube.ts, destroy-secrets, karmada-init)", () => {
  const KUBECONFIG = "eko/demo/karmada-kubeconfig";
  const PKI = "eko/demo/karmada-pki";
  const arn = (s: string | undefined) => s?.replace(/-[A-Za-z0-9]{6}$/, "-<suffix>");

  it("DescribeSecret of a missing secret answers ResourceNotFoundException (summarize: KarmadaNotInitialized)", () =>
    agree("secretsmanager: DescribeSecret of a missing secret", (t) =>
      t.secrets.send(new DescribeSecretCommand({ SecretId: KUBECONFIG })),
    ));

  it("CreateSecret with the deployment tag answers its ARN and name", () =>
    agree(
      "secretsmanager: CreateSecret with tags",
      async (t) => {
        const tags = [{ Key: DEPLOYMENT_TAG, Value: "demo" }];
        await t.secrets.send(new CreateSecretCommand({ Name: PKI, SecretString: "{}", Tags: tags }));
        return t.secrets.send(new CreateSecretCommand({ Name: KUBECONFIG, SecretString: "kubeconfig", Tags: tags }));
      },
      (out) => ({ ARN: arn(out.ARN), Name: out.Name, VersionId: typeof out.VersionId }),
    ));

  it("CreateSecret of a name in use answers ResourceExistsException", () =>
    agree("secretsmanager: CreateSecret of an existing name", (t) =>
      t.secrets.send(new CreateSecretCommand({ Name: KUBECONFIG, SecretString: "x" })),
    ));

  it("DescribeSecret answers the ARN and tags destroy-secrets and summarize read, and no DeletedDate", () =>
    agree(
      "secretsmanager: DescribeSecret",
      (t) => t.secrets.send(new DescribeSecretCommand({ SecretId: KUBECONFIG })),
      (out) => ({ ARN: arn(out.ARN), Name: out.Name, Tags: out.Tags, DeletedDate: out.DeletedDate }),
    ));

  it("GetSecretValue answers the value kube.ts reads", () =>
    agree(
      "secretsmanager: GetSecretValue",
      (t) => t.secrets.send(new GetSecretValueCommand({ SecretId: KUBECONFIG })),
      (out) => ({ Name: out.Name, SecretString: out.SecretString, VersionStages: out.VersionStages }),
    ));

  it("destroy-secrets schedules both secrets for deletion with a recovery window", () =>
    agree(
      "secretsmanager: destroySecrets",
      (t) =>
        destroySecrets(
          { deploymentName: "demo", region: REGION, kubeconfigSecretName: KUBECONFIG, pkiSecretName: PKI },
          depsOf(t),
        ),
      (out, t) =>
        out.secrets.map((s) => ({
          ...s,
          // 7 days after the target's now: the window the stage asked for.
          deletionDays: s.deletionDate
            ? Math.round((Date.parse(s.deletionDate) - depsOf(t).now().getTime()) / 86_400_000)
            : undefined,
          deletionDate: undefined,
        })),
    ));

  it("DescribeSecret of a secret scheduled for deletion shows DeletedDate (destroy-secrets: already-scheduled)", () =>
    agree(
      "secretsmanager: DescribeSecret once scheduled for deletion",
      (t) => t.secrets.send(new DescribeSecretCommand({ SecretId: KUBECONFIG })),
      (out) => ({ Name: out.Name, DeletedDate: out.DeletedDate }),
    ));

  it("GetSecretValue of a secret scheduled for deletion answers InvalidRequestException", () =>
    agree("secretsmanager: GetSecretValue once scheduled for deletion", (t) =>
      t.secrets.send(new GetSecretValueCommand({ SecretId: KUBECONFIG })),
    ));

  it("CreateSecret of a name scheduled for deletion answers InvalidRequestException", () =>
    agree("secretsmanager: CreateSecret of a name scheduled for deletion", (t) =>
      t.secrets.send(new CreateSecretCommand({ Name: KUBECONFIG, SecretString: "x" })),
    ));

  it("RestoreSecret (karmada-init) cancels the deletion: DescribeSecret has no DeletedDate again", () =>
    agree(
      "secretsmanager: RestoreSecret",
      async (t) => {
        const restored = await t.secrets.send(new RestoreSecretCommand({ SecretId: KUBECONFIG }));
        const described = await t.secrets.send(new DescribeSecretCommand({ SecretId: KUBECONFIG }));
        return { restored, described };
      },
      ({ restored, described }) => ({
        ARN: arn(restored.ARN),
        Name: restored.Name,
        DeletedDate: described.DeletedDate,
      }),
    ));

  it("DeleteSecret with a recovery window shorter than 7 days answers InvalidParameterException", () =>
    agree("secretsmanager: DeleteSecret with a 3-day window", (t) =>
      t.secrets.send(new DeleteSecretCommand({ SecretId: KUBECONFIG, RecoveryWindowInDays: 3 })),
    ));
});

describe("DynamoDB registry (functions/lib/registry.ts)", () => {
  const now = new Date("2030-01-01T00:00:00.000Z");
  const execution = (n: number) => ({
    arn: `arn:aws:states:eu-central-1:123456789012:execution:eko-deploy:demo-${n}`,
    operation: "deploy" as const,
    startedAt: now.toISOString(),
  });

  it("GetItem (ConsistentRead) of an unregistered deployment answers no item", () =>
    agree(
      "dynamodb: getDeployment of an unregistered deployment",
      (t) => getDeployment(t.registry, "demo"),
      (record) => record ?? "none",
    ));

  it("claim takes the lock of a new deployment (conditional UpdateItem)", () =>
    agree(
      "dynamodb: claim of a free lock",
      async (t) => {
        await claim(t.registry, { deploymentName: "demo", execution: execution(1), now, set: { status: "DEPLOYING" } });
        return getDeployment(t.registry, "demo");
      },
      (record) => record,
    ));

  it("claim by another execution fails with ExecutionInProgress (ConditionalCheckFailedException)", () =>
    agree("dynamodb: claim of a held lock", (t) =>
      claim(t.registry, { deploymentName: "demo", execution: execution(2), now }),
    ));

  it("the claim UpdateItem itself answers ConditionalCheckFailedException while the lock is held", () =>
    agree("dynamodb: UpdateItem whose condition fails", (t) =>
      t.registry.doc.send(
        new UpdateCommand(claimRequest(t.registry, { deploymentName: "demo", execution: execution(2), now })),
      ),
    ));

  it("claim of a stale revision fails with ExecutionInProgress", () =>
    agree("dynamodb: claim of a stale revision", (t) =>
      claim(t.registry, { deploymentName: "demo", execution: execution(1), now, revision: 5 }),
    ));

  it("claim with mustExist of an unregistered deployment fails with DeploymentNotFound", () =>
    agree("dynamodb: claim of an unregistered deployment", (t) =>
      claim(t.registry, { deploymentName: "other", execution: execution(3), now, mustExist: true }),
    ));

  it("release by the holder records the outcome and removes the lock", () =>
    agree(
      "dynamodb: release by the holder",
      async (t) => {
        const released = await release(t.registry, {
          deploymentName: "demo",
          outcome: { arn: execution(1).arn, operation: "deploy", outcome: "SUCCEEDED" },
          set: { status: "DEPLOYED" },
          now,
        });
        return { released, record: await getDeployment(t.registry, "demo") };
      },
      (out) => out,
    ));

  it("release by an execution that does not hold the lock writes nothing", () =>
    agree(
      "dynamodb: release by another execution",
      (t) =>
        release(t.registry, {
          deploymentName: "demo",
          outcome: { arn: execution(9).arn, operation: "deploy", outcome: "FAILED" },
          now,
        }),
      (released) => released,
    ));

  it("PutItem with attribute_not_exists on an existing item answers ConditionalCheckFailedException", () =>
    agree("dynamodb: PutItem whose condition fails", (t) =>
      t.dynamodb.send(
        new PutItemCommand({
          TableName: REGISTRY_TABLE,
          Item: { deploymentName: { S: "demo" } },
          ConditionExpression: "attribute_not_exists(deploymentName)",
        }),
      ),
    ));

  it("listDeployments (Scan) lists every deployment", () =>
    agree(
      "dynamodb: listDeployments",
      async (t) => {
        await claim(t.registry, { deploymentName: "zeta", execution: execution(4), now });
        return listDeployments(t.registry);
      },
      (records) => records.map((r) => ({ name: r.deploymentName, status: r.status, lock: r.currentExecution?.arn })),
    ));

  it("GetItem of a table that does not exist answers ResourceNotFoundException", () =>
    agree("dynamodb: GetItem of a missing table", (t) =>
      t.dynamodb.send(new GetItemCommand({ TableName: "no-such-table", Key: { deploymentName: { S: "demo" } } })),
    ));
});

describe("EventBridge and CloudWatch (drift-report)", () => {
  const report = buildReport(
    {
      deploymentName: "demo",
      executionArn: "arn:aws:states:eu-central-1:123456789012:execution:eko-check:demo-1",
      clusters: [],
      karmada: [
        {
          check: "karmada.memberReady",
          resource: "member1",
          expected: "Ready",
          actual: "NotReady",
          severity: "critical",
        },
      ],
      sample: [],
    },
    new Date("2030-01-01T00:00:00.000Z"),
  );

  it("PutEvents of the drift event is accepted with one event id", () =>
    agree(
      "events: PutEvents of the drift event",
      (t) => t.events.send(new PutEventsCommand({ Entries: [driftEvent(report, "default")] })),
      (out) => ({
        FailedEntryCount: out.FailedEntryCount,
        Entries: out.Entries?.map((e) => (e.EventId ? "<event id>" : e.ErrorCode)),
      }),
    ));

  it("PutEvents without entries answers a ValidationException", () =>
    agree("events: PutEvents without entries", (t) => t.events.send(new PutEventsCommand({ Entries: [] }))));

  it("PutMetricData of the drift metric is accepted", () =>
    agree("cloudwatch: PutMetricData of the drift metric", (t) =>
      t.cloudwatch.send(new PutMetricDataCommand(driftMetric(report))),
    ));

  it("PutMetricData into an AWS/ namespace answers InvalidParameterValue", () =>
    agree("cloudwatch: PutMetricData into AWS/", (t) =>
      t.cloudwatch.send(new PutMetricDataCommand({ ...driftMetric(report), Namespace: "AWS/EKS" })),
    ));
});
