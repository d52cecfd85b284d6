/**
 * Typed errors of the SDK: every failure is one of these, so callers can branch on `instanceof`
 * and read structured fields instead of parsing messages.
 */

/** Base class of every SDK error. */
export class LitSdkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LitSdkError";
  }
}

/** An HTTP error answer of the relayer: `{"error", "code", "request_id"}` (http-api.md §2). */
export class LitApiError extends LitSdkError {
  constructor(
    /** HTTP status (400, 401, 403, 404, 409, 422, 429, 501, 503, ...). */
    readonly status: number,
    /** The machine name of the error (`code` of the body): a custom error name for reverts. */
    readonly errorName: string,
    message: string,
    /** The response's X-Request-Id / request_id, for support. */
    readonly requestId: string | null,
    /** Seconds from Retry-After (429, 503), when sent. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(`${status} ${errorName}: ${message}`);
    this.name = "LitApiError";
  }

  /** Same as errorName (the body's `code` field). */
  get code(): string {
    return this.errorName;
  }
}

/** A contract call that reverted, with the decoded custom error (ChainSecured / sovereign mode). */
export class ContractRevertError extends LitSdkError {
  constructor(
    /** The custom error name, e.g. "NoAccountAccess"; "Error" for require strings, "Unknown" when undecodable. */
    readonly errorName: string,
    /** The decoded arguments (uint256 as bigint, addresses as checksummed strings). */
    readonly args: readonly unknown[],
    /** The raw revert data, when available. */
    readonly data: string | null,
    /** The contract function that was called. */
    readonly method: string,
  ) {
    super(`${method} reverted: ${errorName}(${args.map(String).join(", ")})`);
    this.name = "ContractRevertError";
  }
}

/** An operation called in the wrong mode (e.g. convertToChainSecuredAccount from a sovereign client). */
export class ModeError extends LitSdkError {
  constructor(
    readonly operation: string,
    readonly mode: "api" | "sovereign",
    readonly requiredMode: "api" | "sovereign",
  ) {
    super(
      `${operation} is ${requiredMode === "api" ? "API" : "sovereign (ChainSecured)"}-mode only; this client is in ${mode} mode`,
    );
    this.name = "ModeError";
  }
}

/** Missing configuration or an invalid argument detected before anything is sent. */
export class LitUsageError extends LitSdkError {
  constructor(message: string) {
    super(message);
    this.name = "LitUsageError";
  }
}
