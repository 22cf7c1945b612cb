/**
 * Validates every state machine definition built in statemachine/ with asl-validator
 * (the same checks the Step Functions console runs on JSONPath definitions).
 */
import aslValidator from "asl-validator";
import { fakeDay2Resources } from "../statemachine/day2-resources.js";
import { deployDefinition } from "../statemachine/deploy.js";
import { destroyDefinition } from "../statemachine/destroy.js";
import { driftCheckDefinition } from "../statemachine/drift-check.js";
import { fakeDeployResources } from "../statemachine/resources.js";

const definitions = {
  Deploy: deployDefinition(fakeDeployResources()),
  DriftCheck: driftCheckDefinition(fakeDay2Resources()),
  Destroy: destroyDefinition(fakeDay2Resources()),
};

let failed = false;
for (const [name, definition] of Object.entries(definitions)) {
  const { isValid, errors } = aslValidator(definition);
  if (isValid) console.log(`✔ ${name}: valid ASL (${Object.keys(definition.States).length} top-level states)`);
  else {
    failed = true;
    console.error(`✘ ${name}: invalid ASL`);
    for (const e of errors) console.error(`  - ${e["Error code"]}: ${e.Message}`);
  }
}
process.exit(failed ? 1 : 0);
