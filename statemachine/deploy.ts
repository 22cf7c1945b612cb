/**
 * The Deploy state machine (Standard, JSONPath): converge a plan into a parent EKS cluster running HA Karmada,
 * member clusters joined to it, and a verified weighted sample workload. Safe to re-run with the same input:
 * every stage adopts what already exists.
 *
 * Data layout of the execution state (no secrets, ever):
 *   $.plan      normalized plan (ValidateInput)         $.resolved  clusters resolved by Preflight
 *   $.built     parent loops/builds and member outputs   $.joins     one build result per member
 *   $.sample    the sample split                         $.failure   a caught error {Error, Cause}
 *
 * The deployment registry (functions/lib/registry.ts) brackets the run: "Record deployment started" right after
 * "Validate plan" (an invalid plan is never registered; while another execution of the deployment runs, this one
 * stops before Preflight), "Record deployment result" before "Deployment ready" (DEPLOYED, with the Kubernetes
 * version Preflight resolved), and "Record deployment failure" on the failure path (DEPLOY_FAILED, with the error).
 */
import { KARMADA_API_PORT } from "../functions/lib/names.js";
import type { ParallelState, Payload, StateMachineDefinition, States } from "./asl.js";
import { FAILURE_STATES } from "./failure.js";
import { pollLoop, pollStateNames } from "./poll.js";
import { recordedFailureStates, registryTask } from "./registry.js";
import type { DeployResources } from "./resources.js";
import { replacingRetry } from "./retry.js";
import { catchAll, codebuildTask, lambdaTask } from "./task.js";

/** State names: what a person reads in the console graph, in runbook order. */
export const DEPLOY = {
  validatePlan: "Validate plan",
  recordStarted: "Record deployment started",
  vpcsToCreate: "VPCs to create?",
  createVpcs: "Create VPCs",
  vpcs: pollStateNames("VPC NAT gateways"),
  preflight: "Run preflight checks",
  createClusters: "Create clusters",
  // Parent branch
  createParentCluster: "Create parent cluster",
  parentControlPlane: pollStateNames("parent control plane"),
  prepareParent: "Prepare parent cluster",
  createParentNodegroup: "Create parent node group",
  parentNodegroup: pollStateNames("parent node group"),
  installAddons: "Install EBS CSI driver addons",
  addons: pollStateNames("EBS CSI driver addons"),
  grantParentAccess: "Grant access to parent cluster",
  createStorageClass: "Create EBS storage class",
  exposeKarmadaApi: "Expose Karmada API through NLB",
  karmadaNlb: pollStateNames("Karmada NLB"),
  initKarmada: "Initialize Karmada",
  karmadaInitFailed: "Karmada init failed",
  karmadaInitFailure: "Karmada init failure",
  // Members branch
  createMemberClusters: "Create member clusters",
  createMemberCluster: "Create member cluster",
  memberControlPlane: pollStateNames("member control plane"),
  createMemberNodegroup: "Create member node group",
  memberNodegroup: pollStateNames("member node group"),
  grantMemberAccess: "Grant access to member cluster",
  // Karmada
  joinMembers: "Join members to Karmada",
  memberSyncMode: "Push or pull member?",
  joinMember: "Join member to Karmada",
  memberJoinFailed: "Member join failed",
  memberJoinFailure: "Member join failure",
  registerMember: "Register pull member with Karmada",
  memberRegisterFailed: "Member register failed",
  memberRegisterFailure: "Member register failure",
  sampleEnabled: "Sample workload enabled?",
  skipSample: "Skip sample workload",
  deploySample: "Deploy sample workload",
  sampleSplit: pollStateNames("sample split"),
  summarize: "Summarize deployment",
  recordResult: "Record deployment result",
  done: "Deployment ready",
  ...FAILURE_STATES,
  recordFailure: "Record deployment failure",
} as const;

/** Named errors the workflow itself raises (stages raise theirs, see functions/lib/errors.ts). */
export const DEPLOY_ERRORS = {
  natGatewayCreateTimeout: "NatGatewayCreateTimeout",
  clusterCreateTimeout: "ClusterCreateTimeout",
  nodegroupCreateTimeout: "NodegroupCreateTimeout",
  addonsTimeout: "AddonsTimeout",
  loadBalancerTimeout: "LoadBalancerTimeout",
  sampleWorkloadTimeout: "SampleWorkloadTimeout",
  karmadaInitFailed: "KarmadaInitFailed",
  karmadaJoinFailed: "KarmadaJoinFailed",
  karmadaRegisterFailed: "KarmadaRegisterFailed",
} as const;

