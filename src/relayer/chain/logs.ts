/**
 * eth_getLogs against providers that cap it: by block range ("block range is too wide", "ranges
 * over 10000 blocks are not supported") or by result count / response size ("query returned more
 * than 10000 results", "Log response size exceeded"). Such a refusal is answered by splitting the
 * range in two and asking for each half (recursively, down to one block), and the span that
 * worked is remembered for the next requests (doubling back towards the configured span after a
 * run of successes), so a capped provider costs one refused request per cap, not one per range.
 * A single block that is still refused is an error for the caller (nothing can be split).
 *
 * Each eth_getLogs goes out in one JSON-RPC batch with eth_blockNumber, so the node that answers
 * the logs also says how far it is: a node behind the range (a lagging one behind a load
 * balancer, or after a failover) clamps it silently, so only the blocks up to its head count as
 * fetched (`to` of the result); the caller fetches the rest later. No block is ever skipped.
 */
import { errorText, hexToNumber, isLogRangeMessage, sendAll, toQuantity, type RpcLike, type RpcLog } from "./rpc";
import type { ChainLogger } from "./log";

/** Whether a provider refused an eth_getLogs for its block range or result count. */
export function isLogRangeError(err: unknown): boolean {
  return isLogRangeMessage(errorText(err));
}

/** Successful requests at the learned span before it doubles again. */
const GROW_AFTER = 8;

export class LogFetcher {
  /** Largest block span asked for in one request now (learned; at most maxSpan). */
  span: number;
  private successes = 0;
  /** Requests refused for their range / result count (and split). */
  splits = 0;

  constructor(
    private readonly rpc: RpcLike,
    private readonly address: string,
    private readonly maxSpan: number,
    private readonly log?: ChainLogger,
  ) {
    this.span = Math.max(1, maxSpan);
  }

  /**
   * Every log of `address` in blocks [from, result.to], in chain order; result.to < to when the
   * answering node has not reached `to` yet (from - 1: none of the range).
   */
  async fetch(from: number, to: number): Promise<{ logs: RpcLog[]; to: number }> {
    const out: RpcLog[] = [];
    for (let start = from; start <= to; ) {
      const end = Math.min(to, start + this.span - 1);
      const got = await this.range(start, end);
      out.push(...got.logs);
      if (got.to < end) return { logs: out, to: got.to };
      start = end + 1;
    }
    return { logs: out, to };
  }

  private async range(from: number, to: number): Promise<{ logs: RpcLog[]; to: number }> {
    const [h, l] = await sendAll(this.rpc, [
      { method: "eth_blockNumber", params: [] },
      { method: "eth_getLogs", params: [{ address: this.address, fromBlock: toQuantity(from), toBlock: toQuantity(to) }] },
    ]);
    if (!h.ok) throw h.error;
    const head = hexToNumber(h.result, "eth_blockNumber");
    if (head < from) return { logs: [], to: from - 1 };
    if (l.ok) {
      if (++this.successes >= GROW_AFTER && this.span < this.maxSpan) {
        this.successes = 0;
        this.span = Math.min(this.maxSpan, this.span * 2);
      }
      const covered = Math.min(to, head);
      const logs = (l.result as RpcLog[]).filter((log) => hexToNumber(log.blockNumber, "log.blockNumber") <= covered);
      return { logs, to: covered };
    }
    const err = l.error;
    // A node behind `to` that refuses a range past its head ("extends beyond current head"):
    // ask it for what it has.
    if (head < to && !isLogRangeError(err)) return this.range(from, head);
    if (from >= to || !isLogRangeError(err)) throw err;
    this.splits++;
    this.successes = 0;
    const mid = from + Math.floor((to - from) / 2);
    const half = mid - from + 1;
    if (half < this.span) {
      this.span = half;
      this.log?.warn({ from, to, span: half, err: errorText(err) }, "eth_getLogs refused for its range; splitting");
    }
    const left = await this.range(from, mid);
    if (left.to < mid) return left;
    const right = await this.range(mid + 1, to);
    return { logs: [...left.logs, ...right.logs], to: right.to };
  }
}
