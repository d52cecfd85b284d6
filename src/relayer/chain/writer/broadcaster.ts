/**
 * Broadcaster: sends a row's latest signed attempt (eth_sendRawTransaction) and records what the
 * node said. Per payer, broadcasts leave one at a time in the order they were queued; a freshly
 * signed row is queued while the payer's nonce lock is held, so they leave in nonce order (a node
 * on automine refuses a nonce above the next one) while the next row is already being signed.
 *
 * Outcomes: ok (accepted, or the node already had it) -> sent; transport / retry -> left as is
 * (the worker retries); nonce too low -> one of our attempts may be mined (the receipt check
 * settles it) or a foreign transaction took the nonce (the stuck handler re-queues it); failed
 * (rejected for good, also too large for the node: node-limits.ts) -> failed, and a filler takes
 * over the nonce.
 */
import type { OutboxRow } from "../../ports";
import { Mutex } from "../../../core/mutex";
import { errorText, isTransportError, revertDataOf, sendAll, type RpcCall, type RpcLike, type RpcReceipt, type RpcSettled } from "../rpc";
import type { WriterContext } from "./context";
import { nodeLimitOf } from "./node-limits";
import type { ReceiptTracker } from "./receipts";
import { SeenHeaders } from "./seen-headers";

export type BroadcastOutcome = "ok" | "transport" | "retry" | "nonce-too-low" | "failed";

export interface BroadcastResult {
  outcome: BroadcastOutcome;
  message: string;
  /** The receipt, when asked for in the same round trip and already there. */
  receipt: RpcReceipt | null;
  /**
   * The latest block's header, asked for right behind the receipt (null when not asked or not
   * answered; also without the receipt): when it is the receipt's block and holds only this
   * transaction, the index can take the block from the receipt (chain/own-blocks.ts).
   */
  latest: BlockHeader | null;
}

/** What the writer keeps of a block header. */
export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  transactions: string[];
}

/** A block header from an eth_getBlockByNumber / eth_getBlockByHash result (null: none, or not one). */
export function headerOf(result: unknown): BlockHeader | null {
  const b = result as { number?: unknown; hash?: unknown; parentHash?: unknown; transactions?: unknown } | null;
  if (!b || typeof b.hash !== "string" || typeof b.parentHash !== "string" || !Array.isArray(b.transactions)) return null;
  if (typeof b.number !== "string" || !/^0x[0-9a-fA-F]+$/.test(b.number)) return null;
  const transactions = b.transactions.filter((t): t is string => typeof t === "string").map((t) => t.toLowerCase());
  if (transactions.length !== b.transactions.length) return null;
  return { number: Number(BigInt(b.number)), hash: b.hash.toLowerCase(), parentHash: b.parentHash.toLowerCase(), transactions };
}

export interface BroadcasterHooks {
  /** The node said the payer cannot pay for the transaction. */
  insufficientFunds(payer: string): void;
}

export class Broadcaster {
  /** Per payer: broadcasts, one at a time in nonce order (queue). */
  private readonly senders = new Map<string, Mutex>();
  /** Whether write() asks for the receipt in the broadcast's own round trip. */
  readonly eagerReceipts = new EagerReceipts();
  /** The latest headers the broadcasts brought (and the writer read since), by hash (seen-headers.ts). */
  readonly headers = new SeenHeaders<BlockHeader>();

  constructor(
    private readonly ctx: WriterContext,
    private readonly receipts: ReceiptTracker,
    private readonly hooks: BroadcasterHooks,
  ) {}

  /** Queues the broadcast of `row` behind the payer's earlier ones (see the file comment). */
  queue(row: OutboxRow, markSent = true, withReceipt = false): Promise<BroadcastResult> {
    let m = this.senders.get(row.payer);
    if (!m) {
      m = new Mutex();
      this.senders.set(row.payer, m);
    }
    const sending = m.run(() => this.broadcast(row, markSent, withReceipt));
    sending.catch(() => undefined); // awaited by the caller; never an unhandled rejection meanwhile
    return sending;
  }

