import * as z from "zod";
import { createdVpcSchema } from "./plan.js";

/** The created VPCs of the plan (DriftDesired → DriftVpcs), with the deployment whose tags find them. */
export const desiredVpcsSchema = z.object({ deploymentName: z.string(), vpcs: z.array(createdVpcSchema) });
export type DesiredVpcs = z.output<typeof desiredVpcsSchema>;

/** How a VPC finding names what it is about. */
export const vpcResource = (v: { name: string; region: string }) => `ec2:vpc/${v.name} (${v.region})`;