const MAX_MEMBER_CONCURRENCY = 40; // inline Map limit

export function deployDefinition(resources: DeployResources): StateMachineDefinition {
  const fn = resources.functions;
  const top = { catchTo: DEPLOY.summarizeFailure };
  return {
    Comment: "eks-karmada-orchestrator Deploy: parent EKS + HA Karmada, members joined, weighted sample verified",
    StartAt: DEPLOY.validatePlan,
    States: {
      // From here on the state holds the normalized plan, not the raw document.
      [DEPLOY.validatePlan]: lambdaTask(fn.validateInput, {
        resultSelector: { "plan.$": "$" },
        resultPath: "$.validated",
        outputPath: "$.validated",
        next: DEPLOY.recordStarted,
        ...top,
      }),
      // Registers the plan (DEPLOYING) and takes the deployment's lock: one execution per deployment at a time.
      [DEPLOY.recordStarted]: registryTask(fn.registryUpdate, "deployStarted", { next: DEPLOY.vpcsToCreate, ...top }),
      // VPCs the plan creates (vpc.create) exist before Preflight looks them up like any other VPC.
      ...createVpcs(resources, DEPLOY.preflight),
      [DEPLOY.preflight]: lambdaTask(fn.preflight, {
        parameters: { "plan.$": "$.plan" },
        resultPath: "$.resolved",
        next: DEPLOY.createClusters,
        timeoutSeconds: 300,
        ...top,
      }),
      [DEPLOY.createClusters]: createClusters(resources, DEPLOY.joinMembers),
      [DEPLOY.joinMembers]: joinMembers(resources, DEPLOY.sampleEnabled),
      [DEPLOY.sampleEnabled]: {
        Type: "Choice",
        Choices: [
          {
            And: [
              { Variable: "$.resolved.sampleWorkload.enabled", BooleanEquals: true },
              { Variable: "$.resolved.sampleWorkload.replicas", NumericGreaterThan: 0 },
            ],
            Next: DEPLOY.deploySample,
          },
        ],
        Default: DEPLOY.skipSample,
      },
      [DEPLOY.skipSample]: {
        Type: "Pass",
        Result: { skipped: true, reason: "sampleWorkload.enabled is false or sampleWorkload.replicas is 0" },
        ResultPath: "$.sample",
        Next: DEPLOY.summarize,
      },
      ...sampleWorkload(resources, DEPLOY.summarize),
      [DEPLOY.summarize]: lambdaTask(fn.summarize, {
        parameters: {
          "resolved.$": "$.resolved",
          "parent.$": "$.built.parent",
          "members.$": "$.built.members",
          "joins.$": "$.joins.builds",
          "sample.$": "$.sample",
          "executionStartTime.$": "$$.Execution.StartTime",
        },
        resultPath: "$.summary",
        next: DEPLOY.recordResult,
        ...top,
      }),
      // DEPLOYED, releasing the lock.
      [DEPLOY.recordResult]: registryTask(fn.registryUpdate, "deploySucceeded", {
        next: DEPLOY.done,
        extra: {
          "kubernetesVersion.$": "$.resolved.parent.kubernetesVersion",
          // The Summary whole (it holds no secret): a path into it would be an uncatchable error were it absent.
          "summary.$": "$.summary",
        },
        ...top,
      }),
      [DEPLOY.done]: { Type: "Succeed", OutputPath: "$.summary" },
      // "Summarize failure" → "Record deployment failure" (DEPLOY_FAILED, lock released) → "Deployment failed".
      ...recordedFailureStates(fn.registryUpdate, "deployFailed", {
        record: DEPLOY.recordFailure,
        failed: DEPLOY.failed,
      }),
    },
  };
}

/**
 * "Create VPCs" converges every VPC of `$.plan.vpcs` and is also the status stage of its poll loop (each call
 * creates what is missing and reports whether the NAT gateways are available). Plans without vpc.create skip it.
 */
