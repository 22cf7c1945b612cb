/**
 * A deployed "demo" platform for the DriftCheck and Destroy workflow tests. Every Lambda Task runs the real stage
 * against mocked AWS (a small EKS that deletes over "time", ELB, Secrets Manager, EventBridge, CloudWatch, Step
 * Functions, the registry table) and real HTTPS fake Kubernetes API servers (parent, Karmada, two members). Only
 * the CodeBuild jobs are simulated: unjoin removes the member's Cluster object from Karmada, the deinit job removes
 * Karmada's workloads and the etcd volumes (never our LoadBalancer Service: `kubectl karmada deinit` deletes only what
 * init labelled karmada.io/bootstrapping, pkg/karmadactl/deinit/deinit.go@v1.18.2).
 *
 * Every Task is recorded (`calls`), `failOnce` makes the next call of a Task fail with a named error, and status
 * stages let one "poll interval" pass (`eks.settle()`) before they look.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ListAccessEntriesCommand, ListAssociatedAccessPoliciesCommand } from "@aws-sdk/client-eks";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DeleteSecretCommand, DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { destroyCluster } from "../../functions/destroy-cluster/destroyCluster.js";
import { destroyClusterStatus } from "../../functions/destroy-cluster-status/destroyClusterStatus.js";
import { destroyConfirm, destroyConfirmInputSchema } from "../../functions/destroy-confirm/destroyConfirm.js";
import { destroyInventory } from "../../functions/destroy-inventory/destroyInventory.js";
import { destroyKarmadaLb } from "../../functions/destroy-karmada-lb/destroyKarmadaLb.js";
import { destroyKarmadaLbStatus } from "../../functions/destroy-karmada-lb-status/destroyKarmadaLbStatus.js";
import { destroyNodegroups } from "../../functions/destroy-nodegroups/destroyNodegroups.js";
import { destroyNodegroupsStatus } from "../../functions/destroy-nodegroups-status/destroyNodegroupsStatus.js";
import { destroySample } from "../../functions/destroy-sample/destroySample.js";
import { destroySecrets } from "../../functions/destroy-secrets/destroySecrets.js";
import { destroyVpcsInputSchema } from "../../functions/destroy-vpcs/destroyVpcs.js";
import { driftCluster } from "../../functions/drift-cluster/driftCluster.js";
import { driftDesired, driftDesiredInputSchema } from "../../functions/drift-desired/driftDesired.js";
import { driftKarmada } from "../../functions/drift-karmada/driftKarmada.js";
import { driftRemediate } from "../../functions/drift-remediate/driftRemediate.js";
import { driftReport, driftReportInputSchema } from "../../functions/drift-report/driftReport.js";
import { driftSample } from "../../functions/drift-sample/driftSample.js";
import { driftVpcs, driftVpcsInputSchema } from "../../functions/drift-vpcs/driftVpcs.js";
import { awsClients } from "../../functions/lib/aws.js";
import { createLogger } from "../../functions/lib/logger.js";
import { DEPLOYMENT_TAG, EKS_CLUSTER_ADMIN_POLICY } from "../../functions/lib/names.js";
import { registryUpdate, registryUpdateInputSchema } from "../../functions/registry-update/registryUpdate.js";
import type { Day2Resources, Day2StageKey } from "../../statemachine/day2-resources.js";
import { CODEBUILD_START_BUILD_SYNC } from "../../statemachine/task.js";
import { type FakeKubeApiServer, startKubeApiServer } from "../support/kube-api-server.js";
import { namedError, type TaskFake } from "../support/workflow.js";
import { type FakeEks, fakeEks } from "../unit/destroy/fakeEks.js";
import {
  DEMO_PLAN,
  eksCluster,
  karmadaCluster,
  kubeFor,
  lbService,
  NLB_ARN,
  PARENT_RESOURCES,
  sampleDeployment,
} from "../unit/drift/driftFixtures.js";
import { type FakeTable, fakeTable } from "../unit/registry/fakeTable.js";

export const DEPLOY_SM = "arn:aws:states:eu-central-1:123456789012:stateMachine:eko-test-deploy";
const NLB_HOST = "k-1234.elb.eu-central-1.amazonaws.com";
const OURS = { labels: { "app.kubernetes.io/managed-by": "eks-karmada-orchestrator", [DEPLOYMENT_TAG]: "demo" } };
const PARENT_ADDONS = ["eks-pod-identity-agent", "aws-ebs-csi-driver"];

export interface Servers {
  parent: FakeKubeApiServer;
  karmada: FakeKubeApiServer;
  "member-1": FakeKubeApiServer;
  "member-2": FakeKubeApiServer;
}

/** Starts the fake API servers once per test file. */
export async function startServers(): Promise<Servers & { close(): Promise<void> }> {
  const [parent, karmada, m1, m2] = await Promise.all([
    startKubeApiServer({ resources: PARENT_RESOURCES }),
    startKubeApiServer(),
    startKubeApiServer(),
    startKubeApiServer(),
  ]);
  const servers = { parent, karmada, "member-1": m1, "member-2": m2 };
  return { ...servers, close: async () => void (await Promise.all(Object.values(servers).map((s) => s.close()))) };
}

