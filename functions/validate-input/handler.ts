import * as z from "zod";
import { defineStage } from "../lib/stage.js";
import { validateInput } from "./validateInput.js";

/** The input is the raw execution input: the plan's own schema reports its problems (as InvalidPlan), not the stage's. */
export const handler = defineStage({ name: "validate-input", input: z.unknown(), run: validateInput });