function createVpcs(resources: DeployResources, next: string): States {
  const fn = resources.functions;
  const input: Payload = { "plan.$": "$.plan" };
  return {
    [DEPLOY.vpcsToCreate]: {
      Type: "Choice",
      Choices: [{ Variable: "$.plan.vpcs[0]", IsPresent: true, Next: DEPLOY.createVpcs }],
      Default: next,
    },
    [DEPLOY.createVpcs]: lambdaTask(fn.ensureVpcs, {
      parameters: input,
      resultPath: "$.vpcs",
      next: DEPLOY.vpcs.ready,
      catchTo: DEPLOY.summarizeFailure,
    }),
    ...pollLoop({
      names: DEPLOY.vpcs,
      statusFunction: fn.ensureVpcs,
      parameters: input,
      resultPath: "$.vpcs",
      work: "natGatewayCreate",
      timeout: {
        error: DEPLOY_ERRORS.natGatewayCreateTimeout,
        cause: "The NAT gateways of the VPCs {} creates did not become available",
        args: ["$.plan.deploymentName"],
      },
      next,
      catchTo: DEPLOY.summarizeFailure,
    }),
  };
}

/** Parent and members are built side by side; an error in either branch fails the Parallel with its own name. */
function createClusters(resources: DeployResources, next: string): ParallelState {
  return {
    Type: "Parallel",
    Comment: "The parent and every member cluster are created at the same time",
    Branches: [parentBranch(resources), membersBranch(resources)],
    ResultSelector: {
      parent: {
        "controlPlane.$": "$[0].controlPlane",
        "nodegroup.$": "$[0].prepared.nodegroup",
        "addons.$": "$[0].prepared.addons",
        "loadBalancer.$": "$[0].prepared.loadBalancer",
        "karmadaInit.$": "$[0].karmadaInit",
      },
      "members.$": "$[1].members",
    },
    ResultPath: "$.built",
    Catch: catchAll(DEPLOY.summarizeFailure),
    Next: next,
  };
}

const PARENT = "$.resolved.parent";
/** The plan's cluster admins, granted on every cluster besides the orchestrator's principals and the stack's. */
const CLUSTER_ADMINS = "$.resolved.access.clusterAdmins";
const parentInput: Payload = { "cluster.$": PARENT };
/** EnsureCluster / EnsureNodegroup: the execution's ID makes their create tokens unique per execution. */
const ensureParent: Payload = { ...parentInput, "executionId.$": "$$.Execution.Id" };

function parentBranch(resources: DeployResources): StateMachineDefinition {
  const fn = resources.functions;
  return {
    StartAt: DEPLOY.createParentCluster,
    States: {
      [DEPLOY.createParentCluster]: lambdaTask(fn.ensureCluster, {
        parameters: ensureParent,
        retry: [replacingRetry()],
        resultPath: "$.controlPlane",
        next: DEPLOY.parentControlPlane.ready,
      }),
      ...pollLoop({
        names: DEPLOY.parentControlPlane,
        statusFunction: fn.clusterStatus,
        parameters: parentInput,
        resultPath: "$.controlPlane",
        work: "clusterCreate",
        timeout: {
          error: DEPLOY_ERRORS.clusterCreateTimeout,
          cause: "EKS cluster {} in {} did not become ACTIVE",
          args: [`${PARENT}.clusterName`, `${PARENT}.region`],
        },
        next: DEPLOY.prepareParent,
      }),
      // Once the control plane is ACTIVE, nodes, addons and the NLB proceed side by side.
      [DEPLOY.prepareParent]: {
        Type: "Parallel",
        Branches: [parentNodegroupBranch(resources), addonsBranch(resources), karmadaApiBranch(resources)],
        ResultSelector: {
          "nodegroup.$": "$[0].nodegroup",
          "addons.$": "$[1].addons",
          "access.$": "$[2].access",
          "loadBalancer.$": "$[2].loadBalancer",
        },
        ResultPath: "$.prepared",
        Next: DEPLOY.initKarmada,
      },
      [DEPLOY.initKarmada]: codebuildTask({
        project: resources.projects.karmadaInit,
        environment: {
          DEPLOYMENT_NAME: "$.resolved.deploymentName",
          CLUSTER_REGION: `${PARENT}.region`,
          CLUSTER_NAME: `${PARENT}.clusterName`,
          KARMADA_VERSION: "$.resolved.karmada.version",
          APISERVER_REPLICAS: "States.Format('{}', $.resolved.karmada.apiserverReplicas)",
          ETCD_REPLICAS: "States.Format('{}', $.resolved.karmada.etcdReplicas)",
          CERT_VALIDITY_DAYS: "States.Format('{}', $.resolved.karmada.certValidityDays)",
          NLB_HOSTNAME: "$.prepared.loadBalancer.hostname",
          NLB_IPV4: "$.prepared.loadBalancer.ipv4",
          SECRETS_REGION: "$.resolved.region",
          KUBECONFIG_SECRET: "$.resolved.karmada.kubeconfigSecretName",
          PKI_SECRET: "$.resolved.karmada.pkiSecretName",
        },
        resultPath: "$.karmadaInit",
        onFailure: { next: DEPLOY.karmadaInitFailed, resultPath: "$.buildError" },
      }),
      [DEPLOY.karmadaInitFailed]: namedFailure(
        DEPLOY_ERRORS.karmadaInitFailed,
        `States.Format('kubectl karmada init on {} failed (CodeBuild project ${resources.projects.karmadaInit}): {}. Read the build log, fix the cause and start the deployment again; init is skipped once Karmada is healthy.', ${PARENT}.clusterName, $.buildError.Error)`,
        DEPLOY.karmadaInitFailure,
      ),
      [DEPLOY.karmadaInitFailure]: { Type: "Fail", ErrorPath: "$.named.Error", CausePath: "$.named.Cause" },
    },
  };
}