  /**
   * Broadcasts the row's latest signed attempt and records the outcome (an accepted one as sent,
   * unless `markSent` is false: write() first looks for the receipt, which usually makes it mined).
   * `withReceipt`: the receipt is asked for in the same JSON-RPC batch, right behind the broadcast
   * (found at once on a node that mines on submission, e.g. Hardhat or Anvil automine; else null).
   */
  async broadcast(row: OutboxRow, markSent = true, withReceipt = false): Promise<BroadcastResult> {
    const { ctx } = this;
    if (!row.rawTx) return { outcome: "retry", message: "no signed transaction", receipt: null, latest: null };
    let outcome: BroadcastOutcome;
    let message = "";
    let receipt: RpcReceipt | null = null;
    let latest: BlockHeader | null = null;
    try {
      if (withReceipt) {
        const [sent, mined, head] = await inOrder(ctx.rpc, [
          { method: "eth_sendRawTransaction", params: [row.rawTx] },
          { method: "eth_getTransactionReceipt", params: [row.txHashes.at(-1)] },
          { method: "eth_getBlockByNumber", params: ["latest", false] },
        ]);
        // (Hardhat automine also mines a reverting transaction and then answers with an error.)
        receipt = mined.ok ? ((mined.result as RpcReceipt | null) ?? null) : null;
        // Kept without the receipt too: read after the mining, it may be the transaction's block
        // (receipt-again.ts).
        latest = head.ok ? headerOf(head.result) : null;
        this.headers.remember(latest);
        if (!sent.ok) throw sent.error;
      } else {
        await ctx.rpc.send("eth_sendRawTransaction", [row.rawTx]);
      }
      outcome = "ok";
    } catch (err) {
      message = errorText(err);
      outcome = classifyBroadcastError(err, message);
    }
    switch (outcome) {
      case "ok":
        if (markSent && (await ctx.outbox.markSent(row.id, row.attempts))) ctx.rows.notify(row.id);
        break;
      case "transport":
      case "retry":
        await ctx.outbox.touch(row.id);
        ctx.log.warn({ id: row.id, nonce: row.nonce, payer: row.payer, err: message }, "broadcast failed; will retry");
        if (INSUFFICIENT_FUNDS.test(message)) this.hooks.insufficientFunds(row.payer);
        break;
      case "nonce-too-low":
        // One of our attempts may be mined (the receipt check settles it), or a foreign transaction
        // took the nonce (handled as stuck: re-queued with a new nonce).
        if (!(await this.receipts.check(row))) await ctx.outbox.markSent(row.id, row.attempts);
        break;
      case "failed":
        ctx.log.error({ id: row.id, nonce: row.nonce, payer: row.payer, err: message }, "transaction rejected by the node");
        if (await ctx.outbox.markFailed(row.id, message, row.attempts)) ctx.rows.notify(row.id);
        break;
    }
    return { outcome, message, receipt, latest };
  }
}

/**
 * The calls answered in order: one JSON-RPC batch (a node runs its entries one after another),
 * or, for a provider without batches, one call after the other (sent side by side, the receipt
 * could be looked up before the transaction is in).
 */
async function inOrder(rpc: RpcLike, calls: readonly RpcCall[]): Promise<RpcSettled[]> {
  if (typeof rpc.sendBatch === "function") return sendAll(rpc, calls);
  const out: RpcSettled[] = [];
  for (const call of calls) out.push(...(await sendAll(rpc, [call])));
  return out;
}

/**
 * Whether write() asks for the receipt in the broadcast's own round trip: worth it while the node
 * answers it (one that mines on submission); after 16 misses in a row it pauses for 256 writes,
 * then tries again (so a node with real block times costs 16 extra calls per 272 writes, 6 %).
 */
export class EagerReceipts {
  private misses = 0;
  private pause = 0;

  use(): boolean {
    if (this.pause === 0) return true;
    this.pause--;
    return false;
  }

  record(hit: boolean): void {
    if (hit) {
      this.misses = 0;
    } else if (++this.misses >= 16) {
      this.misses = 0;
      this.pause = 256;
    }
  }
}

/**
 * The node's "the sender cannot pay": geth/reth/erigon "insufficient funds for gas * price +
 * value", Hardhat/EDR "Sender doesn't have enough funds to send tx".
 */
const INSUFFICIENT_FUNDS = /insufficient funds|doesn't have enough funds|not enough funds/i;

/** What a broadcast error means for the row (see BroadcastOutcome). */
export function classifyBroadcastError(err: unknown, message: string): BroadcastOutcome {
  if (/already known|known transaction|already imported|AlreadyKnown/i.test(message)) return "ok";
  // Hardhat's automine mines a reverting transaction and then throws: it is on chain.
  const o = err as { transactionHash?: unknown };
  if (typeof o?.transactionHash === "string" || (/VM Exception|reverted/i.test(message) && revertDataOf(err) !== null)) {
    return "ok";
  }
  if (isTransportError(err)) return "transport";
  if (/nonce too low|nonce has already been used|NONCE_EXPIRED|OldNonce/i.test(message)) return "nonce-too-low";
  // Too large for the node (size or gas cap): refused for good, whatever else the text says.
  if (nodeLimitOf(message) !== null) return "failed";
  if (
    /nonce too high|NonceTooHigh|underpriced|insufficient funds|fee cap|txpool is full|queued|gapped|temporar|try again|rate limit/i.test(
      message,
    )
  ) {
    return "retry";
  }
  if (/intrinsic gas|invalid sender|invalid signature|chain ?id/i.test(message)) {
    return "failed";
  }
  return "retry";
}
