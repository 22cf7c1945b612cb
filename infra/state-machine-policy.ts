/**
 * A state machine role (Deploy, DriftCheck, Destroy): invoke exactly its stage functions, run exactly its CodeBuild
 * projects with the `.sync` pattern (if any), deliver its logs and traces. Permissions per
 * https://docs.aws.amazon.com/step-functions/latest/dg/codebuild-iam.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html and
 * https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html.
 */
import type { StateMachineDefinition } from "../statemachine/asl.js";
import { allStates } from "../statemachine/walk.js";
import { type AccountScope, arn, type PolicyDocument, policyDocument, type Statement } from "./iam.js";

/** The EventBridge rule Step Functions manages to learn when a `.sync` build ends. */
export const CODEBUILD_SYNC_RULE = "StepFunctionsGetEventForCodeBuildStartBuildRule";

export interface StateMachinePolicyContext extends AccountScope {
  functionArns: string[];
  /** CodeBuild projects it runs with `.sync`; none for DriftCheck. */
  projectArns: string[];
}

export function stateMachinePolicy(ctx: StateMachinePolicyContext): PolicyDocument {
  const builds: Statement[] = [
    {
      Sid: "RunKarmadaBuilds",
      Effect: "Allow",
      Action: ["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:BatchGetBuilds"],
      Resource: ctx.projectArns,
    },
    {
      Sid: "WaitForBuilds",
      Effect: "Allow",
      Action: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
      Resource: [arn(ctx, "events", ctx.region, `rule/${CODEBUILD_SYNC_RULE}`)],
    },
  ];
  return policyDocument([
    {
      Sid: "InvokeStages",
      Effect: "Allow",
      Action: ["lambda:InvokeFunction"],
      // Unqualified ARNs and their versions/aliases.
      Resource: ctx.functionArns.flatMap((fn) => [fn, `${fn}:*`]),
    },
    ...(ctx.projectArns.length ? builds : []),
    {
      // CloudWatch Logs delivery APIs do not support resource-level permissions.
      Sid: "DeliverExecutionLogs",
      Effect: "Allow",
      Action: [
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
      ],
      Resource: ["*"],
    },
    {
      // X-Ray accepts only "*" for these.
      Sid: "SendTraces",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
      Resource: ["*"],
    },
  ]);
}

/** The Lambda functions a definition's Tasks invoke (by ARN), each once: exactly what its role may invoke. */
export function invokedFunctions(definition: StateMachineDefinition): string[] {
  const arns = new Set<string>();
  for (const [, state] of allStates(definition))
    if (state.Type === "Task" && /^arn:[^:]+:lambda:/.test(state.Resource)) arns.add(state.Resource);
  return [...arns].sort();
}
