/**
 * The durable outbox of transactions and the per-payer nonce counters.
 *
 * Row life cycle (status):
 *   queued   -> persisted, no nonce yet (or re-queued after its nonce was taken by someone else);
 *               a write normally skips it: insertSignedBatch stores its row signed at once
 *   signed   -> nonce allocated and the signed raw transaction + hash persisted; broadcast not yet
 *               acknowledged, or acknowledged and its receipt being looked for (a restart
 *               rebroadcasts `raw_tx`)
 *   sent     -> broadcast acknowledged and not mined at once; `sent_at` is the time of the latest
 *               attempt (a transaction mined at once goes from signed to mined)
 *   mined    -> receipt status 1 (`result` holds the decoded receipt)           [answered]
 *   reverted -> receipt status 0 (`error_name`/`error_args` decoded), or a call that no longer
 *               applies after its nonce was taken (no transaction)             [answered]
 *   failed   -> the node rejected it permanently; nothing was applied           [terminal]
 * `tx_hashes` lists the hash of every signed attempt (fee bumps re-sign the same nonce); any of
 * them may be the one that gets mined.
 * Finality: a mined/reverted row records the block (`block_number`, `block_hash`) of its receipt
 * and `final` = 0 until the finality tracker (chain/writer/finality.ts) has seen that receipt
 * `confirmationDepth` blocks deep. Until then a reorg may move it to another block (moveOutcome)
 * or drop it: back to sent (unmine), its signed bytes rebroadcast.
 *
 * Every transition is a guarded UPDATE (expected status and attempt count), so several workers
 * (one per relayer instance on a shared Postgres database) never double-sign or double-apply.
 */
import type {
  InFlightHead,
  MinedFields,
  NewOutboxRow,
  OutboxKind,
  OutboxPort,
  OutboxRow,
  OutboxStatus,
  ResendState,
  RevertedFields,
  RowOutcome,
  SignedAttempt,
} from "../ports";
import type { Db, Queryable } from "./db";
import { INSERT_QUEUED, INSERT_SIGNED, insertParams, RESEND, resendCode } from "./outbox-insert";
import { IN_FLIGHT, inFlightByIds, inFlightHeads, inList } from "./outbox-in-flight";

export type { MinedFields, NewOutboxRow, OutboxKind, OutboxRow, OutboxStatus, ResendState, RevertedFields, RowOutcome, SignedAttempt };

export { IN_FLIGHT };
export const TERMINAL: readonly OutboxStatus[] = ["mined", "reverted", "failed"];

interface OutboxDb {
  id: number;
  kind: string;
  idem_scope: string | null;
  idem_key: string | null;
  request_hash: string;
  method: string;
  to_address: string;
  calldata: string;
  value: string;
  payer: string;
  nonce: number | null;
  status: string;
  tx_hashes: string;
  raw_tx: string | null;
  gas_limit: string;
  max_fee_per_gas: string | null;
  max_priority_fee_per_gas: string | null;
  gas_price: string | null;
  attempts: number;
  error_name: string | null;
  error_args: string | null;
  error_message: string | null;
  block_number: number | null;
  block_hash: string | null;
  final: number | boolean;
  mined_hash: string | null;
  gas_used: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  gas_from_cache: number | boolean;
  resend: number;
}

function fromDb(r: OutboxDb): OutboxRow {
  const num = (v: number | null): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(r.id),
    kind: r.kind as OutboxKind,
    idemScope: r.idem_scope,
    idemKey: r.idem_key,
    requestHash: r.request_hash,
    method: r.method,
    to: r.to_address,
    calldata: r.calldata,
    value: r.value,
    payer: r.payer,
    nonce: num(r.nonce),
    status: r.status as OutboxStatus,
    txHashes: JSON.parse(r.tx_hashes) as string[],
    rawTx: r.raw_tx,
    gasLimit: r.gas_limit,
    maxFeePerGas: r.max_fee_per_gas,
    maxPriorityFeePerGas: r.max_priority_fee_per_gas,
    gasPrice: r.gas_price,
    attempts: Number(r.attempts),
    errorName: r.error_name,
    errorArgs: r.error_args === null ? null : (JSON.parse(r.error_args) as unknown[]),
    errorMessage: r.error_message,
    blockNumber: num(r.block_number),
    blockHash: r.block_hash ?? null,
    final: Number(r.final) === 1,
    minedHash: r.mined_hash,
    gasUsed: r.gas_used,
    result: r.result,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    sentAt: num(r.sent_at),
    gasFromCache: Number(r.gas_from_cache) === 1,
    resend: RESEND[Number(r.resend)] ?? "none",
  };
}

