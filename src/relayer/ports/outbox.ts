/**
 * The durable outbox (chain <- store): its rows, their life cycle, and what the chain writer needs
 * of it (OutboxPort), plus the reorg notice the indexer gives the writer.
 */

/**
 * Life cycle of an outbox row (see store/outbox.ts for the guarded transitions):
 * queued -> signed -> sent -> mined | reverted | failed. A mined or reverted row with `final`
 * unset may still move: the finality tracker of the chain layer watches it until it is
 * `confirmationDepth` blocks deep, and a reorg may send it back to sent.
 */
export type OutboxStatus = "queued" | "signed" | "sent" | "mined" | "reverted" | "failed";
export type OutboxKind = "call" | "transfer" | "filler";

/**
 * Whether a row's call(s) may still have to be sent again once its outcome is final, and who does
 * it (docs/finality.md, "Sent again after a crash"): "none" (never: a pre-flighted write alone, a
 * transfer, a filler, a row older than this record); "pending" (a write alone sent from cached gas,
 * which is sent again if it ran out of that gas; a batch, whose calls go again if the node refuses
 * it as too large); "claimed" (a start-up recovery is sending them again, under idempotency keys);
 * "settled" (done, or answered for good to the caller).
 */
export type ResendState = "none" | "pending" | "claimed" | "settled";

/** One write (or a top-up transfer, or a filler that closes a nonce gap) of the durable outbox. */
export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  idemScope: string | null;
  idemKey: string | null;
  /** keccak256 of the calldata of a write with an idempotency key (compared on a replay); "0x" without one. */
  requestHash: string;
  method: string;
  to: string;
  calldata: string;
  value: string;
  payer: string;
  nonce: number | null;
  status: OutboxStatus;
  txHashes: string[];
  rawTx: string | null;
  gasLimit: string;
  maxFeePerGas: string | null;
  maxPriorityFeePerGas: string | null;
  gasPrice: string | null;
  attempts: number;
  errorName: string | null;
  errorArgs: unknown[] | null;
  errorMessage: string | null;
  blockNumber: number | null;
  /** Hash of the block the receipt was seen in (null before it is mined, and for rows recorded before finality tracking). */
  blockHash: string | null;
  /** The receipt is deep enough (confirmation depth) that no reorg is expected to undo it; a failed row is final too. */
  final: boolean;
  minedHash: string | null;
  gasUsed: string | null;
  /** JSON text of the decoded receipt (kind "call": a WriteReceipt). */
  result: string | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
  /** Its gas limit came from its call shape's cached estimate, without a pre-flight (writer/preflight.ts). */
  gasFromCache: boolean;
  /** See ResendState. */
  resend: ResendState;
}

export interface NewOutboxRow {
  kind: OutboxKind;
  idemScope?: string | null;
  idemKey?: string | null;
  requestHash: string;
  method: string;
  to: string;
  calldata: string;
  value?: string;
  payer: string;
  gasLimit: string;
  /** Pre-assigned nonce (filler transactions that close a gap). */
  nonce?: number | null;
  /** Sent with its shape's cached gas, without a pre-flight. */
  gasFromCache?: boolean;
  /** Stored with ResendState "pending" (else "none"). */
  resend?: boolean;
}

/** Fee fields and signature of one attempt. */
export interface SignedAttempt {
  rawTx: string;
  hash: string;
  maxFeePerGas: string | null;
  maxPriorityFeePerGas: string | null;
  gasPrice: string | null;
}

export interface MinedFields {
  blockNumber: number;
  blockHash: string;
  /** Recorded final at once (confirmation depth 0). */
  final: boolean;
  minedHash: string;
  gasUsed: string;
  result: string;
}

export interface RevertedFields {
  blockNumber: number;
  blockHash: string;
  final: boolean;
  minedHash: string;
  gasUsed: string;
  errorName: string;
  errorArgs: unknown[];
  message: string;
}

/**
 * What the outbox worker's tick looks at first of an in-flight row (OutboxPort.inFlightHeads):
 * enough to skip it (held by a write, another payer's, a queued row its write is still signing)
 * without its calldata, raw transaction and attempt hashes.
 */
export type InFlightHead = Pick<OutboxRow, "id" | "kind" | "payer" | "status" | "createdAt" | "updatedAt" | "sentAt">;

/** A receipt to record (recordOutcomes). */
export type RowOutcome = { id: number } & (({ status: "mined" } & MinedFields) | ({ status: "reverted" } & RevertedFields));

/**
 * Told by the indexer when it followed a reorg (docs/finality.md): `block` is the first block the
 * reorg replaced (the fork point + 1). The chain writer implements it: every write mined at or
 * above that block is checked again at once and rebroadcast if its block is gone.
 */
export interface ReorgListener {
  noteReorg(block: number): void;
}

