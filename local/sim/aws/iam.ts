// Source: local/sim/SOURCES.md § aws/iam.ts
/**
 * Simulated AWS Identity and Access Management (awsQuery, XML; global): reads of the account's roles and users, the
 * principals EKS access entries may name (SimAccount.principalExists). Nothing is created through this API.
 */
import type { SimAccount } from "../account.js";
import { stableHex } from "../world.js";
import { AwsError, notImplemented, type QueryValue, queryResponse, type WireResponse } from "./protocol.js";

const NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";

/** IAM unique ID prefixes: AROA for roles, AIDA for users (IAM User Guide, reference_identifiers, "Unique IDs"). */
const ID_PREFIX = { role: "AROA", user: "AIDA" } as const;

export function handleIam(
  sim: SimAccount,
  action: string,
  params: Record<string, QueryValue>,
  requestId: string,
): WireResponse {
  switch (action) {
    case "GetRole":
      return queryResponse(action, NAMESPACE, requestId, {
        Role: principal(sim, "role", String(params.RoleName ?? "")),
      });
    case "GetUser":
      return queryResponse(action, NAMESPACE, requestId, {
        User: principal(sim, "user", String(params.UserName ?? "")),
      });
    default:
      throw notImplemented("IAM", action);
  }
}

function principal(sim: SimAccount, type: "role" | "user", name: string) {
  const arn = sim.principalNamed(type, name);
  if (!arn) throw new AwsError("NoSuchEntity", `The ${type} with name ${name} cannot be found.`, 404);
  const path = arn.slice(arn.indexOf(`:${type}/`) + type.length + 2, arn.length - name.length) || "/";
  const key = type === "role" ? "Role" : "User";
  return {
    Path: path.startsWith("/") ? path : `/${path}`,
    [`${key}Name`]: name,
    [`${key}Id`]: `${ID_PREFIX[type]}${stableHex(arn, 17).toUpperCase()}`,
    Arn: arn,
    CreateDate: new Date(Date.UTC(2029, 0, 1)).toISOString(),
  };
}
