/**
 * The write side: a diamond call as services ask for it (WriteRequest), its receipt, the Writer
 * the chain layer implements, and the errors a write rejects with.
 */
import type { WriteTracer } from "../../core/write-trace";
import { OptionalStackError } from "./optional-stack-error";
import type { Address, Uint } from "./values";

export interface DecodedEvent {
  name: string;
  args: Record<string, string | boolean | string[] | Record<string, unknown>>;
}

export interface WriteReceipt {
  /** The transaction that carried the write (shared by the calls of one batchCalls batch). */
  txHash: string;
  blockNumber: number;
  /** The transaction's gas; for a call carried by a batch, what that call used in the batch pre-flight. */
  gasUsed: Uint;
  /** The write's own events (for a batched call: only that call's, split at BatchCallResult). */
  events: DecodedEvent[];
}

/** A diamond call to make as an api payer. */
export interface WriteRequest {
  /** IAccountConfig function name, e.g. "addGroup". */
  method: string;
  args: readonly unknown[];
  /** Client Idempotency-Key (scoped by the caller's account); a repeat returns the first outcome. */
  idempotencyKey?: string;
  /** Scope of the idempotency key: the caller's master hash, or "anon:<ip>" for new_account. */
  idempotencyScope?: string;
  /** Stage timing of this write (tracing on; core/write-trace.ts); absent otherwise. */
  trace?: WriteTracer;
}

/**
 * Write side. `write` resolves only when the transaction is mined with status 1 and the indexer
 * has applied its block (read-your-writes). It rejects with RevertError (decoded custom error,
 * from gas estimation before anything is sent, or from a reverted receipt), ChainUnavailableError
 * (RPC down: nothing was sent, or the write stays queued and will complete), or
 * IdempotencyConflictError (same key, different request), or PayersUnavailableError (the relayer's
 * payers are not registered or not funded: refused before anything is sent), or
 * WriteTooLargeError (the node refuses a transaction this large: nothing was applied).
 */
export interface Writer {
  write(request: WriteRequest): Promise<WriteReceipt>;
}

/**
 * A call the contract refuses (its custom error, decoded): the caller's error, answered as a 4xx.
 * Built without a stack trace, as a ServiceError refusal is: a refused write is normal traffic and
 * its stack (~10 us to capture) is never read (docs/relayer-latency.md, "Read path CPU").
 */
export class RevertError extends OptionalStackError {
  constructor(
    readonly errorName: string,
    readonly errorArgs: readonly unknown[],
    message?: string,
  ) {
    super(message ?? `reverted: ${errorName}`, false);
    this.name = "RevertError";
  }
}

export class ChainUnavailableError extends Error {
  constructor(
    message: string,
    /** true when the write is persisted and will still be applied */
    readonly queued: boolean,
  ) {
    super(message);
    this.name = "ChainUnavailableError";
  }
}

/** Why the relayer's payers cannot send writes (docs/operator.md). */
export type PayersProblem = "PayersNotRegistered" | "PayersUnfunded";

/**
 * The relayer's own payers cannot send writes: one of them (or the admin payer) is not registered
 * on the diamond, or holds too little to pay for a write. Nothing was stored or sent; the operator
 * has to act (the message names the addresses), after which writes work again without a restart.
 */
export class PayersUnavailableError extends Error {
  constructor(
    readonly problem: PayersProblem,
    message: string,
    /** The addresses at fault (lowercase). */
    readonly addresses: readonly Address[],
  ) {
    super(message);
    this.name = "PayersUnavailableError";
  }
}

/**
 * Which node limit a transaction exceeded: its size ("TransactionSize": geth's 128 KiB pool limit
 * and the like) or the most gas one transaction may have ("GasCap": EIP-7825's 2^24, the block gas
 * limit). docs/operator.md, "Batch size limits".
 */
export type NodeLimit = "TransactionSize" | "GasCap";

/**
 * The node refused the write's transaction for good because it is too large (NodeLimit): nothing
 * was applied, its nonce was handed to a filler, and sending it again would be refused again.
 */
export class WriteTooLargeError extends Error {
  constructor(
    readonly limit: NodeLimit,
    message: string,
  ) {
    super(message);
    this.name = "WriteTooLargeError";
  }
}

export class IdempotencyConflictError extends Error {
  constructor(message = "Idempotency-Key reused with a different request") {
    super(message);
    this.name = "IdempotencyConflictError";
  }
}
