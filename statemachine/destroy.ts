/**
 * The Destroy state machine (Standard, JSONPath): an ordered, tag-scoped teardown of one registered deployment.
 * Input: `{"deploymentName": "demo", "confirm": "demo"}` — without the matching `confirm` it stops with
 * `DestroyNotConfirmed` before anything is read or touched.
 *
 * Order (each step tolerates "already gone", so a re-run after a partial failure converges):
 *   confirm → lock the deployment (DESTROYING) → inventory (what exists, what is ours) →
 *   delete the sample workload on Karmada → unjoin the joined members (CodeBuild, one per member) →
 *   delete the LoadBalancer Service, wait until its NLB is gone (ours, not init's: deinit never deletes it) →
 *   `kubectl karmada deinit`, etcd claims and volumes, then the karmada-system namespace (CodeBuild) →
 *   per cluster, all at once: delete node groups (wait) → addons and cluster (wait; a cluster or node group still
 *   being created is deleted as soon as EKS lets it) →
 *   schedule the Karmada secrets for deletion → DESTROYED.
 * Only clusters tagged with the deployment are touched; every deleting stage checks the tag again itself.
 *
 * Data layout (no secrets): $.registry, $.target (inventory), $.sample, $.unjoins, $.lbDeletion, $.deinit,
 * $.clusters, $.secrets, $.failure.
 */

import { DELETION_WORK } from "../functions/lib/deletion.js";
import type { MapState, Payload, StateMachineDefinition, States } from "./asl.js";
import type { Day2Resources } from "./day2-resources.js";
import { FAILURE_STATES } from "./failure.js";
import { pollLoop, pollStateNames } from "./poll.js";
import { recordedFailureStates, registryTask } from "./registry.js";
import { catchAll, codebuildTask, FAILURE_PATH, lambdaTask } from "./task.js";

/** State names, in runbook order. */
export const DESTROY = {
  confirm: "Confirm destroy",
  recordStarted: "Record destroy started",
  inventory: "Find deployment resources",
  deleteSample: "Delete sample workload",
  unjoinMembers: "Unjoin members",
  memberJoined: "Member joined?",
  unjoinMember: "Unjoin member from Karmada",
  skipUnjoin: "Skip unjoin",
  pullMemberFailed: "Pull member?",
  unregisterFailed: "Member unregister failed",
  unjoinFailed: "Member unjoin failed",
  unjoinFailure: "Member unjoin failure",
  deleteLoadBalancer: "Delete Karmada API load balancer",
  loadBalancerDeletion: pollStateNames("Karmada NLB deletion"),
  karmadaInstalled: "Karmada installed?",
  removeKarmada: "Remove Karmada",
  skipRemoveKarmada: "Skip Karmada removal",
  removeKarmadaFailed: "Karmada removal failed",
  deleteClusters: "Delete clusters",
  deleteNodegroups: "Delete node groups",
  nodegroupDeletion: pollStateNames("node group deletion"),
  deleteCluster: "Delete addons and cluster",
  clusterDeletion: pollStateNames("cluster deletion"),
  deleteVpcs: "Delete created VPCs",
  vpcDeletion: pollStateNames("VPC deletion"),
  deleteSecrets: "Delete Karmada secrets",
  recordDestroyed: "Record deployment destroyed",
  done: "Destroy complete",
  recordFailure: "Record destroy failure",
  failed: "Destroy failed",
  summarizeFailure: FAILURE_STATES.summarizeFailure,
} as const;

/** Named errors the workflow itself raises (stages raise theirs, see functions/lib/errors.ts). */
export const DESTROY_ERRORS = {
  loadBalancerDeleteTimeout: "LoadBalancerDeleteTimeout",
  nodegroupDeleteTimeout: "NodegroupDeleteTimeout",
  clusterDeleteTimeout: "ClusterDeleteTimeout",
  vpcDeleteTimeout: "VpcDeleteTimeout",
  karmadaUnjoinFailed: "KarmadaUnjoinFailed",
  karmadaUnregisterFailed: "KarmadaUnregisterFailed",
  karmadaDeinitFailed: "KarmadaDeinitFailed",
} as const;

const MAX_CLUSTER_CONCURRENCY = 40; // inline Map limit

