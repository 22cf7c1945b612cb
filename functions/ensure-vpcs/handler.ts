import { ec2Client } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { ensureVpcs, ensureVpcsInputSchema } from "./ensureVpcs.js";

/** EnsureVpcs: creates (or adopts) the plan's VPCs and polls their NAT gateways; the same stage starts and polls. */
export const handler = defineStage({
  name: "ensure-vpcs",
  clients: { ec2: ec2Client },
  input: ensureVpcsInputSchema,
  run: ensureVpcs,
});