const COLUMNS = "*";

async function markMined(q: Queryable, id: number, m: MinedFields): Promise<boolean> {
  const n = await q.run(
    `UPDATE outbox SET status = 'mined', block_number = $2, mined_hash = $3, gas_used = $4, result = $5, updated_at = $6,
       block_hash = $7, final = $8
     WHERE id = $1 AND status IN ('signed', 'sent')`,
    [id, m.blockNumber, m.minedHash, m.gasUsed, m.result, Date.now(), m.blockHash, m.final ? 1 : 0],
  );
  return n > 0;
}

async function markReverted(q: Queryable, id: number, r: RevertedFields): Promise<boolean> {
  const n = await q.run(
    `UPDATE outbox SET status = 'reverted', block_number = $2, mined_hash = $3, gas_used = $4, error_name = $5,
       error_args = $6, error_message = $7, updated_at = $8, block_hash = $9, final = $10
     WHERE id = $1 AND status IN ('signed', 'sent')`,
    [id, r.blockNumber, r.minedHash, r.gasUsed, r.errorName, JSON.stringify(r.errorArgs), r.message, Date.now(), r.blockHash, r.final ? 1 : 0],
  );
  return n > 0;
}

/** Rows whose receipt is recorded (mined or reverted) and that may still be undone by a reorg. */
const WATCHED = "status IN ('mined', 'reverted') AND final = 0";

export class OutboxStore implements OutboxPort {
  constructor(private readonly db: Db) {}

  async get(id: number): Promise<OutboxRow | null> {
    const r = await this.db.one<OutboxDb>(`SELECT ${COLUMNS} FROM outbox WHERE id = $1`, [id]);
    return r ? fromDb(r) : null;
  }

  async findByKey(scope: string, key: string): Promise<OutboxRow | null> {
    const r = await this.db.one<OutboxDb>(`SELECT ${COLUMNS} FROM outbox WHERE idem_scope = $1 AND idem_key = $2`, [
      scope,
      key,
    ]);
    return r ? fromDb(r) : null;
  }

  /** Every row, oldest first (tests and operators). */
  async list(): Promise<OutboxRow[]> {
    return (await this.db.query<OutboxDb>(`SELECT ${COLUMNS} FROM outbox ORDER BY id`)).map(fromDb);
  }

  /** The newest call row (any status), or null: a typical write for cost estimates. */
  async latestCall(): Promise<OutboxRow | null> {
    const r = await this.db.one<OutboxDb>(`SELECT ${COLUMNS} FROM outbox WHERE kind = 'call' AND gas_limit <> '0' ORDER BY id DESC LIMIT 1`);
    return r ? fromDb(r) : null;
  }

  /** Rows not yet in a terminal state, by payer and nonce. */
  async inFlight(): Promise<OutboxRow[]> {
    const rows = await this.db.query<OutboxDb>(
      `SELECT ${COLUMNS} FROM outbox WHERE status IN (${inList(IN_FLIGHT)}) ORDER BY payer, nonce, id`,
    );
    return rows.map(fromDb);
  }

  /** The in-flight rows' heads, by payer and nonce: what the worker's tick reads (outbox-in-flight.ts). */
  inFlightHeads(): Promise<InFlightHead[]> {
    return inFlightHeads(this.db);
  }

