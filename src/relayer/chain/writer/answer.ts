/**
 * The answer stage of a write (read-your-writes): waits until its outbox row is mined or reverted
 * (with writeConfirmations N > 0, until the receipt is N blocks deep) or failed, then until the
 * index holds its block, and answers with its receipt or the error. Also the shortcut that gives
 * the index a block holding only the writer's own transaction straight from the receipt.
 */
import type { WriteTracer } from "../../../core/write-trace";
import {
  ChainUnavailableError,
  IdempotencyConflictError,
  RevertError,
  WriteTooLargeError,
  type OutboxRow,
  type WriteReceipt,
} from "../../ports";
import { decodeLogs } from "../abi";
import { hexToNumber, type RpcLike, type RpcReceipt } from "../rpc";
import { headerOf, type BlockHeader } from "./broadcaster";
import type { WriterContext } from "./context";
import type { FinalityTracker } from "./finality";
import { nodeLimitOf } from "./node-limits";
import type { IndexFollower, Outcome } from "./receipts";
import type { SeenHeaders } from "./seen-headers";

/**
 * The answer of a row the node refused for good: WriteTooLargeError when it was too large for the
 * node (node-limits.ts), else ChainUnavailableError (nothing was applied either way).
 */
export function refusalOf(row: OutboxRow): Error {
  const message = `transaction rejected by the node: ${row.errorMessage ?? "unknown"}`;
  const limit = nodeLimitOf(row.errorMessage ?? "");
  return limit !== null ? new WriteTooLargeError(limit, message) : new ChainUnavailableError(message, false);
}

/** What the answer stage asks of the writer that owns it. */
export interface AnswerHost {
  /** The background worker runs (else a waiting write advances its row itself). */
  started(): boolean;
  /** stop() was called: waiting writes give up (the row stays queued). */
  stopped(): boolean;
  /** One worker step for a row (sign, broadcast, look for the receipt, handle a stuck one). */
  advance(row: OutboxRow, now: number): Promise<void>;
}

export class WriteAnswers {
  constructor(
    private readonly ctx: WriterContext,
    private readonly indexer: IndexFollower,
    private readonly finality: FinalityTracker,
    private readonly timing: { writeTimeoutMs: number; pollIntervalMs: number },
    private readonly host: AnswerHost,
  ) {}

  /** The answer of a row found under the request's idempotency key (another request under it: a conflict). */
  async outcomeOf(row: OutboxRow, requestHash: string): Promise<WriteReceipt> {
    if (row.requestHash !== requestHash) throw new IdempotencyConflictError();
    return this.finish(row.id);
  }

  /**
   * Waits until the row is answered: mined or reverted (and, with writeConfirmations N > 0, its
   * receipt seen N blocks deep), or failed. Resolves with its receipt once the indexer has applied
   * its block.
   */
  async finish(id: number, known: Outcome | null = null, trace?: WriteTracer): Promise<WriteReceipt> {
    const deadline = Date.now() + this.timing.writeTimeoutMs;
    const wanted = this.finality.writeConfirmations;
    if (wanted === 0 && known?.status === "mined") {
      await this.indexer.syncTo(known.blockNumber, Math.max(1000, deadline - Date.now()));
      trace?.mark("index");
      return known.receipt;
    }
    if (wanted === 0 && known?.status === "reverted") throw new RevertError(known.error.name, known.error.args, known.message);
    for (;;) {
      const row = await this.ctx.outbox.get(id);
      if (!row) throw new Error(`outbox ${id}: row vanished`);
      const included = row.status === "mined" || row.status === "reverted";
      const confirmations = included ? this.finality.confirmations(row) : null;
      if (included && (wanted === 0 || row.blockHash === null || (confirmations ?? -1) >= wanted)) {
        if (row.status === "reverted") {
          throw new RevertError(row.errorName ?? "TransactionReverted", row.errorArgs ?? [], row.errorMessage ?? undefined);
        }
        if (row.kind === "call" && row.blockNumber !== null) {
          await this.indexer.syncTo(row.blockNumber, Math.max(1000, deadline - Date.now()));
          trace?.mark("index");
        }
        return JSON.parse(row.result ?? "null") as WriteReceipt;
      }
      if (row.status === "failed") throw refusalOf(row);
      if (this.host.stopped()) throw new ChainUnavailableError("relayer stopped; the transaction stays queued", true);
      // Without the background worker, advance the row (and watch its confirmations) here.
      if (!this.host.started() && !this.ctx.busy.active.has(id)) {
        if (included) await this.finality.round();
        else await this.host.advance(row, Date.now());
      }
      if (Date.now() >= deadline) {
        const tx = row.minedHash ?? row.txHashes.at(-1) ?? `#${id}`;
        throw new ChainUnavailableError(
          included
            ? `transaction ${tx} has ${Math.max(0, confirmations ?? 0)} of ${wanted} confirmations yet; it stays watched`
            : `transaction ${tx} not mined yet; it stays queued`,
          true,
        );
      }
      await this.ctx.rows.waitFor(id, Math.min(this.timing.pollIntervalMs, deadline - Date.now()));
    }
  }

