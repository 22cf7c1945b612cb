import { ec2Client } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { driftVpcs, driftVpcsInputSchema } from "./driftVpcs.js";

/** DriftVpcs: the VPCs the plan creates, their subnets, gateways and routes against the plan (read-only). */
export const handler = defineStage({
  name: "drift-vpcs",
  clients: { ec2: ec2Client },
  input: driftVpcsInputSchema,
  run: driftVpcs,
});
