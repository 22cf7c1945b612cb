/** Error names AWS uses for throttling; the state machine retries them with backoff (see statemachine/retry.ts). */
export const THROTTLING_ERRORS = [
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServiceUnavailableException",
  "ServiceUnavailable",
] as const;
