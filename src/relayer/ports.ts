/**
 * The seams between the relayer's layers. HTTP routes call services; services read the indexed
 * state (IndexReader) and submit writes (Writer); the chain layer implements Writer with a durable
 * outbox and keeps the indexed state current (Indexer); the store persists both.
 *
 * Conventions for every value crossing these seams:
 * - 32-byte hashes (apiKeyHash, cid hash) are `0x` + 64 lowercase hex (`Hash32` of src/core; `Hex32` here);
 * - addresses are `0x` + 40 lowercase hex (`Address`);
 * - uint256 values that are not hashes (group ids, derivations, expirations, balances) are decimal
 *   strings (`Uint`), so nothing is lost to JavaScript numbers.
 */

import type { Hash32 } from "../core/hashing";
import type { WriteTracer } from "../core/write-trace";

export type { Hash32 };
/** @deprecated Use `Hash32` (src/core, re-exported here): the one name for a 32-byte hash; kept until the relayer is renamed. */
export type Hex32 = Hash32;
export type Address = string;
export type Uint = string;

export type HashKind = "Master" | "UsageKey" | "AdminAlias" | "RemovedUsageKey";

export interface BindingRow {
  hash: Hex32;
  master: Hex32;
  kind: HashKind;
}

export interface AccountRow {
  master: Hex32;
  managed: boolean;
  admin: Address;
  name: string;
  description: string;
  /**
   * The master hash is keccak256(abi.encodePacked(wallet)) of the wallet that created (or was
   * converted to) the account (contract: Account.masterIsAdminAlias): it executes only while that
   * wallet is the admin. Absent means false.
   */
  masterIsAdminAlias?: boolean;
  /**
   * The wallet the master hash belongs to (contract: Account.masterWallet, event MasterWalletSet):
   * the admin an unmanaged account was created with, or the wallet it was converted to. The master
   * hash of an unmanaged account executes only while this wallet is the admin. Null (or absent) for
   * managed accounts and for unmanaged accounts made before the contract recorded it.
   */
  masterWallet?: Address | null;
}

/** A group without its lists (what list_groups answers). */
export interface GroupSummary {
  id: Uint;
  account: Hex32;
  name: string;
  description: string;
}

export interface GroupRow {
  id: Uint;
  account: Hex32;
  name: string;
  description: string;
  /** cid hashes; "0x00..00" (zero) is the all-actions wildcard */
  cids: Hex32[];
  /** wallets; the zero address is the all-wallets wildcard */
  wallets: Address[];
}

export interface ActionRow {
  account: Hex32;
  cid: Hex32;
  name: string;
  description: string;
}

export interface WalletRow {
  pkp: Address;
  account: Hex32;
  derivation: Uint;
  name: string;
  description: string;
}

export interface UsageKeyRow {
  hash: Hex32;
  account: Hex32;
  name: string;
  description: string;
  expiration: Uint;
  balance: Uint;
  createGroups: boolean;
  deleteGroups: boolean;
  createPKPs: boolean;
  manageIPFSIdsInGroups: Uint[];
  addPkpToGroups: Uint[];
  removePkpFromGroups: Uint[];
  executeInGroups: Uint[];
}

export interface Page {
  pageNumber: number;
  pageSize: number;
}

