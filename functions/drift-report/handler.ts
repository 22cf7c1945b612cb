import { defineStage } from "../lib/stage.js";
import { driftReport, driftReportInputSchema } from "./driftReport.js";

/** DriftReport: stores the drift report, publishes the DriftFindings metric and, on drift, the drift event. */
export const handler = defineStage({ name: "drift-report", input: driftReportInputSchema, run: driftReport });
