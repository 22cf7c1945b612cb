import { ec2Client } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { destroyVpcs, destroyVpcsInputSchema } from "./destroyVpcs.js";

/** DestroyVpcs: deletes the deployment's created VPCs piece by piece; the same stage starts and polls. */
export const handler = defineStage({
  name: "destroy-vpcs",
  clients: { ec2: ec2Client },
  input: destroyVpcsInputSchema,
  run: destroyVpcs,
});
