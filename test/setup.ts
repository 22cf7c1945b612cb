// Adds aws-sdk-client-mock matchers (toHaveReceivedCommandWith, …) to vitest's expect, with their types.
import "aws-sdk-client-mock-vitest/extend";
