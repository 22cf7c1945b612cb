/// <reference path="./.sst/platform/config.d.ts" />

/**
 * eks-karmada-orchestrator: the Deploy, DriftCheck and Destroy workflows, how they are started, and everything
 * they run as.
 *
 *   IAM roles EKS assumes ──┐
 *   KMS key (secrets) ──────┤
 *   Orchestrator VPC (NAT) ─┼─► CodeBuild (karmada init / join / unjoin / deinit) ─┐
 *   Deployment registry ────┤                                                      │
 *   Lambda stage roles ─────┴─► Lambda stages ─────────────────────────────────────┴─► Deploy, DriftCheck, Destroy
 *                                                                                        ▲
 *   EventBridge Scheduler ─► drift-schedule ─────────────────────────────────────────────┤
 *   Portal ─(SigV4)─► API Gateway (IAM auth) ─► api ─────────────────────────────────────┘
 *
 * Policies are built by the pure functions in infra/ (unit-tested in test/infra/); this file only wires them.
 */

/** How often every registered deployment gets a drift check (EventBridge Scheduler `rate(…)` or `cron(…)`). */
const DRIFT_CHECK_SCHEDULE = "rate(1 hour)";

/**
 * IAM role or user ARNs (arn:aws:iam::<account>:role/<path/>Name or …:user/…) given cluster-admin on every cluster of
 * every deployment, besides each plan's access.clusterAdmins: typically the role your platform team assumes. The
 * DEFAULT_CLUSTER_ADMIN_ARNS environment variable of `sst deploy` (comma-separated) is added to this list.
 */
const DEFAULT_CLUSTER_ADMIN_ARNS: string[] = [];

