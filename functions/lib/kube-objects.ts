/**
 * Helpers for the Kubernetes objects the stages own: the labels that mark them, and a drift check that compares
 * only the fields we set (the API server adds defaults and status we must not fight).
 */
import { DEPLOYMENT_TAG, MANAGED_BY } from "./names.js";

/** Standard label for the tool that manages an object. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

/** Labels on every Kubernetes object a deployment creates. */
export const deploymentLabels = (deploymentName: string): Record<string, string> => ({
  [MANAGED_BY_LABEL]: MANAGED_BY,
  [DEPLOYMENT_TAG]: deploymentName,
});

/** Whether an object's labels say this deployment created it. */
export const isOurs = (labels: Record<string, string> | undefined, deploymentName: string): boolean =>
  labels?.[DEPLOYMENT_TAG] === deploymentName;

/**
 * Paths where `actual` differs from `desired`, comparing only what `desired` sets: objects key by key (extra keys
 * in `actual` are server defaults and ignored), arrays element by element with equal length, scalars strictly.
 * An empty result means the object already converged.
 */
export function drift(desired: unknown, actual: unknown, path = ""): string[] {
  if (desired === undefined) return [];
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return [path || "(root)"];
    return desired.flatMap((item, i) => drift(item, actual[i], `${path}[${i}]`));
  }
  if (desired !== null && typeof desired === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return [path || "(root)"];
    return Object.entries(desired).flatMap(([key, value]) =>
      drift(value, (actual as Record<string, unknown>)[key], path ? `${path}.${key}` : key),
    );
  }
  return desired === actual ? [] : [path || "(root)"];
}
