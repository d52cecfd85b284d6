/**
 * How the indexer (indexer.ts) reads and applies a range of blocks: blocks older than the reorg
 * window from eth_getLogs alone, several per transaction and without a journal; blocks inside the
 * window with their headers, each checked against its parent and journaled with its hash
 * (docs/finality.md, "The index on a reorg"). Which blocks to read, and what to do on a fork, is
 * the indexer's.
 */
import type { DecodedEvent, IndexPort, OldBlock, TxOptions } from "../ports";

import { decodeLogs } from "./abi";
import { hexToNumber, sendAll, type RpcCall, type RpcLike, type RpcLog } from "./rpc";
import type { LogFetcher } from "./logs";
import { headerCall, parseHeader, type Header } from "./block-headers";

/** The chain changed while a round read it (a reorg under way): the next round looks again. */
export class ChainMovedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChainMovedError";
  }
}

/**
 * Events applied per transaction when catching up on blocks older than the reorg window: large
 * enough that commits and statements are few, small enough that the transaction (which holds the
 * SQLite write lock) stays short next to the writes the relayer serves meanwhile.
 */
const OLD_TX_EVENTS = 2000;

export class BlockApplier {
  constructor(
    private readonly rpc: RpcLike,
    private readonly index: IndexPort,
    private readonly logs: LogFetcher,
    private readonly diamond: string,
    private readonly commit: TxOptions,
    /** Called with each kept block's number and hash just before it is applied. */
    private readonly beforeApply: (number: number, hash: string) => void,
  ) {}

  /** Blocks older than the window: logs only, no journal; blocks without logs only move the cursor. */
  async applyOld(from: number, to: number): Promise<number> {
    // Up to the block the answering node has (a lagging one clamps the range: LogFetcher).
    const got = await this.logs.fetch(from, to);
    if (got.to < from) return from - 1;
    const byBlock = new Map<number, { hash: string; logs: RpcLog[] }>();
    for (const log of got.logs) {
      if (log.removed === true) continue;
      const n = hexToNumber(log.blockNumber, "log.blockNumber");
      if (n > got.to) continue;
      let entry = byBlock.get(n);
      if (!entry) {
        entry = { hash: log.blockHash, logs: [] };
        byBlock.set(n, entry);
      }
      entry.logs.push(log);
    }
    // Several blocks per transaction (one commit per OLD_TX_EVENTS events or so; a block is never
    // split). A run holds every block with events after `after`: refused as a gap when another
    // indexer sharing the database undid the index below it meanwhile (OldRunOptions).
    let run: OldBlock[] = [];
    let events = 0;
    let after = from - 1;
    const apply = async (): Promise<void> => {
      if ((await this.index.projection.applyOldBlocks(run, { ...this.commit, after })) === "gap") {
        throw new ChainMovedError(`blocks after ${after}: the index moved meanwhile`);
      }
      after = run[run.length - 1].number;
      run = [];
      events = 0;
    };
    for (const n of [...byBlock.keys()].sort((a, b) => a - b)) {
      const entry = byBlock.get(n);
      if (!entry) continue;
      run.push({ number: n, hash: entry.hash, events: this.decode(entry.logs) });
      events += entry.logs.length;
      if (events >= OLD_TX_EVENTS) await apply();
    }
    if (run.length > 0) await apply();
    await this.index.projection.advanceCursor(got.to, null, { ...this.commit, after });
    return got.to;
  }

  /** Headers and logs of [from, to] (inside the window), cut at the first block the node lacks. */
  async readKept(from: number, to: number): Promise<{ headers: Header[]; logs: RpcLog[] }> {
    const calls: RpcCall[] = [];
    for (let n = from; n <= to; n++) calls.push(headerCall(n));
    const [results, got] = await Promise.all([sendAll(this.rpc, calls), this.logs.fetch(from, to)]);
    const headers: Header[] = [];
    for (let n = from; n <= Math.min(to, got.to); n++) {
      const hdr = parseHeader(results[n - from], n);
      if (hdr === null) break;
      headers.push(hdr);
    }
    return { headers, logs: got.logs };
  }

  /**
   * Applies consecutive kept blocks (inside the window) with their hashes: each block's parent must
   * be the block before it (the first one's, the cursor's `cursorHash` when known), each log must
   * carry its block's hash. "fork" when the first block does not follow the cursor's block.
   */
  async applyKept(cursorHash: string | null, headers: readonly Header[], logs: readonly RpcLog[]): Promise<"ok" | "fork"> {
    const byBlock = new Map<number, RpcLog[]>();
    for (const log of logs) {
      if (log.removed === true) continue;
      const n = hexToNumber(log.blockNumber, "log.blockNumber");
      const list = byBlock.get(n) ?? [];
      list.push(log);
      byBlock.set(n, list);
    }
    let parent = cursorHash;
    for (const [i, hdr] of headers.entries()) {
      if (parent !== null && hdr.parentHash !== parent) {
        if (i === 0) return "fork";
        throw new ChainMovedError(`block ${hdr.number} does not follow block ${hdr.number - 1} as read: the chain moved`);
      }
      const blockLogs = byBlock.get(hdr.number) ?? [];
      if (blockLogs.some((l) => l.blockHash.toLowerCase() !== hdr.hash)) {
        throw new ChainMovedError(`the logs of block ${hdr.number} are of another block than its header: the chain moved`);
      }
      this.beforeApply(hdr.number, hdr.hash);
      const outcome = await this.index.projection.applyBlock(
        hdr.number,
        hdr.hash,
        hdr.parentHash,
        this.decode(blockLogs),
        { ...this.commit, journal: true },
      );
      if (outcome === "fork") return i === 0 ? "fork" : Promise.reject(new ChainMovedError(`block ${hdr.number}: the chain moved`));
      if (outcome === "gap") throw new ChainMovedError(`block ${hdr.number}: the index moved meanwhile`);
      parent = hdr.hash;
    }
    return "ok";
  }

  decode(logs: RpcLog[]): DecodedEvent[] {
    logs.sort((a, b) => hexToNumber(a.logIndex, "logIndex") - hexToNumber(b.logIndex, "logIndex"));
    return decodeLogs(logs, this.diamond);
  }
}