/** Read side: the state the indexer rebuilt from the diamond's events. */
export interface IndexReader {
  /** The active binding of a hash (Master, UsageKey or AdminAlias); null when unbound or removed. */
  resolve(hash: Hex32): Promise<BindingRow | null>;
  /** Any binding including RemovedUsageKey tombstones; null when never bound. */
  binding(hash: Hex32): Promise<BindingRow | null>;
  account(master: Hex32): Promise<AccountRow | null>;
  usageKey(hash: Hex32): Promise<UsageKeyRow | null>;
  group(id: Uint): Promise<GroupRow | null>;
  wallet(pkp: Address): Promise<WalletRow | null>;
  walletByDerivation(derivation: Uint): Promise<WalletRow | null>;
  action(account: Hex32, cid: Hex32): Promise<ActionRow | null>;
  /** Lists in the same order as the contract's list* views would page them is NOT required; stable order by creation. */
  listGroups(account: Hex32, page: Page): Promise<GroupSummary[]>;
  listActions(account: Hex32, page: Page): Promise<ActionRow[]>;
  listWallets(account: Hex32, page: Page): Promise<WalletRow[]>;
  listUsageKeys(account: Hex32, page: Page): Promise<UsageKeyRow[]>;
  /**
   * A page of a group's action list as listActionsInGroup pages it (the wildcard 0 with empty
   * metadata; `account` names the metadata to join). Check the group's owner first (groupAccount).
   */
  listActionsInGroup(account: Hex32, groupId: Uint, page: Page): Promise<ActionRow[]>;
  /** A page of a group's wallet list as listWalletsInGroup pages it (the wildcard address(0) with derivation 0). */
  listWalletsInGroup(account: Hex32, groupId: Uint, page: Page): Promise<WalletRow[]>;
  /** The account a group belongs to, or null (no such group); reads none of its lists. */
  groupAccount(id: Uint): Promise<Hex32 | null>;
  /**
   * For each group of `ids` that exists: its account and whether it lists `cid` / `wallet` and the
   * wildcards (the zero hash / zero address); a null `cid` / `wallet` is listed nowhere. A
   * membership test per group, flat in the size of its lists (the permission pre-checks).
   */
  groupMembership(
    ids: readonly Uint[],
    cid: Hex32 | null,
    wallet: Address | null,
  ): Promise<{ id: Uint; account: Hex32; cid: boolean; anyCid: boolean; wallet: boolean; anyWallet: boolean }[]>;
  /** Highest block whose events are fully applied. */
  indexedBlock(): Promise<number>;
}

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
 * payers are not registered or not funded: refused before anything is sent).
 */
export interface Writer {
  write(request: WriteRequest): Promise<WriteReceipt>;
}

