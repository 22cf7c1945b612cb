import { sfnClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { driftSchedule, driftScheduleInputSchema } from "./driftSchedule.js";

/** DriftSchedule: invoked by the EventBridge Scheduler schedule; starts a DriftCheck per deployed deployment. */
export const handler = defineStage({
  name: "drift-schedule",
  clients: { sfn: sfnClient },
  input: driftScheduleInputSchema,
  run: driftSchedule,
});
