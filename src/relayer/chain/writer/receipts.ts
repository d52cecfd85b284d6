/**
 * Receipts: the receipt of any attempt of a row, looked up by one shared poller, and recorded in
 * the outbox. Every look-up requested while a round is under way joins the next round: one
 * JSON-RPC batch of eth_getTransactionReceipt for all of them (newest attempt first), and one DB
 * transaction for the outcomes found. Status 0 -> reverted, with the custom error decoded by
 * re-running the call with eth_call at the receipt's block, then its parent (else
 * "TransactionReverted"); status 1 -> mined, with the decoded events (the indexer's catch-up to
 * that block starts at once, beside the commit).
 */
import type { DecodedEvent, OutboxRow, RowOutcome, WriteReceipt } from "../../ports";
import { decodeLogs, decodeRevert, type DecodedError } from "../abi";
import { hexToBigInt, hexToNumber, revertDataOf, sendAll, toQuantity, type RpcReceipt } from "../rpc";
import type { WriterContext } from "./context";

/** What the writer needs of the indexer: read-your-writes. */
export interface IndexFollower {
  /** Resolves once every block up to `block` is applied; rejects with ChainUnavailableError after `timeoutMs`. */
  syncTo(block: number, timeoutMs?: number): Promise<void>;
  /** A hint that `block` exists and will be waited for: start catching up now. */
  prefetch(block: number): void;
  /**
   * Applies a block that holds only one of our transactions from its receipt (chain/own-blocks.ts);
   * resolves true once the index holds it, false when it is left to the indexer. Optional.
   */
  applyOwnBlock?(block: { number: number; hash: string; parentHash: string }, events: readonly DecodedEvent[]): Promise<boolean>;
  /**
   * A receipt was recorded in this block: if the index finds another block at that height, it
   * reports a reorg of blocks it never applied (Indexer.expectBlock). Optional.
   */
  expectBlock?(number: number, hash: string): void;
  /**
   * When the index's latest round reached the node (ms), or null when that round failed. A write
   * is sent from its cached gas without a pre-flight (preflight.ts) only while this is recent;
   * otherwise (an outage, or unknown) it is pre-flighted, so that while the node is down a write
   * is refused with nothing stored. Optional (absent: always pre-flighted).
   */
  reachedAt?(): number | null;
}

/**
 * Reorgs reported by the index, as the receipt tracker needs them: a receipt read before a reorg
 * and recorded after it may be from the dropped branch and must be checked again (finality.ts).
 */
export interface ReorgWatch {
  /** Reorgs reported so far. */
  readonly reorgGeneration: number;
  /** Re-arms the reorg re-check from `block` when a reorg was reported since generation `since`. */
  reorgSeen(since: number, block: number): void;
}

/** What a receipt says about a row (recorded in the outbox). */
export type Outcome =
  | { status: "mined"; blockNumber: number; receipt: WriteReceipt }
  | { status: "reverted"; blockNumber: number; error: DecodedError; message: string };

interface ReceiptRequest {
  row: OutboxRow;
  waiters: { resolve: (o: Outcome | null) => void; reject: (err: unknown) => void }[];
}

/**
 * Receipt rounds that may run at once: a look-up that arrives while one round is waiting for the
 * node starts a second one at once instead of waiting for the first to finish.
 */
const MAX_RECEIPT_ROUNDS = 2;

export class ReceiptTracker {
  /** Receipt look-ups waiting for the next poller round, by row id. */
  private readonly queue = new Map<number, ReceiptRequest>();
  /** Receipt rounds under way (at most MAX_RECEIPT_ROUNDS). */
  private rounds = 0;
  private starting = false;

  constructor(
    private readonly ctx: WriterContext,
    private readonly indexer: IndexFollower,
    /** Whether a receipt is final as soon as it is seen (confirmation depth 0, answered on inclusion). */
    private readonly finalAtInclusion: () => boolean,
    /** The finality tracker's view of reorgs (absent: nothing re-armed). */
    private readonly reorgs: () => ReorgWatch | undefined = () => undefined,
  ) {}

  /** Looks for a receipt of any attempt; records mined/reverted and returns true when found. */
  async check(row: OutboxRow, quiet = false): Promise<boolean> {
    try {
      return (await this.receiptOf(row)) !== null;
    } catch (err) {
      if (quiet) return false;
      throw err;
    }
  }

  /**
   * The receipt of any attempt of `row`, recorded in the outbox (mined / reverted), or null when
   * none is mined yet. Rejects when the node could not be asked.
   */
  receiptOf(row: OutboxRow): Promise<Outcome | null> {
    return new Promise((resolve, reject) => {
      const queued = this.queue.get(row.id);
      if (queued) {
        if (row.attempts > queued.row.attempts) queued.row = row;
        queued.waiters.push({ resolve, reject });
      } else {
        this.queue.set(row.id, { row, waiters: [{ resolve, reject }] });
      }
      // Started after the current synchronous burst of look-ups (a worker tick asks for every
      // row at once), so that they share the round.
      if (!this.starting && this.rounds < MAX_RECEIPT_ROUNDS) {
        this.starting = true;
        queueMicrotask(() => {
          this.starting = false;
          if (this.queue.size > 0 && this.rounds < MAX_RECEIPT_ROUNDS) void this.poll();
        });
      }
    });
  }

  /** Runs receipt rounds while look-ups are queued (a second poller may run beside a busy one). */
  private async poll(): Promise<void> {
    this.rounds++;
    try {
      while (this.queue.size > 0) {
        const round = [...this.queue.values()];
        this.queue.clear();
        try {
          await this.round(round);
        } catch (err) {
          for (const r of round) for (const w of r.waiters) w.reject(err);
        }
      }
    } finally {
      this.rounds--;
    }
  }

