import { ec2Client, eksClient, iamClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { preflightInputSchema } from "./input.js";
import { preflight } from "./preflight.js";

export const handler = defineStage({
  name: "preflight",
  clients: { ec2: ec2Client, eks: eksClient, iam: iamClient },
  input: preflightInputSchema,
  run: preflight,
});
