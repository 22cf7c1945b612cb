/**
 * One structured logger per stage. Log identifiers and states, never payloads that may carry
 * secrets: kubeconfigs, tokens and PKI never reach a log line.
 */
import { Logger } from "@aws-lambda-powertools/logger";

export const createLogger = (stage: string): Logger =>
  new Logger({ serviceName: "eks-karmada-orchestrator", persistentKeys: { stage } });