export default $config({
  app(input) {
    return {
      name: "eks-karmada-orchestrator",
      home: "aws",
      removal: input?.stage === "production" ? "retain" : "remove",
    };
  },
  async run() {
    // SST recommends no top-level imports in sst.config.ts: modules load here, as its infra/ examples do.
    const { readFileSync } = await import("node:fs");
    const { renderBuildspec } = await import("./functions/lib/karmada-versions.js");
    const { ENV, PROVIDED_BY_RUNTIME } = await import("./functions/lib/config.js");
    type Setting = import("./functions/lib/config.js").Setting;
    const { deployDefinition } = await import("./statemachine/deploy.js");
    const { driftCheckDefinition } = await import("./statemachine/drift-check.js");
    const { destroyDefinition } = await import("./statemachine/destroy.js");
    const { BUILD_KEYS, BUILDS, buildsIn } = await import("./statemachine/stages.js");
    type StateMachineDefinition = import("./statemachine/asl.js").StateMachineDefinition;
    const naming = await import("./infra/naming.js");
    const network = await import("./infra/network.js");
    const serviceRoles = await import("./infra/service-roles.js");
    const { STAGE_FOLDERS, STAGE_PROFILES, inOrchestratorVpc, perRole, perStage, roleOf, stagesOf } = await import(
      "./infra/stages.js"
    );
    const { stageRolePolicy } = await import("./infra/stage-policies.js");
    const { stackClusterAdmins } = await import("./functions/lib/principals.js");
    const { codeBuildPolicy } = await import("./infra/codebuild-policy.js");
    const { invokedFunctions, stateMachinePolicy } = await import("./infra/state-machine-policy.js");
    const { API_ROUTES, SCHEDULED_CHECK_INPUT, operatorPolicy, portalPolicy, schedulerPolicy } = await import(
      "./infra/entry-policies.js"
    );

    const stage = $app.stage;
    const json = (value: unknown) => JSON.stringify(value);
    const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
    /** The entries of `record` for `keys`. */
    const pick = <K extends string, V>(record: Record<string, V>, keys: readonly K[]) =>
      Object.fromEntries(keys.map((key) => [key, record[key] as V])) as Record<K, V>;

    // Where the stack lives: every policy is scoped to this account (and region where it applies).
    const scope = $resolve({
      partition: aws.getPartitionOutput({}).partition,
      account: aws.getCallerIdentityOutput({}).accountId,
      region: aws.getRegionOutput({}).region,
    });

    // Roles AWS services assume for the clusters the workflow creates: control plane, nodes, EBS CSI driver.
    const serviceRole = (name: string, description: string, role: typeof serviceRoles.clusterRole) => {
      const spec = scope.apply(({ partition }) => role(partition));
      return new aws.iam.Role(name, {
        description,
        assumeRolePolicy: spec.apply((s) => json(s.assumeRolePolicy)),
        managedPolicyArns: spec.apply((s) => s.managedPolicyArns),
      });
    };
    const clusterRole = serviceRole(
      "EksClusterRole",
      "EKS control plane of Karmada clusters",
      serviceRoles.clusterRole,
    );
    const nodeRole = serviceRole("EksNodeRole", "Managed node groups of Karmada clusters", serviceRoles.nodeRole);
    const ebsCsiRole = serviceRole("EbsCsiRole", "EBS CSI controller (EKS Pod Identity)", serviceRoles.ebsCsiRole);

    // KMS key for the Karmada kubeconfig and PKI in Secrets Manager; rotated yearly.
    const secretsKey = new aws.kms.Key("KarmadaSecretsKey", {
      description: `Karmada kubeconfig and PKI secrets (${stage})`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    const secretsKeyAlias = new aws.kms.Alias("KarmadaSecretsKeyAlias", {
      name: naming.secretsKeyAlias(stage),
      targetKeyId: secretsKey.keyId,
    });

    // The orchestrator's network: the builds and the Kubernetes stages run in its private subnets and go out through
    // NAT with Elastic IPs, fixed addresses the Karmada NLB admits besides the plan's allowedCidrs. Only outbound
    // HTTPS and the Karmada API port are open; nothing may connect in.
    const vpc = new sst.aws.Vpc("OrchestratorVpc", { az: network.ORCHESTRATOR_AZS, nat: network.natType(stage) });
    const egressCidrs = vpc.nodes.elasticIps
      .apply((eips) => $resolve(eips.map((eip) => eip.publicIp)))
      .apply(network.egressCidrs);
    const egressOnly = new aws.ec2.SecurityGroup("OrchestratorEgress", {
      vpcId: vpc.id,
      description: "Karmada builds and Kubernetes stages: outbound HTTPS and Karmada API only",
      egress: network.EGRESS_PORTS.map((port) => ({
        protocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrBlocks: ["0.0.0.0/0"],
      })),
    });

    // The deployment registry: one item per deployment (plan, status, running and last execution, last drift report),
    // with point-in-time recovery (SST's default for sst.aws.Dynamo).
    const registry = new sst.aws.Dynamo("Registry", {
      fields: { deploymentName: "string" },
      primaryIndex: { hashKey: "deploymentName" },
      transform: { table: { name: naming.registryTableName(stage) } },
    });

    // The state machines' ARNs follow from their names: the stages' settings and policies name them before they
    // exist (the machines' definitions in turn name the stages).
    const stateMachineArns = scope.apply((where) => ({
      deploy: naming.stateMachineArn(where, stage, "deploy"),
      driftCheck: naming.stateMachineArn(where, stage, "drift-check"),
      destroy: naming.stateMachineArn(where, stage, "destroy"),
    }));
    const DRIFT_EVENT_BUS = "default";

    // CodeBuild runs kubectl-karmada (init on the parent, join per member; unjoin and deinit for Destroy); the
    // buildspecs are inline.
    const buildLogs = new aws.cloudwatch.LogGroup("KarmadaBuildLogs", {
      name: naming.buildLogGroupName(stage),
      retentionInDays: 30,
    });
    const buildRole = new aws.iam.Role("KarmadaBuildRole", {
      description: "CodeBuild jobs that run kubectl karmada init / join",
      assumeRolePolicy: scope.apply(({ account }) =>
        json(serviceRoles.sameAccountTrust("codebuild.amazonaws.com", account)),
      ),
      inlinePolicies: [
        {
          name: "karmada-build",
          policy: $resolve({
            scope,
            secretsKeyArn: secretsKey.arn,
            logGroupName: buildLogs.name,
            subnetIds: vpc.privateSubnets,
          }).apply((v) =>
            json(
              codeBuildPolicy({
                ...v.scope,
                secretsKeyArn: v.secretsKeyArn,
                logGroupName: v.logGroupName,
                subnetIds: v.subnetIds,
              }),
            ),
          ),
        },
      ],
    });
    // One project per build of statemachine/stages.ts BUILDS.
    const buildProject = ({ job, description, timeoutMinutes }: (typeof BUILDS)[keyof typeof BUILDS]) =>
      new aws.codebuild.Project(pascal(job), {
        name: naming.projectName(stage, job),
        description,
        serviceRole: buildRole.arn,
        // The pins come from the one version table (functions/lib/karmada-versions.ts), rendered into the inline
        // buildspec here: the committed buildspecs pin nothing and refuse to install unless rendered.
        source: { type: "NO_SOURCE", buildspec: renderBuildspec(readFileSync(`buildspecs/${job}.yml`, "utf8")) },
        artifacts: { type: "NO_ARTIFACTS" },
        environment: {
          type: "LINUX_CONTAINER",
          computeType: "BUILD_GENERAL1_SMALL",
          image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
          environmentVariables: [{ name: ENV.secretsKmsKeyId, value: secretsKey.arn, type: "PLAINTEXT" }],
        },
        buildTimeout: timeoutMinutes,
        queuedTimeout: 30,
        logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: buildLogs.name, streamName: job } },
        vpcConfig: { vpcId: vpc.id, subnets: vpc.privateSubnets, securityGroupIds: [egressOnly.id] },
      });
    const buildProjects = Object.fromEntries(BUILD_KEYS.map((key) => [key, buildProject(BUILDS[key])])) as Record<
      (typeof BUILD_KEYS)[number],
      aws.codebuild.Project
    >;
    const { karmadaInit, karmadaJoin, karmadaRegister, karmadaUnjoin, karmadaDeinit } = buildProjects;

    // Lambda stage roles: one per stage, one shared by the Kubernetes-facing stages. Roles first, policies next:
    // GrantAccess's policy names the Kubernetes role, an admin principal of every cluster.
    const stageRoles = perRole(
      (role) =>
        new aws.iam.Role(`Stage${pascal(role)}Role`, {
          description: `Lambda stage role: ${stagesOf(role).join(", ")}`,
          assumeRolePolicy: json(serviceRoles.lambdaTrust()),
        }),
    );
    const adminPrincipalArns = [buildRole.arn, stageRoles.kubernetes.arn];
    // Operators' cluster-admin principals, validated like a plan's access.clusterAdmins (a bad ARN stops the deploy).
    const defaultClusterAdmins = stackClusterAdmins(DEFAULT_CLUSTER_ADMIN_ARNS, process.env.DEFAULT_CLUSTER_ADMIN_ARNS);
    const stageArns = $resolve({
      clusterRoleArn: clusterRole.arn,
      nodeRoleArn: nodeRole.arn,
      ebsCsiRoleArn: ebsCsiRole.arn,
      secretsKeyArn: secretsKey.arn,
      registryTableArn: registry.arn,
      stateMachineArns,
      driftEventBusArn: scope.apply((where) => naming.eventBusArn(where, DRIFT_EVENT_BUS)),
    });
    const stagePolicies = perRole((role) => {
      const functionNames = stagesOf(role).map((key) => naming.functionName(stage, STAGE_FOLDERS[key]));
      return new aws.iam.RolePolicy(`Stage${pascal(role)}Policy`, {
        role: stageRoles[role].name,
        policy: $resolve({ where: scope, arns: stageArns }).apply(({ where, arns }) =>
          json(stageRolePolicy(role, { ...where, ...arns, functionNames })),
        ),
      });
    });
    // Functions take their role once its policy exists: Lambda checks at creation that a VPC function's role may
    // create its network interfaces.
    const stageRoleArns = perRole((role) =>
      $resolve([stageRoles[role].arn, stagePolicies[role].id] as const).apply(([arn]) => arn),
    );
    const privateNetwork = { privateSubnets: vpc.privateSubnets, securityGroups: [egressOnly.id] };

    // Lambda functions (the stages of the three workflows, the schedule's target, the API): functions/<folder>/handler.ts,
    // each with only the settings it reads.
    const settings: Record<Exclude<Setting, "orchestratorRegion">, $util.Input<string>> = {
      clusterRoleArn: clusterRole.arn,
      nodeRoleArn: nodeRole.arn,
      ebsCsiRoleArn: ebsCsiRole.arn,
      adminPrincipalArns: $resolve(adminPrincipalArns).apply((arns) => arns.join(",")),
      defaultClusterAdminArns: defaultClusterAdmins.join(","),
      secretsKmsKeyId: secretsKey.arn,
      orchestratorEgressCidrs: egressCidrs.apply((cidrs) => cidrs.join(",")),
      registryTable: registry.name,
      deployStateMachineArn: stateMachineArns.deploy,
      driftCheckStateMachineArn: stateMachineArns.driftCheck,
      destroyStateMachineArn: stateMachineArns.destroy,
      driftEventBusName: DRIFT_EVENT_BUS,
    };
    const functions = perStage(
      (key) =>
        new sst.aws.Function(`Stage${pascal(key)}`, {
          name: naming.functionName(stage, STAGE_FOLDERS[key]),
          handler: `functions/${STAGE_FOLDERS[key]}/handler.handler`,
          runtime: "nodejs22.x",
          architecture: "arm64",
          timeout: `${STAGE_PROFILES[key].timeoutSeconds} seconds`,
          memory: `${STAGE_PROFILES[key].memoryMb} MB`,
          role: stageRoleArns[roleOf(key)],
          vpc: inOrchestratorVpc(roleOf(key)) ? privateNetwork : undefined,
          environment: Object.fromEntries(
            STAGE_PROFILES[key].settings
              .filter((s): s is keyof typeof settings => !PROVIDED_BY_RUNTIME.has(s))
              .map((s) => [ENV[s], settings[s]]),
          ),
          logging: { retention: "1 month" },
          // The roles above are complete; `sst dev` must not swap in its live-debugging bridge.
          dev: false,
        }),
    );

    // The three state machines (Standard, JSONPath from statemachine/): each with its own role (exactly the functions
    // its Tasks invoke, exactly its CodeBuild projects), logs without payloads, X-Ray.
    const functionArns = $resolve(perStage((key) => functions[key].arn));
    const projects = $resolve(
      Object.fromEntries(BUILD_KEYS.map((key) => [key, buildProjects[key].name])) as Record<
        (typeof BUILD_KEYS)[number],
        $util.Output<string>
      >,
    );
    const definitions = $resolve({ functions: functionArns, projects }).apply(({ functions, projects }) => ({
      deploy: deployDefinition({ functions, projects: pick(projects, buildsIn("deploy")) }),
      driftCheck: driftCheckDefinition({ functions, projects: pick(projects, buildsIn("driftCheck", "destroy")) }),
      destroy: destroyDefinition({ functions, projects: pick(projects, buildsIn("driftCheck", "destroy")) }),
    }));
    const stateMachine = (
      id: string,
      machine: (typeof naming.STATE_MACHINES)[number],
      definition: $util.Output<StateMachineDefinition>,
      projectArns: $util.Input<string>[],
    ) => {
      const logs = new aws.cloudwatch.LogGroup(`${id}Logs`, {
        name: naming.stateMachineLogGroupName(stage, machine),
        retentionInDays: 90,
      });
      const role = new aws.iam.Role(`${id}StateMachineRole`, {
        description: `${id} state machine`,
        assumeRolePolicy: scope.apply(({ account }) =>
          json(serviceRoles.sameAccountTrust("states.amazonaws.com", account)),
        ),
        inlinePolicies: [
          {
            name: machine,
            policy: $resolve({ scope, definition, projectArns }).apply((v) =>
              json(
                stateMachinePolicy({
                  ...v.scope,
                  functionArns: invokedFunctions(v.definition),
                  projectArns: v.projectArns,
                }),
              ),
            ),
          },
        ],
      });
      return new aws.sfn.StateMachine(id, {
        name: naming.stateMachineName(stage, machine),
        type: "STANDARD",
        roleArn: role.arn,
        definition: definition.apply(json),
        loggingConfiguration: {
          level: "ALL",
          includeExecutionData: false,
          logDestination: $interpolate`${logs.arn}:*`,
        },
        tracingConfiguration: { enabled: true },
      });
    };
    const deploy = stateMachine(
      "Deploy",
      "deploy",
      definitions.apply((d) => d.deploy),
      buildsIn("deploy").map((key) => buildProjects[key].arn),
    );
    const driftCheck = stateMachine(
      "DriftCheck",
      "drift-check",
      definitions.apply((d) => d.driftCheck),
      [],
    );
    const destroy = stateMachine(
      "Destroy",
      "destroy",
      definitions.apply((d) => d.destroy),
      buildsIn("destroy").map((key) => buildProjects[key].arn),
    );

    // Scheduled drift checks: EventBridge Scheduler invokes drift-schedule, which starts one DriftCheck per
    // registered deployment (report only; remediation is on demand).
    const driftScheduleRole = new aws.iam.Role("DriftScheduleRole", {
      description: "EventBridge Scheduler: invoke the drift-schedule function",
      assumeRolePolicy: scope.apply(({ account }) =>
        json(serviceRoles.sameAccountTrust("scheduler.amazonaws.com", account)),
      ),
      inlinePolicies: [
        {
          name: "invoke-drift-schedule",
          policy: functions.driftSchedule.arn.apply((arn) => json(schedulerPolicy(arn))),
        },
      ],
    });
    new aws.scheduler.Schedule("DriftChecks", {
      name: naming.driftScheduleName(stage),
      description: "Drift check of every registered deployment",
      scheduleExpression: DRIFT_CHECK_SCHEDULE,
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: functions.driftSchedule.arn,
        roleArn: driftScheduleRole.arn,
        input: json(SCHEDULED_CHECK_INPUT),
        retryPolicy: { maximumRetryAttempts: 2 },
      },
    });

    // The portal API: one function behind every route, each authorized with IAM (SigV4).
    const api = new sst.aws.ApiGatewayV2("PortalApi");
    for (const route of API_ROUTES) api.route(route, functions.api.arn, { auth: { iam: true } });
    const portalPolicyJson = $resolve({ scope, apiId: api.nodes.api.id }).apply((v) =>
      json(portalPolicy(v.scope, v.apiId)),
    );

    // What an operator's principal needs besides its access entry: the clusters' endpoints, the Karmada kubeconfig.
    const operatorPolicyJson = $resolve({ scope, keyArn: secretsKey.arn }).apply((v) =>
      json(operatorPolicy(v.scope, v.keyArn)),
    );

    return {
      apiUrl: api.url,
      deployStateMachineArn: deploy.arn,
      driftCheckStateMachineArn: driftCheck.arn,
      destroyStateMachineArn: destroy.arn,
      registryTableName: registry.name,
      // What a portal's IAM principal needs to call every route (README "Operating the platform").
      portalPolicy: portalPolicyJson,
      // What a cluster admin's IAM principal needs to run update-kubeconfig and read the Karmada kubeconfig
      // (README "Reaching the clusters").
      clusterOperatorPolicy: operatorPolicyJson,
      secretsKmsKeyArn: secretsKey.arn,
      secretsKmsKeyAlias: secretsKeyAlias.name,
      karmadaInitProject: karmadaInit.name,
      karmadaJoinProject: karmadaJoin.name,
      karmadaRegisterProject: karmadaRegister.name,
      karmadaUnjoinProject: karmadaUnjoin.name,
      karmadaDeinitProject: karmadaDeinit.name,
      // The Karmada NLB admits these besides each plan's allowedCidrs.
      orchestratorEgressCidrs: egressCidrs,
    };
  },
});