const sfn = mockClient(SFNClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const secrets = mockClient(SecretsManagerClient);
const events = mockClient(EventBridgeClient);
const metrics = mockClient(CloudWatchClient);

type Stage = Day2StageKey | "karmadaUnjoin" | "karmadaDeinit";

/** ADMIN_PRINCIPAL_ARNS of the day-2 world: the orchestrator's CodeBuild and Kubernetes-stage roles. */
export const DAY2_ADMIN_PRINCIPALS = [
  "arn:aws:iam::123456789012:role/eko-codebuild",
  "arn:aws:iam::123456789012:role/eko-kube",
] as const;

/** Resets everything to a healthy, registered, deployed "demo". */
export function day2World(resources: Day2Resources, servers: Servers) {
  const eks: FakeEks = fakeEks();
  const table: FakeTable = fakeTable();
  for (const mock of [sfn, elbv2, secrets, events, metrics]) mock.reset();
  const calls: { stage: Stage; input: Record<string, unknown> }[] = [];
  const failures = new Map<Stage, Error>();
  const state = { nlbGone: false, deletedSecrets: new Set<string>() };

  // --- AWS
  eks.add("eu-central-1", eksCluster("demo-parent"), { nodegroups: ["parent-nodes"], addons: PARENT_ADDONS });
  eks.add("eu-central-1", eksCluster("demo-member-1"), { nodegroups: ["member-1-nodes"] });
  eks.add("eu-west-1", eksCluster("demo-member-2"), { nodegroups: ["member-2-nodes"] });
  // Every cluster has the orchestrator's admin principals (DAY2_ADMIN_PRINCIPALS) with cluster-wide admin.
  eks.mock.on(ListAccessEntriesCommand).resolves({ accessEntries: [...DAY2_ADMIN_PRINCIPALS] });
  eks.mock.on(ListAssociatedAccessPoliciesCommand).resolves({
    associatedAccessPolicies: [{ policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } }],
  });
  table.put({
    deploymentName: "demo",
    status: "DEPLOYED",
    plan: DEMO_PLAN,
    kubernetesVersion: "1.33",
    revision: 1,
    createdAt: "c",
    updatedAt: "u",
  } as never);
  elbv2.on(DescribeLoadBalancersCommand).callsFake(() => {
    if (state.nlbGone) throw namedError("LoadBalancerNotFoundException", "One or more load balancers not found");
    return { LoadBalancers: [{ LoadBalancerArn: NLB_ARN, DNSName: NLB_HOST, State: { Code: "active" } }] };
  });
  secrets.on(DescribeSecretCommand).callsFake(({ SecretId }) => ({
    Name: SecretId,
    Tags: [{ Key: DEPLOYMENT_TAG, Value: "demo" }],
    ...(state.deletedSecrets.has(SecretId) ? { DeletedDate: new Date() } : {}),
  }));
  secrets.on(DeleteSecretCommand).callsFake(({ SecretId }) => {
    state.deletedSecrets.add(SecretId);
    return { Name: SecretId, DeletionDate: new Date() };
  });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e" }] });
  metrics.on(PutMetricDataCommand).resolves({});
  sfn.on(DescribeExecutionCommand).resolves({ status: "SUCCEEDED" });
  sfn.on(StartExecutionCommand).callsFake((input) => ({
    executionArn: `${input.stateMachineArn.replace(":stateMachine:", ":execution:")}:${input.name}`,
  }));

  // --- Kubernetes
  for (const server of [servers.parent, servers.karmada, servers["member-1"], servers["member-2"]]) {
    for (const kind of ["Deployment", "StatefulSet", "Service", "PersistentVolume", "Cluster", "PropagationPolicy"])
      for (const apiVersion of ["v1", "apps/v1", "cluster.karmada.io/v1alpha1", "policy.karmada.io/v1alpha1"])
        try {
          for (const o of server.list(apiVersion, kind))
            server.remove({ apiVersion, kind, name: o.metadata.name, namespace: o.metadata.namespace });
        } catch {
          // this server does not serve that kind
        }
    server.requests.length = 0;
  }
  servers.parent.put(lbService() as never);
  servers.parent.put({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "etcd", namespace: "karmada-system" },
    spec: { replicas: 3 },
  } as never);
  servers.parent.put({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "pvc-etcd-0" },
    spec: { claimRef: { namespace: "karmada-system", name: "etcd-data-etcd-0" } },
  } as never);
  for (const m of ["member-1", "member-2"]) servers.karmada.put(karmadaCluster(m) as never);
  servers.karmada.put({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx", namespace: "default", ...OURS },
    spec: { replicas: 12 },
  } as never);
  servers.karmada.put({
    apiVersion: "policy.karmada.io/v1alpha1",
    kind: "PropagationPolicy",
    metadata: { name: "nginx-propagation", namespace: "default", ...OURS },
    spec: {},
  } as never);
  servers["member-1"].put(sampleDeployment(4) as never);
  servers["member-2"].put(sampleDeployment(8) as never);

  const deps = {
    aws: awsClients,
    log: createLogger("workflow-test"),
    now: () => new Date(),
    registry: table.registry,
    kube: kubeFor(
      { "demo-parent": servers.parent, "demo-member-1": servers["member-1"], "demo-member-2": servers["member-2"] },
      servers.karmada,
    ),
  };
  // biome-ignore lint/suspicious/noExplicitAny: each stage parses its own payload shape.
  const stages: Record<Day2StageKey, (input: any) => Promise<unknown>> = {
    registryUpdate: (input) => registryUpdate(registryUpdateInputSchema.parse(input), deps),
    driftDesired: (input) => driftDesired(driftDesiredInputSchema.parse(input), deps),
    driftCluster: (input) => driftCluster(input, deps),
    driftKarmada: (input) => driftKarmada(input, deps),
    driftSample: (input) => driftSample(input, deps),
    // The plan creates no VPC: the real stage, which then reads nothing.
    driftVpcs: (input) => driftVpcs(driftVpcsInputSchema.parse(input), deps),
    driftReport: (input) => driftReport(driftReportInputSchema.parse(input), deps),
    driftRemediate: (input) => driftRemediate(input, deps),
    destroyConfirm: (input) => destroyConfirm(destroyConfirmInputSchema.parse(input), deps),
    destroyInventory: (input) => destroyInventory(input, deps),
    destroySample: (input) => destroySample(input, deps),
    destroyKarmadaLb: (input) => destroyKarmadaLb(input, deps),
    destroyKarmadaLbStatus: async (input) => {
      // The cloud controller removes the NLB once its Service is gone.
      if (!servers.parent.list("v1", "Service", "karmada-system").length) state.nlbGone = true;
      return destroyKarmadaLbStatus(input, deps);
    },
    destroyNodegroups: (input) => destroyNodegroups(input, deps),
    destroyNodegroupsStatus: async (input) => {
      eks.settle();
      return destroyNodegroupsStatus(input, deps);
    },
    destroyCluster: (input) => destroyCluster(input, deps),
    destroyClusterStatus: async (input) => {
      eks.settle();
      return destroyClusterStatus(input, deps);
    },
    // The plan created no VPC: the stage's own input schema checks the payload, and nothing is left to delete.
    destroyVpcs: async (input) => {
      const { attempt } = destroyVpcsInputSchema.parse(input);
      return { ready: true, status: "deleted", nextPollSeconds: 15, attempt, remaining: [], deleted: [] };
    },
    destroySecrets: (input) => destroySecrets(input, deps),
  };

  const build = (stage: Stage, env: Record<string, string>) => {
    if (stage === "karmadaUnjoin")
      servers.karmada.remove({
        apiVersion: "cluster.karmada.io/v1alpha1",
        kind: "Cluster",
        name: env.MEMBER_NAME ?? "",
      });
    else {
      // deinit deletes Karmada's labelled workloads; the job deletes the claims, so their volumes go.
      servers.parent.remove({ apiVersion: "apps/v1", kind: "StatefulSet", namespace: "karmada-system", name: "etcd" });
      servers.parent.remove({ apiVersion: "v1", kind: "PersistentVolume", name: "pvc-etcd-0" });
    }
    return {
      Build: { Id: `${stage}:${env.MEMBER_NAME ?? "parent"}`, BuildStatus: "SUCCEEDED", StartTime: "s", EndTime: "e" },
    };
  };

  const record = async (stage: Stage, input: Record<string, unknown>, run: () => Promise<unknown> | unknown) => {
    calls.push({ stage, input });
    const failure = failures.get(stage);
    if (failure) {
      failures.delete(stage);
      throw failure;
    }
    return run();
  };

  const byArn = new Map(Object.entries(resources.functions).map(([key, arn]) => [arn, key as Day2StageKey]));
  const fakes = (resource: string): TaskFake => {
    if (resource === CODEBUILD_START_BUILD_SYNC)
      return (input) => {
        const { ProjectName, EnvironmentVariablesOverride } = input as {
          ProjectName: string;
          EnvironmentVariablesOverride: { Name: string; Value: string }[];
        };
        const env = Object.fromEntries(EnvironmentVariablesOverride.map((v) => [v.Name, v.Value]));
        const stage: Stage = ProjectName === resources.projects.karmadaUnjoin ? "karmadaUnjoin" : "karmadaDeinit";
        return record(stage, env, () => build(stage, env));
      };
    const key = byArn.get(resource);
    if (!key) throw new Error(`no fake for ${resource}`);
    return (input) => record(key, input as Record<string, unknown>, () => stages[key](input));
  };

  return {
    fakes,
    eks,
    table,
    servers,
    state,
    mocks: { sfn, elbv2, secrets, events, metrics },
    calls,
    callsOf: (stage: Stage) => calls.filter((c) => c.stage === stage),
    order: () => calls.map((c) => c.stage),
    /** The next call of `stage` fails with this named error (a CodeBuild job: its build fails). */
    failOnce: (stage: Stage, name = "States.TaskFailed", message = "injected failure") =>
      failures.set(stage, namedError(name, message)),
  };
}