function parentNodegroupBranch(resources: DeployResources): StateMachineDefinition {
  const fn = resources.functions;
  return {
    StartAt: DEPLOY.createParentNodegroup,
    States: {
      [DEPLOY.createParentNodegroup]: lambdaTask(fn.ensureNodegroup, {
        parameters: ensureParent,
        retry: [replacingRetry()],
        resultPath: "$.nodegroup",
        next: DEPLOY.parentNodegroup.ready,
      }),
      ...pollLoop({
        names: DEPLOY.parentNodegroup,
        statusFunction: fn.nodegroupStatus,
        parameters: parentInput,
        resultPath: "$.nodegroup",
        work: "nodegroupCreate",
        timeout: {
          error: DEPLOY_ERRORS.nodegroupCreateTimeout,
          cause: "Node group {} of {} did not become ACTIVE",
          args: [`${PARENT}.nodegroup.name`, `${PARENT}.clusterName`],
        },
      }),
    },
  };
}

function addonsBranch(resources: DeployResources): StateMachineDefinition {
  const fn = resources.functions;
  return {
    StartAt: DEPLOY.installAddons,
    States: {
      [DEPLOY.installAddons]: lambdaTask(fn.ensureAddons, {
        parameters: parentInput,
        resultPath: "$.addons",
        next: DEPLOY.addons.ready,
      }),
      ...pollLoop({
        names: DEPLOY.addons,
        statusFunction: fn.addonsStatus,
        parameters: parentInput,
        resultPath: "$.addons",
        work: "addonsReady",
        timeout: {
          error: DEPLOY_ERRORS.addonsTimeout,
          cause: "The eks-pod-identity-agent and aws-ebs-csi-driver addons of {} did not become ACTIVE",
          args: [`${PARENT}.clusterName`],
        },
      }),
    },
  };
}

function karmadaApiBranch(resources: DeployResources): StateMachineDefinition {
  const fn = resources.functions;
  const lbInput: Payload = { ...parentInput, "allowedCidrs.$": "$.resolved.karmada.allowedCidrs" };
  return {
    StartAt: DEPLOY.grantParentAccess,
    States: {
      [DEPLOY.grantParentAccess]: lambdaTask(fn.grantAccess, {
        parameters: { ...parentInput, "clusterAdmins.$": CLUSTER_ADMINS },
        resultPath: "$.access",
        next: DEPLOY.createStorageClass,
      }),
      [DEPLOY.createStorageClass]: lambdaTask(fn.ensureStorageClass, {
        parameters: parentInput,
        resultPath: "$.storageClass",
        next: DEPLOY.exposeKarmadaApi,
      }),
      [DEPLOY.exposeKarmadaApi]: lambdaTask(fn.ensureKarmadaLb, {
        parameters: lbInput,
        resultPath: "$.loadBalancer",
        next: DEPLOY.karmadaNlb.ready,
      }),
      ...pollLoop({
        names: DEPLOY.karmadaNlb,
        statusFunction: fn.karmadaLbStatus,
        parameters: lbInput,
        resultPath: "$.loadBalancer",
        work: "loadBalancerActive",
        timeout: {
          error: DEPLOY_ERRORS.loadBalancerTimeout,
          cause: `The NLB of Service karmada-system/karmada-service-loadbalancer on {} did not become active with a resolvable IPv4 address on port ${KARMADA_API_PORT}. Check the subnet tags kubernetes.io/role/elb and the Service events`,
          args: [`${PARENT}.clusterName`],
        },
      }),
    },
  };
}