export class RevertError extends Error {
  constructor(
    readonly errorName: string,
    readonly errorArgs: readonly unknown[],
    message?: string,
  ) {
    super(message ?? `reverted: ${errorName}`);
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

/**
 * The index as of the chain head (docs/finality.md, "Answers that follow the chain"): services
 * call `ensureFresh` before an answer that depends on state a wallet can change on-chain without
 * the relayer (ChainSecured account existence and admin, wallet registrations, groups and keys
 * written by the admin). Implemented by chain/fresh-index.ts.
 */
export interface FreshIndex {
  /**
   * Resolves once the index holds every block up to the chain head as read at (or after) this
   * call. Rejects with StaleIndexError when the head cannot be read or the index does not reach it
   * within the configured bound (FRESH_READ_TIMEOUT_MS).
   */
  ensureFresh(): Promise<void>;
}

/** A FreshIndex that never waits: the index is taken as current (in-memory indexes, FRESH_READS=off). */
export const INDEX_AS_IS: FreshIndex = { ensureFresh: async () => undefined };

/**
 * The index could not be brought to the chain head in time: an answer from it could be a 404 or a
 * grant the chain no longer supports, so none is given (503 IndexBehindHead with Retry-After).
 */
export class StaleIndexError extends Error {
  constructor(
    message: string,
    /** The head the index had to reach (null: the head could not be read). */
    readonly headBlock: number | null,
    /** The last block the index had applied. */
    readonly indexedBlock: number,
    /** Seconds after which a retry may succeed. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = "StaleIndexError";
  }
}

/**
 * The index cannot be trusted now: a reorg deeper than REORG_WINDOW stopped the indexer
 * (docs/finality.md). Reads are refused (503 IndexUnavailable) until the index is rebuilt.
 */
export class IndexUnavailableError extends ChainUnavailableError {
  constructor(readonly reason: string) {
    super(`the index is unavailable: ${reason}`, false);
    this.name = "IndexUnavailableError";
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

export class IdempotencyConflictError extends Error {
  constructor(message = "Idempotency-Key reused with a different request") {
    super(message);
    this.name = "IdempotencyConflictError";
  }
}

/** On-chain signature checks for contract wallets (ERC-1271), used by the wallet-signature verifier. */
export interface SignatureChecker {
  /** true when `address` has contract code. */
  hasCode(address: Address): Promise<boolean>;
  /** true when `address`.isValidSignature(digest, signature) returns the ERC-1271 magic value 0x1626ba7e. */
  isValidSignature(address: Address, digest: Hex32, signature: string): Promise<boolean>;
}

/** Single-use wallet signatures: a digest may be claimed once until it expires. */
export interface ReplayStore {
  /** true when `key` was not claimed yet (it is now, until `expiresAt`, unix seconds); false for a repeat. */
  claim(key: Hex32, expiresAt: number): Promise<boolean>;
  /** Forgets a claim (the work it authorised did not happen). */
  release(key: Hex32): Promise<void>;
}

// ------------------------------------------------------------------ outbox (chain <- store)

/**
 * Life cycle of an outbox row (see store/outbox.ts for the guarded transitions):
 * queued -> signed -> sent -> mined | reverted | failed. A mined or reverted row with `final`
 * unset may still move: the finality tracker of the chain layer watches it until it is
 * `confirmationDepth` blocks deep, and a reorg may send it back to sent.
 */
export type OutboxStatus = "queued" | "signed" | "sent" | "mined" | "reverted" | "failed";
export type OutboxKind = "call" | "transfer" | "filler";

/** One write (or a top-up transfer, or a filler that closes a nonce gap) of the durable outbox. */
export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  idemScope: string | null;
  idemKey: string | null;
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
  /** The newest call row (any status), or null: a typical write for cost estimates. */
  latestCall(): Promise<OutboxRow | null>;
  /** Inserts a queued row; null when the idempotency key is already used. */
  insert(row: NewOutboxRow): Promise<OutboxRow | null>;
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
  transferInFlight(to: string): Promise<boolean>;
  /** Registers a payer's nonce counter or moves it up to `chainPending`, never down. */
  reconcileNonce(address: string, chainPending: number): Promise<number>;
  /** Nonces of `payer` in [from, to) held by no row that may still be mined (in flight, or not final): gaps to fill. */
  uncoveredNonces(payer: string, from: number, to: number): Promise<number[]>;
}

/**
 * Lit Action code kept for an account would exceed the account's quota (docs/relayer-untrusted-input.md,
 * "Lit Action code storage"). Thrown by a code store's `put` with an owner; nothing was kept.
 */
export class CodeQuotaExceededError extends Error {
  constructor(
    /** The account's quota in bytes. */
    readonly quotaBytes: number,
    /** Bytes of code already kept for the account. */
    readonly usedBytes: number,
    /** Bytes of the code that did not fit. */
    readonly codeBytes: number,
  ) {
    super(`Lit Action code quota exceeded: ${usedBytes} of ${quotaBytes} bytes used, the code needs ${codeBytes}`);
    this.name = "CodeQuotaExceededError";
  }
}

// ------------------------------------------------------------------ billing (services <- store, payments)

export type LedgerReason = "starting_credit" | "payment" | "write" | "execution" | "refund" | "adjustment";

export interface LedgerEntry {
  id: number;
  account: string;
  /** Positive: a credit; negative: a debit. */
  amountCents: number;
  reason: LedgerReason;
  reference: string;
  createdAtMs: number;
}

export type DebitResult =
  | { status: "debited"; balanceCents: number }
  /** The reference was already written: nothing changed. */
  | { status: "duplicate"; balanceCents: number }
  /** The balance is below the amount: nothing changed. */
  | { status: "insufficient"; balanceCents: number };

export type CreditResult = { status: "credited" | "duplicate"; balanceCents: number };

export interface PaymentRecord {
  intentId: string;
  account: string;
  provider: string;
  amountCents: number;
  /** Null until credited. */
  creditedCents: number | null;
  createdAtMs: number;
  creditedAtMs: number | null;
}

/**
 * The credit ledger (store/ledger.ts): an append-only list of entries per account, each with a
 * unique reference, so a debit or credit written twice changes nothing the second time.
 */
export interface Ledger {
  /** The account's balance in cents (its starting credit is written on first sight). */
  balance(account: string): Promise<number>;
  /** Takes `amountCents` unless the balance is lower or `reference` was already written. */
  debit(account: string, amountCents: number, reason: LedgerReason, reference: string): Promise<DebitResult>;
  /** A debit per attempt of a keyed request: a refunded attempt is over, the next one is charged. */
  debitAttempt(
    account: string,
    amountCents: number,
    reason: LedgerReason,
    reference: string,
  ): Promise<DebitResult & { reference: string }>;
  /** Adds `amountCents` with `reference`; a reference already written changes nothing. */
  credit(account: string, amountCents: number, reason: LedgerReason, reference: string): Promise<CreditResult>;
  hasReference(reference: string): Promise<boolean>;
  /** The newest entries of an account, newest first. */
  entries(account: string, limit?: number): Promise<LedgerEntry[]>;
  /** The stored balance beside the sum of the entries (they must be equal). */
  verify(account: string): Promise<{ balanceCents: number; ledgerSumCents: number }>;
  /** Remembers a created payment intent for its account (before the payer can pay it). */
  recordPayment(p: { intentId: string; account: string; provider: string; amountCents: number }): Promise<void>;
  payment(intentId: string): Promise<PaymentRecord | null>;
  /** Credits a recorded payment once. */
  creditPayment(account: string, intentId: string, amountCents: number): Promise<CreditResult>;
}

/** Stripe's PaymentIntent statuses (the dev provider uses "succeeded" only). */
export type PaymentStatus =
  | "requires_payment_method"
  | "requires_confirmation"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "canceled"
  | "succeeded";

export interface PaymentIntentInfo {
  id: string;
  status: PaymentStatus;
  /** The amount asked for, in cents. */
  amountCents: number;
  /** The amount actually received (what is credited), in cents. */
  amountReceivedCents: number;
  currency: string;
  /** The account hash the intent was created for (its metadata), or null when absent. */
  account: string | null;
  /** The last payment error's message, when a payment attempt failed. */
  failureMessage: string | null;
}

export interface CreatedIntent {
  id: string;
  /** Handed to the payer's browser (Stripe.js confirms the card with it). */
  clientSecret: string;
}

/** A payment provider (payments/): `stripe` or `dev`. Only the ledger decides what is credited. */
export interface PaymentProvider {
  readonly name: "dev" | "stripe";
  /** What GET /billing/stripe_config reports. */
  readonly publishableKey: string;
  createIntent(request: { account: string; amountCents: number; idempotencyKey?: string }): Promise<CreatedIntent>;
  /** The intent, or null when the provider does not know the id. */
  retrieveIntent(id: string): Promise<PaymentIntentInfo | null>;
}

/** The provider could not be reached or failed: the request may be retried (503). */
export class PaymentProviderUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PaymentProviderUnavailableError";
  }
}

/** Payment intent ids as the providers issue them: `pi_` + letters, digits and underscores. */
export const PAYMENT_INTENT_ID_RE = /^pi_[A-Za-z0-9_]{1,200}$/;

/** A dev payment intent as kept in the database (store/dev-intents.ts). */
export interface DevIntentRow {
  id: string;
  account: string;
  amountCents: number;
}

/** Where the dev payment provider keeps its intents (payments/dev.ts). */
export interface DevIntentStore {
  /** The intent created under a (scoped) idempotency key, if any. */
  byIdempotencyKey(key: string): Promise<DevIntentRow | undefined>;
  byId(id: string): Promise<DevIntentRow | undefined>;
  insert(row: DevIntentRow & { idempotencyKey: string | null; createdAtMs: number }): Promise<void>;
}

/** Where code submitted for hashing is kept so that lit_action can later run it by CID. */
export interface CodeStore {
  /**
   * Keeps `code` (whose CID is `cid`). With `owner` (an account's master hash) it is kept for that
   * account and counts against the account's quota (CodeQuotaExceededError above when it would
   * exceed it); without, it goes at most into a bounded, expiring cache
   * (docs/relayer-untrusted-input.md, "Lit Action code storage").
   */
  put(cid: string, code: string, owner?: Hex32): Promise<void>;
}

/** A CodeStore that can also read code back by CID (lit-runtime/code-store.ts, store/code-store.ts). */
export interface ContentStore extends CodeStore {
  /** The code whose CID is `cid`, verified against it; null when unknown. */
  get(cid: string): Promise<string | null>;
}

/** One Lit Action execution's usage (its duration), kept as a history. */
export interface ExecutionUsage {
  /** The account's master hash. */
  account: string;
  /** The key that ran the action (master, alias or usage key hash). */
  apiKeyHash: string;
  cid: string;
  /** Unix milliseconds at the start of the execution. */
  startedAtMs: number;
  durationMs: number;
  hasError: boolean;
}

/** Where execution usage goes (store/usage-recorder.ts; in memory in lit-runtime/usage.ts). */
export interface UsageRecorder {
  record(usage: ExecutionUsage): Promise<void>;
  /** Resolves when every recorded usage is stored (write-behind recorders). */
  flush?(): Promise<void>;
}

// ------------------------------------------------------------------ index (chain -> store)

/** How a database commit is made (store/db.ts). */
export interface TxOptions {
  /**
   * false: the commit does not wait for the disk (SQLite synchronous=NORMAL for that commit,
   * Postgres synchronous_commit=off). For state that can be rebuilt (the index, receipts already
   * on chain): a power loss may undo such a commit, never corrupt the database, and a later
   * durable commit makes every earlier one durable too. Default true.
   */
  durable?: boolean;
}

export interface IndexCursor {
  /** Highest block whose events are fully applied (the block before the first to index when none is). */
  block: number;
  /** Its hash, when known (blocks applied inside the reorg window, or with a hash). */
  hash: string | null;
}

export interface ApplyOptions extends TxOptions {
  /**
   * Journal the block's row changes and keep its hash so it can be undone (default true). The
   * indexer turns it off for blocks older than the reorg window.
   */
  journal?: boolean;
}

/**
 * What applyBlock did:
 * - applied: the block's events are in the index and the cursor is at the block;
 * - known: the block is at or below the cursor with the same (or an unknown) hash; nothing done;
 * - gap: the cursor is below the block's parent; nothing done (apply the blocks in between first);
 * - fork: the block's parent (or the block itself) differs from what the index applied: a reorg.
 */
export type ApplyOutcome = "applied" | "known" | "gap" | "fork";

/** A block the index keeps the hash of (inside the reorg window). */
export interface KeptBlock {
  block: number;
  hash: string;
}

/** The write side of the index (store/projection/), as the indexer drives it (docs/finality.md). */
/** A block older than the reorg window, as applyOldBlocks takes it. */
export interface OldBlock {
  number: number;
  hash: string | null;
  events: readonly DecodedEvent[];
}

export interface IndexProjection {
  /** Applies one block's decoded events and moves the cursor to it, in one transaction; idempotent. */
  applyBlock(
    blockNumber: number,
    blockHash: string | null,
    parentHash: string | null,
    events: readonly DecodedEvent[],
    options?: ApplyOptions,
  ): Promise<ApplyOutcome>;
  /**
   * Applies consecutive blocks older than the reorg window (as applyBlock without parent hash and
   * journal) in one transaction and moves the cursor to the last; blocks at or below the cursor are
   * skipped. Returns the number of blocks applied.
   */
  applyOldBlocks(blocks: readonly OldBlock[], options?: TxOptions): Promise<number>;
  /** Moves the cursor forward to `block` (blocks without events). */
  advanceCursor(block: number, blockHash?: string | null, options?: TxOptions): Promise<boolean>;
  /** The cursor, or null before the first block. */
  cursor(): Promise<IndexCursor | null>;
  /** The hashes kept of blocks in [from, to], highest first. */
  keptBlocks(from: number, to: number): Promise<KeptBlock[]>;
  /** Whether every block above `block` up to the cursor is journaled. */
  canUndoTo(block: number): Promise<boolean>;
  /** Takes the index back to right after `block`; the number of row changes undone. */
  undoTo(block: number, options?: TxOptions): Promise<number>;
  /** Drops the journal and kept hashes of blocks below `block`. */
  prune(block: number, options?: TxOptions): Promise<void>;
}

/** The index as the indexer sees it (store/index-store.ts). */
export interface IndexPort {
  readonly projection: IndexProjection;
  /** The highest block whose events are applied. */
  indexedBlock(): Promise<number>;
  /** Creates the cursor at `block` (the block before the first to index) if there is none. */
  initCursor(block: number): Promise<void>;
  /** Every read refuses with IndexUnavailableError while a reason is set (null clears it). */
  markUnavailable(reason: string | null): void;
}

/** What the chain layer keeps in the store: the index it maintains and the outbox it sends from. */
export interface ChainStorage {
  readonly index: IndexPort;
  readonly outbox: OutboxPort;
}
