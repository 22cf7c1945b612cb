// Adds aws-sdk-client-mock matchers (toHaveReceivedCommandWith, …) to vitest's expect, with their types.
import "aws-sdk-client-mock-vitest/extend";
import { afterAll } from "vitest";
import { restoreAwsClients } from "./support/aws-mocks.js";

// Test files share modules: a file's SDK stubs must not outlive it.
afterAll(restoreAwsClients);