  private async round(round: ReceiptRequest[]): Promise<void> {
    const calls: { method: string; params: unknown[] }[] = [];
    const owner: ReceiptRequest[] = [];
    for (const r of round) {
      // newest attempt first: after a fee bump, the replacement is the likely one
      for (const hash of [...r.row.txHashes].reverse()) {
        calls.push({ method: "eth_getTransactionReceipt", params: [hash] });
        owner.push(r);
      }
    }
    const generation = this.reorgs()?.reorgGeneration;
    const results = await sendAll(this.ctx.rpc, calls);
    const receipts = new Map<ReceiptRequest, RpcReceipt>();
    const errors = new Map<ReceiptRequest, Error>();
    results.forEach((res, i) => {
      const r = owner[i];
      if (receipts.has(r)) return;
      if (!res.ok) {
        if (!errors.has(r)) errors.set(r, res.error);
      } else if (res.result) {
        receipts.set(r, res.result as RpcReceipt);
      }
    });

    const outcomes = await this.settle([...receipts].map(([r, receipt]) => ({ row: r.row, receipt })));
    if (generation !== undefined && outcomes.size > 0) {
      this.reorgs()?.reorgSeen(generation, Math.min(...[...outcomes.values()].map((o) => o.blockNumber)));
    }
    for (const r of round) {
      const outcome = outcomes.get(r.row.id) ?? null;
      const error = outcome ? undefined : errors.get(r);
      for (const w of r.waiters) {
        if (error) w.reject(error);
        else w.resolve(outcome);
      }
    }
  }

  /**
   * Decodes receipts and records them in the outbox, in one DB transaction (mined: the decoded
   * events; reverted: the decoded error, by re-running the call). Returns the outcome per row id.
   */
  async settle(
    found: readonly { row: OutboxRow; receipt: RpcReceipt }[],
    /** false: the caller brings the block to the index itself (from the receipt); no catch-up hint. */
    prefetch = true,
  ): Promise<Map<number, Outcome>> {
    const out = new Map<number, Outcome>();
    if (found.length === 0) return out;
    const { ctx } = this;
    const settled = await Promise.all(found.map(({ row, receipt }) => this.decode(row, receipt)));
    // The writes waiting for these receipts next wait for the indexer: start its catch-up now,
    // beside the commit below.
    const top = Math.max(-1, ...settled.filter((f) => f.outcome.status === "mined").map((f) => f.outcome.blockNumber));
    if (top >= 0 && prefetch) this.indexer.prefetch(top);
    for (const { record } of settled) {
      if (record.blockNumber !== null && record.blockHash !== null) this.indexer.expectBlock?.(record.blockNumber, record.blockHash);
    }
    const ids = settled.map((f) => f.row.id);
    for (const id of ids) ctx.busy.recording.add(id);
    let changed: boolean[];
    try {
      changed = await ctx.outbox.recordOutcomes(settled.map((f) => f.record));
    } finally {
      for (const id of ids) ctx.busy.recording.delete(id);
    }
    settled.forEach(({ row, outcome, record }, i) => {
      out.set(row.id, outcome);
      ctx.rows.notify(row.id);
      if (!changed[i]) return;
      if (outcome.status === "mined") {
        ctx.log.info({ id: row.id, method: row.method, tx: record.minedHash, block: record.blockNumber }, "transaction mined");
      } else {
        ctx.log.warn({ id: row.id, method: row.method, tx: record.minedHash, error: outcome.error.name }, "transaction reverted");
      }
    });
    return out;
  }

  /** What a receipt means for its row: the outcome and the outbox record of it. */
  async decode(row: OutboxRow, receipt: RpcReceipt): Promise<{ row: OutboxRow; outcome: Outcome; record: RowOutcome }> {
    const blockNumber = hexToNumber(receipt.blockNumber, "receipt.blockNumber");
    const blockHash = receipt.blockHash;
    const gasUsed = hexToBigInt(receipt.gasUsed, "receipt.gasUsed").toString();
    const minedHash = receipt.transactionHash;
    const final = this.finalAtInclusion();
    if (hexToNumber(receipt.status, "receipt.status") === 1) {
      const result: WriteReceipt = { txHash: minedHash, blockNumber, gasUsed, events: decodeLogs(receipt.logs, this.ctx.diamond) };
      return {
        row,
        outcome: { status: "mined", blockNumber, receipt: result },
        record: { id: row.id, status: "mined", blockNumber, blockHash, final, minedHash, gasUsed, result: JSON.stringify(result) },
      };
    }
    const reason = await this.revertReason(row, blockNumber);
    const message = `transaction ${minedHash} reverted: ${reason.name}`;
    return {
      row,
      outcome: { status: "reverted", blockNumber, error: reason, message },
      record: {
        id: row.id,
        status: "reverted",
        blockNumber,
        blockHash,
        final,
        minedHash,
        gasUsed,
        errorName: reason.name,
        errorArgs: reason.args,
        message,
      },
    };
  }

  /** Re-runs a reverted call at the receipt's block, then at its parent, to decode the error. */
  private async revertReason(row: OutboxRow, blockNumber: number): Promise<DecodedError> {
    if (row.kind !== "call") return { name: "TransactionReverted", args: [] };
    for (const tag of [blockNumber, blockNumber - 1]) {
      if (tag < 0) continue;
      try {
        await this.ctx.rpc.send("eth_call", [
          { from: row.payer, to: row.to, data: row.calldata, gas: toQuantity(BigInt(row.gasLimit)) },
          toQuantity(tag),
        ]);
      } catch (err) {
        const data = revertDataOf(err);
        if (data) return decodeRevert(data);
      }
    }
    return { name: "TransactionReverted", args: [] };
  }
}
