import { defineStage } from "../lib/stage.js";
import { ensureVpcs, ensureVpcsInputSchema } from "./ensureVpcs.js";

/** EnsureVpcs: creates (or adopts) the plan's VPCs and polls their NAT gateways; the same stage starts and polls. */
export const handler = defineStage({ name: "ensure-vpcs", input: ensureVpcsInputSchema, run: ensureVpcs });