  /** The full rows among `ids` still in flight, in the order of `ids` (outbox-in-flight.ts). */
  inFlightByIds(ids: readonly number[]): Promise<OutboxRow[]> {
    return inFlightByIds(ids, async (sql, slice) => (await this.db.query<OutboxDb>(sql, slice)).map(fromDb), COLUMNS);
  }

  /**
   * Inserts a row in status queued. With an idempotency key already used, inserts nothing and
   * returns null (the caller then loads the existing row with findByKey).
   */
  async insert(row: NewOutboxRow): Promise<OutboxRow | null> {
    const now = Date.now();
    const r = await this.db.one<OutboxDb>(
      `${INSERT_QUEUED} RETURNING ${COLUMNS}`,
      insertParams(row, now),
    );
    return r ? fromDb(r) : null;
  }

  /**
   * Inserts a row its pre-flight refused (a call sent again under a retry key, chain/writer/retry-refusal.ts):
   * reverted with `error`, final, with no nonce and no transaction, so the key answers that error
   * from now on. With the key already used, inserts nothing and returns null.
   */
  async insertRefused(row: NewOutboxRow, error: { name: string; args: readonly unknown[]; message: string }): Promise<OutboxRow | null> {
    const r = await this.db.one<OutboxDb>(
      `INSERT INTO outbox (kind, idem_scope, idem_key, request_hash, method, to_address, calldata, value, payer, nonce, status,
          gas_limit, created_at, updated_at, gas_from_cache, resend, error_name, error_args, error_message, final)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'reverted', $11, $12, $12, $13, $14, $15, $16, $17, 1)
        ON CONFLICT (idem_scope, idem_key) DO NOTHING RETURNING ${COLUMNS}`,
      [...insertParams({ ...row, nonce: null, gasFromCache: false, resend: false }, Date.now()), error.name, JSON.stringify(error.args), error.message],
    );
    return r ? fromDb(r) : null;
  }

  /**
   * Signs a queued row: in one transaction, takes the payer's next nonce (unless the row has a
   * pre-assigned one), calls `sign(nonce)` (local signing only, no I/O) and persists the signed
   * transaction and its hash with status signed. Returns null, changing nothing, when the row is
   * no longer queued (another worker got it).
   */
  async allocateAndSign(id: number, sign: (nonce: number) => Promise<SignedAttempt>): Promise<OutboxRow | null> {
    return this.db.tx(async (tx) => {
      const cur = await tx.one<OutboxDb>(`SELECT ${COLUMNS} FROM outbox WHERE id = $1`, [id]);
      if (!cur || cur.status !== "queued") return null;
      let nonce = cur.nonce === null ? null : Number(cur.nonce);
      if (nonce === null) nonce = await this.takeNonce(tx, cur.payer);
      const s = await sign(nonce);
      const hashes = [...(JSON.parse(cur.tx_hashes) as string[]), s.hash];
      const r = await tx.one<OutboxDb>(
        `UPDATE outbox SET status = 'signed', nonce = $2, raw_tx = $3, tx_hashes = $4, max_fee_per_gas = $5,
           max_priority_fee_per_gas = $6, gas_price = $7, attempts = attempts + 1, updated_at = $8
         WHERE id = $1 AND status = 'queued' RETURNING ${COLUMNS}`,
        [id, nonce, s.rawTx, JSON.stringify(hashes), s.maxFeePerGas, s.maxPriorityFeePerGas, s.gasPrice, Date.now()],
      );
      if (!r) throw new Error(`outbox ${id}: lost the row while signing`);
      return fromDb(r);
    });
  }