const MEMBER = "$.cluster";
const memberInput: Payload = { "cluster.$": MEMBER };
const ensureMember: Payload = { ...memberInput, "executionId.$": "$$.Execution.Id" };

/** One Map iteration per member: cluster → node group → access. */
function membersBranch(resources: DeployResources): StateMachineDefinition {
  const fn = resources.functions;
  return {
    StartAt: DEPLOY.createMemberClusters,
    States: {
      [DEPLOY.createMemberClusters]: {
        Type: "Map",
        ItemsPath: "$.resolved.members",
        ItemSelector: { "cluster.$": "$$.Map.Item.Value", "clusterAdmins.$": CLUSTER_ADMINS },
        MaxConcurrency: MAX_MEMBER_CONCURRENCY,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: DEPLOY.createMemberCluster,
          States: {
            [DEPLOY.createMemberCluster]: lambdaTask(fn.ensureCluster, {
              parameters: ensureMember,
              retry: [replacingRetry()],
              resultPath: "$.controlPlane",
              next: DEPLOY.memberControlPlane.ready,
            }),
            ...pollLoop({
              names: DEPLOY.memberControlPlane,
              statusFunction: fn.clusterStatus,
              parameters: memberInput,
              resultPath: "$.controlPlane",
              work: "clusterCreate",
              timeout: {
                error: DEPLOY_ERRORS.clusterCreateTimeout,
                cause: "EKS cluster {} in {} did not become ACTIVE",
                args: [`${MEMBER}.clusterName`, `${MEMBER}.region`],
              },
              next: DEPLOY.createMemberNodegroup,
            }),
            [DEPLOY.createMemberNodegroup]: lambdaTask(fn.ensureNodegroup, {
              parameters: ensureMember,
              retry: [replacingRetry()],
              resultPath: "$.nodegroup",
              next: DEPLOY.memberNodegroup.ready,
            }),
            ...pollLoop({
              names: DEPLOY.memberNodegroup,
              statusFunction: fn.nodegroupStatus,
              parameters: memberInput,
              resultPath: "$.nodegroup",
              work: "nodegroupCreate",
              timeout: {
                error: DEPLOY_ERRORS.nodegroupCreateTimeout,
                cause: "Node group {} of {} did not become ACTIVE",
                args: [`${MEMBER}.nodegroup.name`, `${MEMBER}.clusterName`],
              },
              next: DEPLOY.grantMemberAccess,
            }),
            [DEPLOY.grantMemberAccess]: lambdaTask(fn.grantAccess, {
              parameters: { ...memberInput, "clusterAdmins.$": "$.clusterAdmins" },
              resultPath: "$.access",
            }),
          },
        },
        ResultPath: "$.members",
        End: true,
      },
    },
  };
}

/**
 * One build per member, all at once: KarmadaJoin for push members, KarmadaRegister for pull members (whose agent
 * then connects out to Karmada). Both end with the member's Cluster Ready in Karmada.
 */
