import { clusterInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { grantAccess } from "./grantAccess.js";

/** GrantAccess: gives the orchestrator's admin principals cluster-admin access entries. */
export const handler = defineStage({ name: "grant-access", input: clusterInputSchema, run: grantAccess });
