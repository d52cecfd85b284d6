/**
 * The fresh-index gate (docs/finality.md, "Answers that follow the chain"): before an answer that
 * depends on state a wallet can change on-chain without the relayer (a ChainSecured account's
 * existence and admin, its wallet registrations, groups and keys), the request reads the chain
 * head and, when the index is behind it, has the indexer catch up to that head now (Indexer.syncTo
 * runs a catch-up round at once rather than waiting for the poll interval), within a bound. Past
 * the bound it fails with StaleIndexError (503 IndexBehindHead + Retry-After): never an answer
 * from the last poll.
 *
 * The head is read with one eth_blockNumber shared by concurrent requests. A request may only
 * share a read that STARTED after the request did: a read already in flight when it arrives may
 * have been answered before a block the client already saw mined, so such a request waits for the
 * next read, which starts as soon as the one in flight settles and serves every request that
 * arrived meanwhile. So at most one read is in flight and one queued, whatever the load, and a
 * request waits at most two round trips for its head.
 *
 * The target is the head itself (`latest`), not head minus CONFIRMATION_DEPTH: the indexer applies
 * blocks as soon as they exist and follows a reorg inside its window (CONFIRMATION_DEPTH only says
 * when the writer stops watching its own writes), so the index can always reach the head, and an
 * answer as of the head is what the client has just seen mined.
 */
import { ChainUnavailableError, StaleIndexError, type FreshIndex } from "../ports";
import { errorText, hexToNumber, type RpcLike } from "./rpc";

/** What the gate needs of the indexer (chain/indexer.ts Indexer). */
export interface HeadFollower {
  /** Resolves once every block up to `block` is applied (catching up now); rejects after `timeoutMs`. */
  syncTo(block: number, timeoutMs: number): Promise<void>;
  status(): { indexedBlock: number };
}

export interface FreshIndexOptions {
  /** How long a request may wait for the head and for the index to reach it (FRESH_READ_TIMEOUT_MS); default 3000. */
  timeoutMs?: number;
  /** Retry-After of the 503 when the bound is exceeded, in seconds; default 1. */
  retryAfterSeconds?: number;
}

/** Counters for metrics and tests. */
export interface FreshIndexStats {
  /** ensureFresh calls. */
  checks: number;
  /** eth_blockNumber calls made (shared by concurrent checks). */
  headReads: number;
  /** Checks that found the index behind the head and waited for it. */
  waits: number;
  /** Checks that failed (StaleIndexError). */
  failures: number;
}

export const DEFAULT_FRESH_READ_TIMEOUT_MS = 3000;

export class FreshIndexGate implements FreshIndex {
  private readonly timeoutMs: number;
  private readonly retryAfterSeconds: number;
  /** The head read in flight, if any. */
  private current: Promise<number> | null = null;
  /** The read that starts once `current` settles (shared by every request that arrived meanwhile). */
  private next: Promise<number> | null = null;
  private readonly counters: FreshIndexStats = { checks: 0, headReads: 0, waits: 0, failures: 0 };

  constructor(
    private readonly rpc: RpcLike,
    private readonly follower: HeadFollower,
    opts: FreshIndexOptions = {},
  ) {
    this.timeoutMs = Math.max(0, opts.timeoutMs ?? DEFAULT_FRESH_READ_TIMEOUT_MS);
    this.retryAfterSeconds = Math.max(1, Math.ceil(opts.retryAfterSeconds ?? 1));
  }

  stats(): FreshIndexStats {
    return { ...this.counters };
  }

  async ensureFresh(): Promise<void> {
    this.counters.checks++;
    const deadline = Date.now() + this.timeoutMs;
    let head: number;
    try {
      head = await within(this.head(), this.timeoutMs);
    } catch (err) {
      throw this.fail(`the chain head could not be read within ${this.timeoutMs} ms: ${describe(err)}`, null);
    }
    if (this.follower.status().indexedBlock >= head) return;
    this.counters.waits++;
    const left = Math.max(0, deadline - Date.now());
    try {
      await within(this.follower.syncTo(head, left), left);
    } catch (err) {
      throw this.fail(
        `the index has not reached the chain head (block ${head}) within ${this.timeoutMs} ms` +
          (err instanceof TimeoutError ? "" : `: ${describe(err)}`),
        head,
      );
    }
  }

  /** A head read that started no earlier than this call. */
  private head(): Promise<number> {
    if (this.current === null) return this.startRead();
    if (this.next === null) {
      const after = this.current.then(
        () => undefined,
        () => undefined,
      );
      this.next = after.then(() => {
        this.next = null;
        return this.startRead();
      });
    }
    return this.next;
  }

  private startRead(): Promise<number> {
    this.counters.headReads++;
    // Bounded itself, so that a read that hangs never holds up the reads queued behind it.
    const read = within(this.rpc.send("eth_blockNumber", []), Math.max(1, this.timeoutMs))
      .then((r) => hexToNumber(r, "eth_blockNumber"))
      .finally(() => {
        if (this.current === read) this.current = null;
      });
    this.current = read;
    return read;
  }

  private fail(message: string, head: number | null): StaleIndexError {
    this.counters.failures++;
    return new StaleIndexError(message, head, this.follower.status().indexedBlock, this.retryAfterSeconds);
  }
}

class TimeoutError extends Error {}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

function describe(err: unknown): string {
  if (err instanceof ChainUnavailableError || err instanceof TimeoutError) return err.message;
  return errorText(err) || String(err);
}