export function destroyDefinition(resources: Day2Resources): StateMachineDefinition {
  const fn = resources.functions;
  const top = { catchTo: DESTROY.summarizeFailure };
  const target = "$.target";
  const vpcInput: Payload = { "deploymentName.$": `${target}.deploymentName`, "regions.$": `${target}.regions` };
  return {
    Comment: "eks-karmada-orchestrator Destroy: ordered, tag-scoped teardown of one deployment (requires confirm)",
    StartAt: DESTROY.confirm,
    States: {
      // Before anything else: the input must repeat the deployment name in `confirm`.
      [DESTROY.confirm]: lambdaTask(fn.destroyConfirm, {
        resultPath: null,
        next: DESTROY.recordStarted,
        ...top,
      }),
      [DESTROY.recordStarted]: registryTask(fn.registryUpdate, "destroyStarted", {
        resultPath: "$.registry",
        next: DESTROY.inventory,
        ...top,
      }),
      [DESTROY.inventory]: lambdaTask(fn.destroyInventory, {
        parameters: { "plan.$": "$.registry.plan" },
        resultPath: target,
        next: DESTROY.deleteSample,
        timeoutSeconds: 300,
        ...top,
      }),
      [DESTROY.deleteSample]: lambdaTask(fn.destroySample, {
        parameters: {
          "deploymentName.$": `${target}.deploymentName`,
          "region.$": `${target}.region`,
          "kubeconfigSecretName.$": `${target}.kubeconfigSecretName`,
          "initialized.$": `${target}.karmada.initialized`,
        },
        resultPath: "$.sample",
        next: DESTROY.unjoinMembers,
        ...top,
      }),
      [DESTROY.unjoinMembers]: unjoinMembers(resources),
      // The NLB first: nothing after this needs the Karmada API, and deinit leaves our Service alone.
      ...loadBalancerDeletion(resources, DESTROY.karmadaInstalled),
      [DESTROY.karmadaInstalled]: {
        Type: "Choice",
        Choices: [{ Variable: `${target}.karmada.initialized`, BooleanEquals: true, Next: DESTROY.removeKarmada }],
        Default: DESTROY.skipRemoveKarmada,
      },
      [DESTROY.removeKarmada]: codebuildTask({
        project: resources.projects.karmadaDeinit,
        environment: {
          DEPLOYMENT_NAME: `${target}.deploymentName`,
          CLUSTER_NAME: `${target}.parent.clusterName`,
          CLUSTER_REGION: `${target}.parent.region`,
          KARMADA_VERSION: `${target}.karmadaVersion`,
        },
        resultPath: "$.deinit",
        next: DESTROY.deleteClusters,
        onFailure: { next: DESTROY.removeKarmadaFailed, resultPath: "$.buildError" },
      }),
      // A failed build's cause is the whole build record: replace it with one a person can act on.
      [DESTROY.removeKarmadaFailed]: {
        Type: "Pass",
        Parameters: {
          Error: DESTROY_ERRORS.karmadaDeinitFailed,
          "Cause.$": `States.Format('kubectl karmada deinit on {} failed (CodeBuild project ${resources.projects.karmadaDeinit}): {}. Read the build log, fix the cause and run Destroy again; steps already done are skipped.', ${target}.parent.clusterName, $.buildError.Error)`,
        },
        ResultPath: FAILURE_PATH,
        Next: DESTROY.summarizeFailure,
      },
      [DESTROY.skipRemoveKarmada]: {
        Type: "Pass",
        Result: { skipped: true, reason: "neither Karmada nor its etcd volumes are on the parent cluster" },
        ResultPath: "$.deinit",
        Next: DESTROY.deleteClusters,
      },
      [DESTROY.deleteClusters]: deleteClusters(resources),
      // After the clusters: their network interfaces are what keeps subnets in use.
      [DESTROY.deleteVpcs]: lambdaTask(fn.destroyVpcs, {
        parameters: vpcInput,
        resultPath: "$.vpcs",
        next: DESTROY.vpcDeletion.ready,
        ...top,
      }),
      ...pollLoop({
        names: DESTROY.vpcDeletion,
        statusFunction: fn.destroyVpcs,
        parameters: vpcInput,
        resultPath: "$.vpcs",
        work: "vpcDelete",
        timeout: {
          error: DESTROY_ERRORS.vpcDeleteTimeout,
          cause:
            "The VPCs {} created were not deleted; left: {}. EC2 refused with DependencyViolation: network interfaces still in use (aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=<vpc>) or resources that are not ours; remove them and run Destroy again",
          args: [`${target}.deploymentName`, "States.JsonToString($.vpcs.remaining)"],
        },
        next: DESTROY.deleteSecrets,
        catchTo: DESTROY.summarizeFailure,
      }),
      [DESTROY.deleteSecrets]: lambdaTask(fn.destroySecrets, {
        parameters: {
          "deploymentName.$": `${target}.deploymentName`,
          "region.$": `${target}.region`,
          "kubeconfigSecretName.$": `${target}.kubeconfigSecretName`,
          "pkiSecretName.$": `${target}.pkiSecretName`,
        },
        resultPath: "$.secrets",
        next: DESTROY.recordDestroyed,
        ...top,
      }),
      [DESTROY.recordDestroyed]: registryTask(fn.registryUpdate, "destroyed", { next: DESTROY.done, ...top }),
      [DESTROY.done]: {
        Type: "Pass",
        Parameters: {
          "deploymentName.$": `${target}.deploymentName`,
          "clusters.$": "$.clusters.results",
          "secrets.$": "$.secrets.secrets",
          "notes.$": `${target}.notes`,
        },
        End: true,
      },
      ...recordedFailureStates(fn.registryUpdate, "destroyFailed", {
        record: DESTROY.recordFailure,
        failed: DESTROY.failed,
      }),
    },
  };
}