/**
 * What the chain writer needs of the durable outbox and the per-payer nonce counters (implemented
 * by store/outbox.ts on SQLite or Postgres). Every transition is guarded (expected status and
 * attempt count), so several relayer instances on one database never double-sign or double-apply.
 */
export interface OutboxPort {
  get(id: number): Promise<OutboxRow | null>;
  findByKey(scope: string, key: string): Promise<OutboxRow | null>;
  /** Rows not yet in a terminal state, by payer and nonce. */
  inFlight(): Promise<OutboxRow[]>;
  /**
   * The heads of the rows not yet in a terminal state, by payer and nonce: the worker's tick reads
   * these, then the full rows of the few it acts on (inFlightByIds; docs/relayer-latency.md,
   * "Eighth pass").
   */
  inFlightHeads(): Promise<InFlightHead[]>;
  /** The rows among `ids` still not in a terminal state, in the order of `ids`. */
  inFlightByIds(ids: readonly number[]): Promise<OutboxRow[]>;
  /** The newest call row (any status), or null: a typical write for cost estimates. */
  latestCall(): Promise<OutboxRow | null>;
  /** Inserts a queued row; null when the idempotency key is already used. */
  insert(row: NewOutboxRow): Promise<OutboxRow | null>;
  /**
   * Inserts a row refused by its pre-flight: reverted with `error`, final, without a transaction (no
   * nonce); null when the idempotency key is already used (chain/writer/retry-refusal.ts).
   */
  insertRefused(row: NewOutboxRow, error: { name: string; args: readonly unknown[]; message: string }): Promise<OutboxRow | null>;
  /** Takes the payer's next nonce (unless pre-assigned), signs and stores a queued row; null when no longer queued. */
  allocateAndSign(id: number, sign: (nonce: number) => Promise<SignedAttempt>): Promise<OutboxRow | null>;
  /** Inserts rows already signed, in one transaction; null for a row whose idempotency key is taken. */
  insertSignedBatch(
    rows: readonly NewOutboxRow[],
    sign: (row: NewOutboxRow, nonce: number) => Promise<SignedAttempt>,
  ): Promise<(OutboxRow | null)[]>;
  /** Records receipts (mined / reverted) in one transaction; per entry whether it changed the row. */
  recordOutcomes(outcomes: readonly RowOutcome[]): Promise<boolean[]>;
  /** Records a re-signed attempt (same nonce, higher fees) of a signed/sent row. */
  recordAttempt(id: number, expectedAttempts: number, s: SignedAttempt): Promise<OutboxRow | null>;
  markSent(id: number, attempts: number): Promise<boolean>;
  touch(id: number): Promise<void>;
  /** The node rejected the row for good (a filler takes over its nonce). */
  markFailed(id: number, message: string, expectedAttempts?: number): Promise<boolean>;
  /** Frees the idempotency key of a failed row. */
  releaseKey(id: number): Promise<boolean>;
  /** Its nonce was consumed by a foreign transaction: back to queued, without a nonce (optionally a new gas limit). */
  requeue(id: number, expectedAttempts: number, gasLimit?: string): Promise<boolean>;
  /** Its nonce was taken and a fresh pre-flight reverts: recorded as reverted with that error, no transaction. */
  abandon(id: number, expectedAttempts: number, error: { name: string; args: unknown[]; message: string }): Promise<boolean>;
  /** Mined/reverted rows not final yet. */
  unfinal(): Promise<OutboxRow[]>;
  /** Mined/reverted rows recorded in block `block` or later, final or not. */
  minedFrom(block: number): Promise<OutboxRow[]>;
  /** Marks a row final (guarded by the block hash its receipt was seen in). */
  markFinal(id: number, blockHash: string): Promise<boolean>;
  /** A reorg moved the row's receipt to another block: records the new one in place of `oldBlockHash`'s. */
  moveOutcome(oldBlockHash: string, outcome: RowOutcome): Promise<boolean>;
  /** A reorg dropped the row's block and no attempt is on chain: back to sent, the receipt forgotten. */
  unmine(id: number, blockHash: string): Promise<boolean>;
  /** Final failed or reverted rows whose ResendState is pending or claimed (the start-up recovery looks at them). */
  resendDue(): Promise<OutboxRow[]>;
  /** Moves a row's ResendState from one of `from` to `to`; whether this call changed it (guarded). */
  setResend(id: number, from: readonly ResendState[], to: ResendState): Promise<boolean>;
  transferInFlight(to: string): Promise<boolean>;
  /** Registers a payer's nonce counter or moves it up to `chainPending`, never down. */
  reconcileNonce(address: string, chainPending: number): Promise<number>;
  /** Nonces of `payer` in [from, to) held by no row that may still be mined (in flight, or not final): gaps to fill. */
  uncoveredNonces(payer: string, from: number, to: number): Promise<number[]>;
}