  /**
   * Inserts rows already signed, all in one transaction (one commit): for each row in order,
   * takes the payer's next nonce (unless the row has a pre-assigned one), calls
   * `sign(row, nonce)` (local signing only, no I/O) and inserts the row with its raw transaction
   * and hash with status signed. So every row is durable before any broadcast. A row whose
   * idempotency key is already used is not stored and takes no nonce (it is given back): null in
   * its place (the caller then loads the existing row with findByKey). Rows of one payer get
   * consecutive nonces in order.
   */
  async insertSignedBatch(
    rows: readonly NewOutboxRow[],
    sign: (row: NewOutboxRow, nonce: number) => Promise<SignedAttempt>,
  ): Promise<(OutboxRow | null)[]> {
    if (rows.length === 0) return [];
    return this.db.tx(async (tx) => {
      const out: (OutboxRow | null)[] = [];
      for (const row of rows) {
        const now = Date.now();
        // Nonce and signature first, then one INSERT of the signed row (docs/relayer-latency.md,
        // seventh pass: one statement per write fewer than inserting queued and updating it to
        // signed). A used idempotency key inserts nothing: the nonce is given back in this same
        // transaction, so it is as if none was taken (only the signature was wasted).
        const nonce = row.nonce ?? (await this.takeNonce(tx, row.payer));
        const s = await sign(row, nonce);
        const params = insertParams({ ...row, nonce }, now);
        const r = await tx.one<OutboxDb>(`${INSERT_SIGNED} RETURNING ${COLUMNS}`, [
          ...params,
          s.rawTx,
          JSON.stringify([s.hash]),
          s.maxFeePerGas,
          s.maxPriorityFeePerGas,
          s.gasPrice,
        ]);
        if (!r) {
          if (row.nonce === undefined || row.nonce === null) await this.giveBackNonce(tx, row.payer, nonce);
          out.push(null);
          continue;
        }
        out.push(fromDb(r));
      }
      return out;
    });
  }

  /**
   * Records the receipts of several rows in one transaction (each a guarded update, as markMined /
   * markReverted), committed without waiting for the disk (see TxOptions.durable). Returns, per
   * entry, whether this call changed the row.
   */
  async recordOutcomes(outcomes: readonly RowOutcome[]): Promise<boolean[]> {
    if (outcomes.length === 0) return [];
    // Not durable: should a power loss undo it, the rows are signed/sent again and recovery
    // finds the same receipts on chain.
    return this.db.tx(
      async (tx) => {
        const changed: boolean[] = [];
        for (const o of outcomes) {
          changed.push(o.status === "mined" ? await markMined(tx, o.id, o) : await markReverted(tx, o.id, o));
        }
        return changed;
      },
      { durable: false },
    );
  }

  /** Undoes takeNonce of `nonce` in the same transaction (the counter must stand right after it). */
  private async giveBackNonce(tx: Queryable, payer: string, nonce: number): Promise<void> {
    const n = await tx.run("UPDATE payers SET next_nonce = next_nonce - 1 WHERE address = $1 AND next_nonce = $2", [
      payer,
      nonce + 1,
    ]);
    if (n !== 1) throw new Error(`payer ${payer}: nonce ${nonce} could not be given back (the counter moved)`);
  }

  private async takeNonce(tx: Queryable, payer: string): Promise<number> {
    const r = await tx.one<{ n: number }>(
      "UPDATE payers SET next_nonce = next_nonce + 1 WHERE address = $1 RETURNING next_nonce - 1 AS n",
      [payer],
    );
    if (!r) throw new Error(`payer ${payer}: no nonce counter (not registered with the outbox)`);
    return Number(r.n);
  }

  /**
   * Records a re-signed attempt (same nonce, higher fees) of a signed/sent row whose attempt count
   * is still `expectedAttempts`. The row goes back to signed until the broadcast is acknowledged.
   */
  async recordAttempt(id: number, expectedAttempts: number, s: SignedAttempt): Promise<OutboxRow | null> {
    return this.db.tx(async (tx) => {
      const cur = await tx.one<OutboxDb>(`SELECT ${COLUMNS} FROM outbox WHERE id = $1`, [id]);
      if (!cur || !["signed", "sent"].includes(cur.status) || Number(cur.attempts) !== expectedAttempts) return null;
      const hashes = [...(JSON.parse(cur.tx_hashes) as string[]), s.hash];
      const r = await tx.one<OutboxDb>(
        `UPDATE outbox SET status = 'signed', raw_tx = $2, tx_hashes = $3, max_fee_per_gas = $4,
           max_priority_fee_per_gas = $5, gas_price = $6, attempts = attempts + 1, updated_at = $7
         WHERE id = $1 AND attempts = $8 RETURNING ${COLUMNS}`,
        [id, s.rawTx, JSON.stringify(hashes), s.maxFeePerGas, s.maxPriorityFeePerGas, s.gasPrice, Date.now(), expectedAttempts],
      );
      return r ? fromDb(r) : null;
    });
  }