  /**
   * Waits, without a deadline, until the row is final: its receipt deep enough that no reorg is
   * expected to undo it (a reorg meanwhile may re-mine it with another outcome). Resolves with its
   * receipt once the index holds its block; rejects with RevertError when it is final reverted,
   * with ChainUnavailableError when the node refused it or the relayer stops (nothing retried).
   * For the batching front's rare paths (BatchTarget.finalOutcome, docs/finality.md).
   */
  async final(id: number): Promise<WriteReceipt> {
    for (;;) {
      const row = await this.ctx.outbox.get(id);
      if (!row) throw new Error(`outbox ${id}: row vanished`);
      const included = row.status === "mined" || row.status === "reverted";
      if (included && row.final) {
        if (row.status === "reverted") {
          throw new RevertError(row.errorName ?? "TransactionReverted", row.errorArgs ?? [], row.errorMessage ?? undefined);
        }
        if (row.kind === "call" && row.blockNumber !== null) await this.indexer.syncTo(row.blockNumber, this.timing.writeTimeoutMs);
        return JSON.parse(row.result ?? "null") as WriteReceipt;
      }
      if (row.status === "failed") throw refusalOf(row);
      if (this.host.stopped()) {
        // Queued: the start-up recovery settles a batch's calls once it is final (writer/batch-recovery.ts).
        throw new ChainUnavailableError(`relayer stopped before transaction #${id} was final; settled once it is final`, true);
      }
      if (!this.host.started() && !this.ctx.busy.active.has(id)) {
        if (included) await this.finality.round();
        else await this.host.advance(row, Date.now());
      }
      await this.ctx.rows.waitFor(id, this.timing.pollIntervalMs);
    }
  }

  /**
   * final(id) within the write timeout, for a write sent from cached gas that reverted without data
   * (ChainWriter.write): its receipt once final, or `again()` (sent again, pre-flighted) when it is
   * final reverted. When the timeout passes first (the retry included), rejects as a write not confirmed in time does
   * (ChainUnavailableError, queued) and goes on in the background: what the final chain says is still
   * carried out, with no one left to answer (docs/finality.md).
   */
  async finalOrAgain(id: number, again: () => Promise<WriteReceipt>): Promise<WriteReceipt> {
    const settled = this.final(id).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const outcome = async (first: { ok: true; value: WriteReceipt } | { ok: false; error: unknown }): Promise<WriteReceipt> => {
      if (first.ok) return first.value;
      // Stopped first (queued: the next start's recovery sends it again, cached-gas-retry.ts), or refused by the node.
      if (!(first.error instanceof RevertError)) throw first.error;
      return again();
    };
    // The deadline covers the retry too (a retry the payer check keeps refusing backs off without end).
    const answered = settled.then(outcome).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), Math.max(0, this.timing.writeTimeoutMs));
    });
    const first = await Promise.race([answered, late]);
    clearTimeout(timer);
    if (first !== null) {
      if (first.ok) return first.value;
      throw first.error;
    }
    void answered.then((last) => {
      if (!last.ok) this.ctx.log.warn({ id, err: last.error instanceof Error ? last.error.message : String(last.error) }, "a write answered as queued (not final in time) failed afterwards");
    });
    throw new ChainUnavailableError(`transaction #${id} not final in time; it stays tracked and is sent again if it is final reverted`, true);
  }
}


/**
 * The receipt's block, when `header` is that block and holds only this transaction (so the
 * receipt's logs are all of the block's), with how to apply it; else null.
 */
export function ownBlockOf(
  receipt: RpcReceipt,
  header: BlockHeader | null,
  indexer: IndexFollower,
  diamond: string,
): { apply: () => Promise<boolean> } | null {
  const apply = indexer.applyOwnBlock?.bind(indexer);
  if (!apply || header === null || header.hash !== receipt.blockHash.toLowerCase()) return null;
  if (header.transactions.length !== 1 || header.transactions[0] !== receipt.transactionHash.toLowerCase()) return null;
  if (header.number !== hexToNumber(receipt.blockNumber, "receipt.blockNumber")) return null;
  return { apply: () => apply(header, decodeLogs(receipt.logs, diamond)) };
}

/**
 * The header of the receipt's block: `latest` (asked for with the broadcast) when it is that block;
 * else, when the index can take a block from a receipt at all, read by the receipt's blockHash
 * (another payer's block was mined between the receipt and `latest`, say), unless `seen` has it. One
 * eth_getBlockByHash instead of an indexer round (eth_blockNumber, eth_getLogs and the headers). Null when the node
 * has no such block any more (a reorg) or cannot be asked: the indexer takes the block.
 */
export async function receiptBlockHeader(
  rpc: RpcLike,
  receipt: RpcReceipt,
  latest: BlockHeader | null,
  indexer: IndexFollower,
  seen: SeenHeaders<BlockHeader>,
): Promise<BlockHeader | null> {
  const hash = receipt.blockHash.toLowerCase();
  if (latest !== null && latest.hash === hash) return latest;
  if (!indexer.applyOwnBlock) return null;
  // Another write's broadcast may have brought it as its latest header (seen-headers.ts).
  const known = seen.get(hash);
  if (known !== null) return known;
  try {
    const header = headerOf(await rpc.send("eth_getBlockByHash", [hash, false]));
    seen.remember(header);
    return header;
  } catch {
    return null;
  }
}
