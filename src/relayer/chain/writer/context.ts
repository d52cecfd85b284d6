/**
 * What every stage of the writer shares: the RPC, the outbox port, the diamond, the logger, and
 * two small in-process registries: which rows a stage of this instance is handling right now (the
 * worker leaves them alone), and who waits for a row to change (write() callers).
 */
import type { OutboxPort } from "../../ports";
import type { ChainLogger } from "../log";
import type { RpcLike } from "../rpc";

/** Waiters per outbox row id: `waitFor` sleeps until `notify(id)` or the timeout. */
export class RowEvents {
  private readonly waiters = new Map<number, Set<() => void>>();

  waitFor(id: number, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(id);
      if (!set) {
        set = new Set();
        this.waiters.set(id, set);
      }
      const s = set;
      const done = (): void => {
        clearTimeout(t);
        s.delete(done);
        if (s.size === 0) this.waiters.delete(id);
        resolve();
      };
      const t = setTimeout(done, Math.max(1, ms));
      s.add(done);
    });
  }

  notify(id: number): void {
    const set = this.waiters.get(id);
    if (set) for (const f of [...set]) f();
  }

  /** Wakes every waiter (stop()). */
  notifyAll(): void {
    for (const id of [...this.waiters.keys()]) this.notify(id);
  }
}

/** Rows a stage of this instance is working on; the worker's round skips them. */
export class BusyRows {
  /** Being signed / broadcast by write() or submit(). */
  readonly active = new Set<number>();
  /** Their receipt was found and is being recorded. */
  readonly recording = new Set<number>();

  has(id: number): boolean {
    return this.active.has(id) || this.recording.has(id);
  }
}

export interface WriterContext {
  readonly rpc: RpcLike;
  readonly outbox: OutboxPort;
  /** The diamond's address, lowercase. */
  readonly diamond: string;
  readonly log: ChainLogger;
  readonly rows: RowEvents;
  readonly busy: BusyRows;
}

export const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;
export const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);
