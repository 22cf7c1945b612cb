/**
 * The Deploy state machine role: invoke exactly the stage functions, run exactly the two CodeBuild projects
 * with the `.sync` pattern, deliver its logs and traces. Permissions per
 * https://docs.aws.amazon.com/step-functions/latest/dg/codebuild-iam.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html and
 * https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html.
 */
import { type AccountScope, arn, type PolicyDocument, policyDocument } from "./iam.js";

/** The EventBridge rule Step Functions manages to learn when a `.sync` build ends. */
export const CODEBUILD_SYNC_RULE = "StepFunctionsGetEventForCodeBuildStartBuildRule";

export interface StateMachinePolicyContext extends AccountScope {
  functionArns: string[];
  projectArns: string[];
}

export function stateMachinePolicy(ctx: StateMachinePolicyContext): PolicyDocument {
  return policyDocument([
    {
      Sid: "InvokeStages",
      Effect: "Allow",
      Action: ["lambda:InvokeFunction"],
      // Unqualified ARNs and their versions/aliases.
      Resource: ctx.functionArns.flatMap((fn) => [fn, `${fn}:*`]),
    },
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