function joinMembers(resources: DeployResources, next: string): States[string] {
  const environment = {
    DEPLOYMENT_NAME: "$.deploymentName",
    MEMBER_NAME: "$.member.name",
    CLUSTER_NAME: "$.member.clusterName",
    CLUSTER_REGION: "$.member.region",
    KARMADA_VERSION: "$.karmada.version",
    SECRETS_REGION: "$.secretsRegion",
    KUBECONFIG_SECRET: "$.karmada.kubeconfigSecretName",
  };
  return {
    Type: "Map",
    Comment:
      "kubectl karmada join (push members) or kubectl karmada register (pull members), one CodeBuild build per member",
    ItemsPath: "$.resolved.members",
    ItemSelector: {
      "member.$": "$$.Map.Item.Value",
      "deploymentName.$": "$.resolved.deploymentName",
      "karmada.$": "$.resolved.karmada",
      "secretsRegion.$": "$.resolved.region",
    },
    MaxConcurrency: MAX_MEMBER_CONCURRENCY,
    ItemProcessor: {
      ProcessorConfig: { Mode: "INLINE" },
      StartAt: DEPLOY.memberSyncMode,
      States: {
        // Members resolved before syncMode existed have none: they are push members.
        [DEPLOY.memberSyncMode]: {
          Type: "Choice",
          Choices: [
            {
              And: [
                { Variable: "$.member.syncMode", IsPresent: true },
                { Variable: "$.member.syncMode", StringEquals: "Pull" },
              ],
              Next: DEPLOY.registerMember,
            },
          ],
          Default: DEPLOY.joinMember,
        },
        [DEPLOY.registerMember]: codebuildTask({
          project: resources.projects.karmadaRegister,
          environment,
          resultPath: "$.build",
          onFailure: { next: DEPLOY.memberRegisterFailed, resultPath: "$.buildError" },
        }),
        [DEPLOY.memberRegisterFailed]: namedFailure(
          DEPLOY_ERRORS.karmadaRegisterFailed,
          `States.Format('kubectl karmada register of pull member {} ({}) failed (CodeBuild project ${resources.projects.karmadaRegister}): {}. Read the build log (it never shows the bootstrap token), fix the cause and start the deployment again; members already registered are skipped.', $.member.name, $.member.clusterName, $.buildError.Error)`,
          DEPLOY.memberRegisterFailure,
        ),
        [DEPLOY.memberRegisterFailure]: { Type: "Fail", ErrorPath: "$.named.Error", CausePath: "$.named.Cause" },
        [DEPLOY.joinMember]: codebuildTask({
          project: resources.projects.karmadaJoin,
          environment,
          resultPath: "$.build",
          onFailure: { next: DEPLOY.memberJoinFailed, resultPath: "$.buildError" },
        }),
        [DEPLOY.memberJoinFailed]: namedFailure(
          DEPLOY_ERRORS.karmadaJoinFailed,
          `States.Format('kubectl karmada join of member {} ({}) failed (CodeBuild project ${resources.projects.karmadaJoin}): {}. Read the build log, fix the cause and start the deployment again; members already joined are skipped.', $.member.name, $.member.clusterName, $.buildError.Error)`,
          DEPLOY.memberJoinFailure,
        ),
        [DEPLOY.memberJoinFailure]: { Type: "Fail", ErrorPath: "$.named.Error", CausePath: "$.named.Cause" },
      },
    },
    ResultSelector: { "builds.$": "$[*].build" },
    ResultPath: "$.joins",
    Catch: catchAll(DEPLOY.summarizeFailure),
    Next: next,
  };
}

function sampleWorkload(resources: DeployResources, next: string): States {
  const fn = resources.functions;
  const input: Payload = {
    "deploymentName.$": "$.resolved.deploymentName",
    "region.$": "$.resolved.region",
    "kubeconfigSecretName.$": "$.resolved.karmada.kubeconfigSecretName",
    "replicas.$": "$.resolved.sampleWorkload.replicas",
    "members.$": "$.resolved.members",
  };
  const loop = pollLoop({
    names: DEPLOY.sampleSplit,
    statusFunction: fn.sampleWorkloadStatus,
    parameters: input,
    resultPath: "$.sample",
    work: "sampleRollout",
    timeout: {
      error: DEPLOY_ERRORS.sampleWorkloadTimeout,
      cause: "The sample Deployment did not reach its weighted split on the members of {}",
      args: ["$.resolved.deploymentName"],
    },
    next,
    catchTo: DEPLOY.summarizeFailure,
  });
  return {
    [DEPLOY.deploySample]: lambdaTask(fn.sampleWorkload, {
      parameters: input,
      resultPath: "$.sample",
      next: DEPLOY.sampleSplit.ready,
      catchTo: DEPLOY.summarizeFailure,
    }),
    ...loop,
  };
}

/** A Pass that turns a caught build failure into a named error with a cause a person can act on. */
function namedFailure(error: string, causeFormat: string, next: string): States[string] {
  return { Type: "Pass", Parameters: { Error: error, "Cause.$": causeFormat }, ResultPath: "$.named", Next: next };
}
