/// <reference path="./.sst/platform/config.d.ts" />

/**
 * eks-karmada-orchestrator: the Deploy workflow and everything it runs as.
 *
 *   IAM roles EKS assumes ──┐
 *   KMS key (secrets) ──────┤
 *   Orchestrator VPC (NAT) ─┼─► CodeBuild (karmada init / join) ─┐
 *   Lambda stage roles ─────┴─► Lambda stages ───────────────────┴─► Deploy state machine
 *
 * Policies are built by the pure functions in infra/ (unit-tested in test/infra/); this file only wires them.
 */
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
    const { ENV, PROVIDED_BY_RUNTIME } = await import("./functions/lib/config.js");
    type Setting = import("./functions/lib/config.js").Setting;
    const { deployDefinition } = await import("./statemachine/deploy.js");
    const { STAGE_FOLDERS } = await import("./statemachine/resources.js");
    const naming = await import("./infra/naming.js");
    const network = await import("./infra/network.js");
    const serviceRoles = await import("./infra/service-roles.js");
    const { STAGE_PROFILES, inOrchestratorVpc, perRole, perStage, roleOf, stagesOf } = await import(
      "./infra/stages.js"
    );
    const { stageRolePolicy } = await import("./infra/stage-policies.js");
    const { codeBuildPolicy } = await import("./infra/codebuild-policy.js");
    const { stateMachinePolicy } = await import("./infra/state-machine-policy.js");

    const stage = $app.stage;
    const json = (value: unknown) => JSON.stringify(value);
    const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

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

    // CodeBuild runs kubectl-karmada (init on the parent, join per member); the buildspecs are inline.
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
    const buildProject = (job: (typeof naming.BUILD_JOBS)[number], description: string, timeoutMinutes: number) =>
      new aws.codebuild.Project(pascal(job), {
        name: naming.projectName(stage, job),
        description,
        serviceRole: buildRole.arn,
        source: { type: "NO_SOURCE", buildspec: readFileSync(`buildspecs/${job}.yml`, "utf8") },
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
    const karmadaInit = buildProject("karmada-init", "kubectl karmada init on the parent cluster", 45);
    const karmadaJoin = buildProject("karmada-join", "kubectl karmada join of one member cluster", 20);

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
    const stageArns = $resolve({
      clusterRoleArn: clusterRole.arn,
      nodeRoleArn: nodeRole.arn,
      ebsCsiRoleArn: ebsCsiRole.arn,
      secretsKeyArn: secretsKey.arn,
      adminPrincipalArns,
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

    // Lambda stages: functions/<folder>/handler.ts, each with only the settings it reads.
    const settings: Record<Exclude<Setting, "orchestratorRegion">, $util.Input<string>> = {
      clusterRoleArn: clusterRole.arn,
      nodeRoleArn: nodeRole.arn,
      ebsCsiRoleArn: ebsCsiRole.arn,
      adminPrincipalArns: $resolve(adminPrincipalArns).apply((arns) => arns.join(",")),
      secretsKmsKeyId: secretsKey.arn,
      orchestratorEgressCidrs: egressCidrs.apply((cidrs) => cidrs.join(",")),
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

    // The Deploy state machine (Standard, JSONPath from statemachine/deploy.ts): logs without payloads, X-Ray.
    const deployLogs = new aws.cloudwatch.LogGroup("DeployLogs", {
      name: naming.stateMachineLogGroupName(stage, "deploy"),
      retentionInDays: 90,
    });
    const functionArns = $resolve(perStage((key) => functions[key].arn));
    const deployRole = new aws.iam.Role("DeployStateMachineRole", {
      description: "Deploy state machine",
      assumeRolePolicy: scope.apply(({ account }) =>
        json(serviceRoles.sameAccountTrust("states.amazonaws.com", account)),
      ),
      inlinePolicies: [
        {
          name: "deploy",
          policy: $resolve({ scope, functionArns, projectArns: [karmadaInit.arn, karmadaJoin.arn] }).apply((v) =>
            json(
              stateMachinePolicy({
                ...v.scope,
                functionArns: Object.values(v.functionArns),
                projectArns: v.projectArns,
              }),
            ),
          ),
        },
      ],
    });
    const deploy = new aws.sfn.StateMachine("Deploy", {
      name: naming.stackResourceName(stage, "deploy", "stateMachine"),
      type: "STANDARD",
      roleArn: deployRole.arn,
      definition: $resolve({
        functions: functionArns,
        karmadaInit: karmadaInit.name,
        karmadaJoin: karmadaJoin.name,
      }).apply((r) =>
        json(
          deployDefinition({
            functions: r.functions,
            projects: { karmadaInit: r.karmadaInit, karmadaJoin: r.karmadaJoin },
          }),
        ),
      ),
      loggingConfiguration: {
        level: "ALL",
        includeExecutionData: false,
        logDestination: $interpolate`${deployLogs.arn}:*`,
      },
      tracingConfiguration: { enabled: true },
    });

    return {
      deployStateMachineArn: deploy.arn,
      secretsKmsKeyArn: secretsKey.arn,
      secretsKmsKeyAlias: secretsKeyAlias.name,
      karmadaInitProject: karmadaInit.name,
      karmadaJoinProject: karmadaJoin.name,
      // The Karmada NLB admits these besides each plan's allowedCidrs.
      orchestratorEgressCidrs: egressCidrs,
    };
  },
});