/**
 * One KarmadaUnjoin build per joined member, all at once; members not joined (or not ours) are skipped. The build
 * reads the member's mode from Karmada: push members are unjoined, pull members unregistered (their agent removed).
 */
function unjoinMembers(resources: Day2Resources): MapState {
  return {
    Type: "Map",
    Comment: "kubectl karmada unjoin, one CodeBuild build per joined member",
    ItemsPath: "$.target.members",
    ItemSelector: {
      "member.$": "$$.Map.Item.Value",
      "karmadaVersion.$": "$.target.karmadaVersion",
      "secretsRegion.$": "$.target.region",
      "kubeconfigSecretName.$": "$.target.kubeconfigSecretName",
    },
    MaxConcurrency: MAX_CLUSTER_CONCURRENCY,
    ItemProcessor: {
      ProcessorConfig: { Mode: "INLINE" },
      StartAt: DESTROY.memberJoined,
      States: {
        [DESTROY.memberJoined]: {
          Type: "Choice",
          Choices: [{ Variable: "$.member.joined", BooleanEquals: true, Next: DESTROY.unjoinMember }],
          Default: DESTROY.skipUnjoin,
        },
        [DESTROY.skipUnjoin]: { Type: "Pass", Result: { skipped: true }, ResultPath: "$.build", End: true },
        [DESTROY.unjoinMember]: codebuildTask({
          project: resources.projects.karmadaUnjoin,
          environment: {
            DEPLOYMENT_NAME: "$.member.deploymentName",
            MEMBER_NAME: "$.member.name",
            CLUSTER_NAME: "$.member.clusterName",
            CLUSTER_REGION: "$.member.region",
            KARMADA_VERSION: "$.karmadaVersion",
            SECRETS_REGION: "$.secretsRegion",
            KUBECONFIG_SECRET: "$.kubeconfigSecretName",
          },
          resultPath: "$.build",
          onFailure: { next: DESTROY.pullMemberFailed, resultPath: "$.buildError" },
        }),
        [DESTROY.pullMemberFailed]: {
          Type: "Choice",
          Choices: [
            {
              And: [
                { Variable: "$.member.syncMode", IsPresent: true },
                { Variable: "$.member.syncMode", StringEquals: "Pull" },
              ],
              Next: DESTROY.unregisterFailed,
            },
          ],
          Default: DESTROY.unjoinFailed,
        },
        [DESTROY.unregisterFailed]: {
          Type: "Pass",
          Parameters: {
            Error: DESTROY_ERRORS.karmadaUnregisterFailed,
            "Cause.$": `States.Format('kubectl karmada unregister of pull member {} ({}) failed (CodeBuild project ${resources.projects.karmadaUnjoin}): {}. Read the build log, fix the cause and run Destroy again; members already unregistered are skipped.', $.member.name, $.member.clusterName, $.buildError.Error)`,
          },
          ResultPath: "$.named",
          Next: DESTROY.unjoinFailure,
        },
        [DESTROY.unjoinFailed]: {
          Type: "Pass",
          Parameters: {
            Error: DESTROY_ERRORS.karmadaUnjoinFailed,
            "Cause.$": `States.Format('kubectl karmada unjoin of member {} ({}) failed (CodeBuild project ${resources.projects.karmadaUnjoin}): {}. Read the build log, fix the cause and run Destroy again; members already unjoined are skipped.', $.member.name, $.member.clusterName, $.buildError.Error)`,
          },
          ResultPath: "$.named",
          Next: DESTROY.unjoinFailure,
        },
        [DESTROY.unjoinFailure]: { Type: "Fail", ErrorPath: "$.named.Error", CausePath: "$.named.Cause" },
      },
    },
    ResultSelector: { "builds.$": "$[*].build" },
    ResultPath: "$.unjoins",
    Catch: catchAll(DESTROY.summarizeFailure),
    Next: DESTROY.deleteLoadBalancer,
  };
}