  /** The broadcast of the latest attempt was acknowledged (or the node already had it). */
  async markSent(id: number, attempts: number): Promise<boolean> {
    const now = Date.now();
    const n = await this.db.run(
      `UPDATE outbox SET status = 'sent', sent_at = $2, updated_at = $2
       WHERE id = $1 AND attempts = $3 AND status IN ('signed', 'sent')`,
      [id, now, attempts],
    );
    return n > 0;
  }

  /** Touches updated_at (a failed broadcast attempt, so retries are spaced). */
  async touch(id: number): Promise<void> {
    await this.db.run("UPDATE outbox SET updated_at = $2 WHERE id = $1", [id, Date.now()]);
  }

  async markMined(id: number, m: MinedFields): Promise<boolean> {
    return markMined(this.db, id, m);
  }

  async markReverted(id: number, r: RevertedFields): Promise<boolean> {
    return markReverted(this.db, id, r);
  }

  /**
   * The node rejected the row for good. When a nonce was allocated, a filler row (a zero-value
   * transfer to the payer itself) takes over that nonce so later nonces are not blocked.
   */
  async markFailed(id: number, message: string, expectedAttempts?: number): Promise<boolean> {
    return this.db.tx(async (tx) => {
      const cur = await tx.one<OutboxDb>(`SELECT ${COLUMNS} FROM outbox WHERE id = $1`, [id]);
      if (!cur || !IN_FLIGHT.includes(cur.status as OutboxStatus)) return false;
      if (expectedAttempts !== undefined && Number(cur.attempts) !== expectedAttempts) return false;
      const now = Date.now();
      await tx.run("UPDATE outbox SET status = 'failed', error_message = $2, updated_at = $3, final = 1 WHERE id = $1", [
        id,
        message,
        now,
      ]);
      if (cur.nonce !== null && cur.kind !== "filler") {
        await tx.run(
          `INSERT INTO outbox (kind, request_hash, method, to_address, calldata, value, payer, nonce, status, gas_limit,
             created_at, updated_at)
           VALUES ('filler', '0x', 'filler', $1, '0x', '0', $1, $2, 'queued', '21000', $3, $3)`,
          [cur.payer, Number(cur.nonce), now],
        );
      }
      return true;
    });
  }

  /**
   * Frees the idempotency key of a failed row (nothing of it was applied), so a retry with the
   * same key runs again. The old key stays readable in the row as `<key>#failed-<id>`.
   */
  async releaseKey(id: number): Promise<boolean> {
    const cur = await this.get(id);
    if (!cur || cur.status !== "failed" || cur.idemKey === null) return false;
    const n = await this.db.run("UPDATE outbox SET idem_key = $2, updated_at = $3 WHERE id = $1 AND status = 'failed'", [
      id,
      `${cur.idemKey}#failed-${id}`,
      Date.now(),
    ]);
    return n > 0;
  }

