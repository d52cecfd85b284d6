/**
 * The errors services throw. Each carries a transport-neutral `kind` (the HTTP layer maps kinds to
 * statuses) and a stable machine `code`: the custom error name for contract reverts, otherwise a
 * fixed name. Messages never contain API keys or secrets, only hashes.
 */
import {
  ChainUnavailableError,
  IdempotencyConflictError,
  IndexUnavailableError,
  OptionalStackError,
  PayersUnavailableError,
  RevertError,
  StaleIndexError,
  WriteTooLargeError,
} from "../ports";

export type ErrorKind =
  | "InvalidValue" // a value that parses but is invalid (bad hex, zero id, over a length limit)
  | "InvalidShape" // wrong JSON shape: missing field, wrong type
  | "Unauthenticated" // no credential, unknown / removed / expired key
  | "PaymentRequired" // not enough credits
  | "Forbidden" // the key exists but lacks the permission
  | "NotFound" // unknown group, action, wallet, usage key or account
  | "Conflict" // already exists
  | "RateLimited"
  | "Unavailable"; // chain or database down; nothing half-applied

/**
 * An answer the service gives instead of a result. A refusal (every kind but Unavailable: a 4xx
 * answer, part of normal traffic, e.g. the lit_action pre-check's Forbidden) carries no stack
 * trace: nothing reads it (only 5xx answers are logged with their error), and capturing one cost
 * ~10 us per refused request (docs/relayer-latency.md, "Read path CPU"). Unavailable keeps its
 * stack for the error log.
 */
export class ServiceError extends OptionalStackError {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    /** Seconds after which a retry may succeed (RateLimited, Unavailable). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message, kind === "Unavailable");
    this.name = "ServiceError";
  }
}

export const invalidValue = (field: string, message: string): ServiceError =>
  new ServiceError("InvalidValue", "InvalidValue", `${field}: ${message}`);
export const unauthenticated = (code: string, message: string): ServiceError =>
  new ServiceError("Unauthenticated", code, message);
export const forbidden = (code: string, message: string): ServiceError => new ServiceError("Forbidden", code, message);
export const notFound = (code: string, message: string): ServiceError => new ServiceError("NotFound", code, message);
export const conflict = (code: string, message: string): ServiceError => new ServiceError("Conflict", code, message);

/** Custom errors by the kind they map to (http-api.md §2). */
const REVERT_KINDS: Record<string, ErrorKind> = {
  NoAccountAccess: "Forbidden",
  NotMasterAccount: "Forbidden",
  NotAllowedToCreateGroup: "Forbidden",
  NotAllowedToDeleteGroup: "Forbidden",
  NotAllowedToCreatePkp: "Forbidden",
  NotAllowedToManageIPFSIdsInGroup: "Forbidden",
  NotAllowedToAddPkpToGroup: "Forbidden",
  NotAllowedToRemovePkpFromGroup: "Forbidden",
  GroupDoesNotExist: "NotFound",
  ActionDoesNotExist: "NotFound",
  PkpDoesNotExist: "NotFound",
  UsageApiKeyDoesNotExist: "NotFound",
  AccountDoesNotExist: "NotFound",
  AccountAlreadyExists: "Conflict",
  WalletAlreadyRegistered: "Conflict",
  DerivationAlreadyRegistered: "Conflict",
  UsageApiKeyExpired: "Unauthenticated",
  InsufficientBalance: "PaymentRequired",
  InvalidRequest: "InvalidValue",
  // The relayer's own signer is not allowed: an operator problem, not the client's; retry later.
  OnlyApiPayerOrOwner: "Unavailable",
};

/** Default Retry-After for Unavailable answers. */
export const UNAVAILABLE_RETRY_SECONDS = 5;

/** The ServiceError for a decoded contract revert. */
export function fromRevert(error: RevertError): ServiceError {
  const args = error.errorArgs.map(formatArg);
  if (error.errorName === "InvalidRequest") {
    const message = typeof error.errorArgs[0] === "string" ? error.errorArgs[0] : "invalid request";
    if (message === "account is already ChainSecured") return conflict("InvalidRequest", message);
    return new ServiceError("InvalidValue", "InvalidRequest", message);
  }
  const kind = REVERT_KINDS[error.errorName] ?? "InvalidValue";
  const text = `transaction reverted: ${error.errorName}(${args.join(", ")})`;
  return new ServiceError(kind, error.errorName, text, kind === "Unavailable" ? UNAVAILABLE_RETRY_SECONDS : undefined);
}

/** Translates the Writer's documented rejections; anything else is rethrown unchanged (a bug). */
export function fromBackendError(error: unknown): unknown {
  if (error instanceof ServiceError) return error;
  if (error instanceof RevertError) return fromRevert(error);
  if (error instanceof IndexUnavailableError) {
    // The index stopped on a reorg deeper than its window: nothing it holds is served (docs/finality.md).
    return new ServiceError("Unavailable", "IndexUnavailable", error.message, UNAVAILABLE_RETRY_SECONDS);
  }
  if (error instanceof ChainUnavailableError) {
    const message = error.queued
      ? "chain unavailable; the write is queued and will be applied: retry with the same Idempotency-Key for its outcome"
      : "chain unavailable; nothing was sent";
    return new ServiceError("Unavailable", "ChainUnavailable", message, UNAVAILABLE_RETRY_SECONDS);
  }
  if (error instanceof PayersUnavailableError) {
    // An operator problem, not the client's: 503 with the named problem (PayersNotRegistered,
    // PayersUnfunded); nothing was sent. It clears once the operator registers / funds the payers.
    return new ServiceError("Unavailable", error.problem, error.message, UNAVAILABLE_RETRY_SECONDS);
  }
  if (error instanceof StaleIndexError) {
    // The index could not reach the chain head in time (docs/finality.md, "Answers that follow the
    // chain"): no answer from older state, nothing was done.
    return new ServiceError(
      "Unavailable",
      "IndexBehindHead",
      `${error.message}; nothing was done, retry shortly`,
      error.retryAfterSeconds,
    );
  }
  if (error instanceof WriteTooLargeError) {
    // Too large for the chain's nodes (size or per-transaction gas cap): nothing was applied, and
    // the same request would be refused again (docs/operator.md, "Batch size limits").
    return new ServiceError("InvalidValue", "WriteTooLarge", `${error.message}; nothing was applied (${error.limit})`);
  }
  if (error instanceof IdempotencyConflictError) {
    return new ServiceError("InvalidShape", "IdempotencyKeyReused", error.message);
  }
  return error;
}

function formatArg(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value.length > 100 ? `${value.slice(0, 97)}...` : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "?";
}