/**
 * Delete the LoadBalancer Service, then wait for its NLB to go. It is ours (EnsureKarmadaLoadBalancer), not labelled
 * karmada.io/bootstrapping, so `kubectl karmada deinit` never deletes it (pkg/karmadactl/deinit/deinit.go@v1.18.2).
 */
function loadBalancerDeletion(resources: Day2Resources, next: string): States {
  const fn = resources.functions;
  const input: Payload = { "cluster.$": "$.target.parent", "loadBalancer.$": "$.target.karmada.loadBalancer" };
  return {
    [DESTROY.deleteLoadBalancer]: lambdaTask(fn.destroyKarmadaLb, {
      parameters: input,
      resultPath: "$.lbDeletion",
      next: DESTROY.loadBalancerDeletion.ready,
      catchTo: DESTROY.summarizeFailure,
    }),
    ...pollLoop({
      names: DESTROY.loadBalancerDeletion,
      statusFunction: fn.destroyKarmadaLbStatus,
      parameters: {
        "cluster.$": "$.target.parent",
        "loadBalancer.$": "$.lbDeletion.loadBalancer",
        "startedAt.$": "$.lbDeletion.startedAt",
      },
      resultPath: "$.lbDeletion",
      work: DELETION_WORK.loadBalancer,
      timeout: {
        error: DESTROY_ERRORS.loadBalancerDeleteTimeout,
        cause:
          "The Karmada API load balancer Service on {} or its NLB was not deleted. Check the events and finalizers of the Service (kubectl -n karmada-system describe service karmada-service-loadbalancer), then run Destroy again",
        args: ["$.target.parent.clusterName"],
      },
      next,
      catchTo: DESTROY.summarizeFailure,
    }),
  };
}

/** One iteration per cluster (parent and members at once): node groups (wait), then addons and cluster (wait). */
function deleteClusters(resources: Day2Resources): MapState {
  const fn = resources.functions;
  const cluster: Payload = { "cluster.$": "$.cluster" };
  return {
    Type: "Map",
    Comment: "Every cluster of the deployment is deleted at the same time",
    ItemsPath: "$.target.clusters",
    ItemSelector: { "cluster.$": "$$.Map.Item.Value" },
    MaxConcurrency: MAX_CLUSTER_CONCURRENCY,
    ItemProcessor: {
      ProcessorConfig: { Mode: "INLINE" },
      StartAt: DESTROY.deleteNodegroups,
      States: {
        [DESTROY.deleteNodegroups]: lambdaTask(fn.destroyNodegroups, {
          parameters: cluster,
          resultPath: "$.nodegroups",
          next: DESTROY.nodegroupDeletion.ready,
        }),
        ...pollLoop({
          names: DESTROY.nodegroupDeletion,
          statusFunction: fn.destroyNodegroupsStatus,
          parameters: { ...cluster, "startedAt.$": "$.nodegroups.startedAt" },
          resultPath: "$.nodegroups",
          work: DELETION_WORK.nodegroups,
          timeout: {
            error: DESTROY_ERRORS.nodegroupDeleteTimeout,
            cause: "The node groups of EKS cluster {} in {} were not deleted",
            args: ["$.cluster.clusterName", "$.cluster.region"],
          },
          next: DESTROY.deleteCluster,
        }),
        [DESTROY.deleteCluster]: lambdaTask(fn.destroyCluster, {
          parameters: cluster,
          resultPath: "$.deletion",
          next: DESTROY.clusterDeletion.ready,
        }),
        ...pollLoop({
          names: DESTROY.clusterDeletion,
          statusFunction: fn.destroyClusterStatus,
          // The previous status tells a cluster that failed to be created (deleted now) from one whose deletion failed.
          parameters: { ...cluster, "startedAt.$": "$.deletion.startedAt", "status.$": "$.deletion.status" },
          resultPath: "$.deletion",
          work: DELETION_WORK.cluster,
          timeout: {
            error: DESTROY_ERRORS.clusterDeleteTimeout,
            cause: "EKS cluster {} in {} was not deleted",
            args: ["$.cluster.clusterName", "$.cluster.region"],
          },
        }),
      },
    },
    ResultSelector: { "results.$": "$[*].deletion" },
    ResultPath: "$.clusters",
    Catch: catchAll(DESTROY.summarizeFailure),
    Next: DESTROY.deleteVpcs,
  };
}