  /**
   * Its nonce was consumed by a transaction that is none of ours: sign it again with a new nonce
   * (and, when given, a new gas limit from a fresh pre-flight).
   */
  async requeue(id: number, expectedAttempts: number, gasLimit?: string): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE outbox SET status = 'queued', nonce = NULL, raw_tx = NULL, updated_at = $2, gas_limit = COALESCE($4, gas_limit)
       WHERE id = $1 AND attempts = $3 AND status IN ('signed', 'sent') AND kind <> 'filler'`,
      [id, Date.now(), expectedAttempts, gasLimit ?? null],
    );
    return n > 0;
  }

  /**
   * Its nonce was taken by a foreign transaction and a fresh pre-flight says the call no longer
   * applies: recorded as reverted with that error, without a transaction (nothing of it is on
   * chain, no nonce is held).
   */
  async abandon(id: number, expectedAttempts: number, error: { name: string; args: unknown[]; message: string }): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE outbox SET status = 'reverted', nonce = NULL, error_name = $3, error_args = $4, error_message = $5,
         block_number = NULL, block_hash = NULL, mined_hash = NULL, gas_used = NULL, result = NULL, final = 1, updated_at = $6
       WHERE id = $1 AND attempts = $2 AND status IN ('signed', 'sent')`,
      [id, expectedAttempts, error.name, JSON.stringify(error.args), error.message, Date.now()],
    );
    return n > 0;
  }

  // ---- finality (chain/writer/finality.ts)

  /** Mined or reverted rows not final yet (the finality tracker watches them), by payer and nonce. */
  async unfinal(): Promise<OutboxRow[]> {
    const rows = await this.db.query<OutboxDb>(`SELECT ${COLUMNS} FROM outbox WHERE ${WATCHED} ORDER BY payer, nonce, id`);
    return rows.map(fromDb);
  }

  /** Mined or reverted rows recorded in block `block` or later, final or not (a reorg reported from `block`). */
  async minedFrom(block: number): Promise<OutboxRow[]> {
    const rows = await this.db.query<OutboxDb>(
      `SELECT ${COLUMNS} FROM outbox WHERE status IN ('mined', 'reverted') AND block_number >= $1 ORDER BY payer, nonce, id`,
      [block],
    );
    return rows.map(fromDb);
  }

  /** The row's receipt is deep enough: it stops being watched. Guarded by the block it was seen in. */
  async markFinal(id: number, blockHash: string): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE outbox SET final = 1, updated_at = $3 WHERE id = $1 AND block_hash = $2 AND status IN ('mined', 'reverted') AND final = 0`,
      [id, blockHash, Date.now()],
    );
    return n > 0;
  }

  /**
   * A reorg moved the row's transaction (or another attempt of it) into another block: records
   * the new receipt in place of the one seen in `oldBlockHash` (the outcome may differ too).
   */
  async moveOutcome(oldBlockHash: string, o: RowOutcome): Promise<boolean> {
    const base = [o.id, oldBlockHash, o.blockNumber, o.blockHash, o.minedHash, o.gasUsed, o.final ? 1 : 0, Date.now()];
    const n =
      o.status === "mined"
        ? await this.db.run(
            `UPDATE outbox SET status = 'mined', block_number = $3, block_hash = $4, mined_hash = $5, gas_used = $6, final = $7,
               updated_at = $8, result = $9, error_name = NULL, error_args = NULL, error_message = NULL
             WHERE id = $1 AND block_hash = $2 AND status IN ('mined', 'reverted')`,
            [...base, o.result],
          )
        : await this.db.run(
            `UPDATE outbox SET status = 'reverted', block_number = $3, block_hash = $4, mined_hash = $5, gas_used = $6, final = $7,
               updated_at = $8, result = NULL, error_name = $9, error_args = $10, error_message = $11
             WHERE id = $1 AND block_hash = $2 AND status IN ('mined', 'reverted')`,
            [...base, o.errorName, JSON.stringify(o.errorArgs), o.message],
          );
    return n > 0;
  }

  /**
   * A reorg dropped the block (`blockHash`) holding the row's transaction and no attempt of it is
   * on the canonical chain: back to sent (its signed bytes are rebroadcast), the receipt forgotten.
   */
  async unmine(id: number, blockHash: string): Promise<boolean> {
    const now = Date.now();
    const n = await this.db.run(
      `UPDATE outbox SET status = 'sent', block_number = NULL, block_hash = NULL, mined_hash = NULL, gas_used = NULL,
         result = NULL, error_name = NULL, error_args = NULL, error_message = NULL, final = 0, sent_at = $3, updated_at = $3
       WHERE id = $1 AND block_hash = $2 AND status IN ('mined', 'reverted')`,
      [id, blockHash, now],
    );
    return n > 0;
  }

  // ---- sent again after a crash (chain/writer/batch-recovery.ts, docs/finality.md)

  /**
   * Final failed or reverted rows whose ResendState is pending or claimed: a write alone that may have
   * run out of its cached gas, a batch the node may have refused as too large, a batch that reverted
   * as a whole (a crash may have come between its becoming final and its calls' rows being stored;
   * each call is sent alone under its key, and a key already used answers as stored, pre-flight
   * refusals included, so a second look never contradicts the front's answers); a mined batch only
   * once claimed (the front answered a call of it 503 queued: the recovery owes it). Rows in flight or
   * not final are among inFlight() and unfinal(). Served by the (resend, status) index.
   */
  async resendDue(): Promise<OutboxRow[]> {
    const rows = await this.db.query<OutboxDb>(
      `SELECT ${COLUMNS} FROM outbox WHERE resend IN ($1, $2) AND final = 1
         AND (status IN ('failed', 'reverted') OR (status = 'mined' AND resend = $2)) ORDER BY id`,
      [resendCode("pending"), resendCode("claimed")],
    );
    return rows.map(fromDb);
  }

  async setResend(id: number, from: readonly ResendState[], to: ResendState): Promise<boolean> {
    if (from.length === 0) return false;
    const codes = from.map(resendCode);
    const n = await this.db.run(
      `UPDATE outbox SET resend = $2 WHERE id = $1 AND resend IN (${codes.map((_, i) => `$${i + 3}`).join(", ")})`,
      [id, resendCode(to), ...codes],
    );
    return n > 0;
  }

  /** Whether a transfer to `to` (a top-up) is still in flight. */
  async transferInFlight(to: string): Promise<boolean> {
    const r = await this.db.one(
      `SELECT id FROM outbox WHERE kind = 'transfer' AND to_address = $1 AND status IN (${inList(IN_FLIGHT)})`,
      [to],
    );
    return r !== undefined;
  }

  // ---- payers

  /**
   * Registers a payer's nonce counter or moves it up to `chainPending` (the chain's pending
   * transaction count), never down: transactions sent from the key outside the relayer then no
   * longer collide with ours. Returns the counter.
   */
  async reconcileNonce(address: string, chainPending: number): Promise<number> {
    return this.db.tx(async (tx) => {
      await tx.run("INSERT INTO payers (address, next_nonce) VALUES ($1, $2) ON CONFLICT (address) DO NOTHING", [
        address,
        chainPending,
      ]);
      await tx.run("UPDATE payers SET next_nonce = $2 WHERE address = $1 AND next_nonce < $2", [address, chainPending]);
      const r = await tx.one<{ next_nonce: number }>("SELECT next_nonce FROM payers WHERE address = $1", [address]);
      return Number(r?.next_nonce ?? chainPending);
    });
  }

  async nextNonce(address: string): Promise<number | null> {
    const r = await this.db.one<{ next_nonce: number }>("SELECT next_nonce FROM payers WHERE address = $1", [address]);
    return r ? Number(r.next_nonce) : null;
  }

  /**
   * Nonces of `payer` in [from, to) held by no row that may still be mined (in flight, or mined /
   * reverted, final or not: above the chain's pending count such a row's block is gone, or the
   * node lags, and the finality tracker re-sends it): gaps to fill.
   */
  async uncoveredNonces(payer: string, from: number, to: number): Promise<number[]> {
    if (to <= from) return [];
    const rows = await this.db.query<{ nonce: number }>(
      `SELECT nonce FROM outbox WHERE payer = $1 AND nonce >= $2 AND nonce < $3
         AND status IN ('queued', 'signed', 'sent', 'mined', 'reverted')`,
      [payer, from, to],
    );
    const held = new Set(rows.map((r) => Number(r.nonce)));
    const out: number[] = [];
    for (let n = from; n < to; n++) if (!held.has(n)) out.push(n);
    return out;
  }
}
