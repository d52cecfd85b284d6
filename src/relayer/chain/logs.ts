/**
 * eth_getLogs against providers that cap it: by block range ("block range is too wide", "ranges
 * over 10000 blocks are not supported") or by result count / response size ("query returned more
 * than 10000 results", "Log response size exceeded"). Such a refusal is answered by splitting the
 * range in two and asking for each half (recursively, down to one block), and the span that
 * worked is remembered for the next requests (doubling back towards the configured span after a
 * run of successes), so a capped provider costs one refused request per cap, not one per range.
 * A single block that is still refused is an error for the caller (nothing can be split).
 */
import { errorText, isLogRangeMessage, toQuantity, type RpcLike, type RpcLog } from "./rpc";
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

  /** Every log of `address` in blocks [from, to], in chain order. */
  async fetch(from: number, to: number): Promise<RpcLog[]> {
    const out: RpcLog[] = [];
    for (let start = from; start <= to; ) {
      const end = Math.min(to, start + this.span - 1);
      out.push(...(await this.range(start, end)));
      start = end + 1;
    }
    return out;
  }

  private async range(from: number, to: number): Promise<RpcLog[]> {
    try {
      const logs = (await this.rpc.send("eth_getLogs", [
        { address: this.address, fromBlock: toQuantity(from), toBlock: toQuantity(to) },
      ])) as RpcLog[];
      if (++this.successes >= GROW_AFTER && this.span < this.maxSpan) {
        this.successes = 0;
        this.span = Math.min(this.maxSpan, this.span * 2);
      }
      return logs;
    } catch (err) {
      if (from >= to || !isLogRangeError(err)) throw err;
      this.splits++;
      this.successes = 0;
      const mid = from + Math.floor((to - from) / 2);
      const half = mid - from + 1;
      if (half < this.span) {
        this.span = half;
        this.log?.warn({ from, to, span: half, err: errorText(err) }, "eth_getLogs refused for its range; splitting");
      }
      return [...(await this.range(from, mid)), ...(await this.range(mid + 1, to))];
    }
  }
}
