/**
 * The durability step of a SQLite commit (docs/relayer-latency.md, "The SQLite commit off the
 * event loop"). The connection runs in WAL mode with `synchronous = NORMAL`: a COMMIT appends its
 * frames to the `-wal` file without waiting for the disk; `WalSync.sync()` then makes them durable
 * with an fdatasync of the `-wal` file: inline on the event loop (fs.fdatasyncSync) while inline
 * syncs are fast and answer sooner than the thread pool's round trip and the wait for the loop
 * after it; on libuv's thread pool when they are not, so a slow disk does not stall HTTP, receipts
 * and signing. wal-sync-placement.ts decides from the measured durations of both (same document,
 * "Ninth pass: the WAL sync inline while it is fast"). Either way `sync()` settles only once the
 * sync completed, and a failed sync rejects it. A commit is durable once its frames are on
 * disk: SQLite's recovery replays every WAL frame up to the last valid commit frame, and the WAL
 * header is synced by SQLite itself when the WAL is (re)started, also with NORMAL. The checkpoint
 * thread (wal-checkpointer.ts) copies frames but never restarts the WAL: only the store's own next
 * write does, under the lock held until this sync is done.
 */
import fs from "fs";
import { performance } from "perf_hooks";
import { LazyReadOnlyFile } from "./lazy-file";
import { DEFAULT_INLINE_SYNC_BELOW_MS, WalSyncPlacement, type SyncPlace } from "./wal-sync-placement";

/** Flushes an open file's data to disk (fs.fdatasync by default; a seam for tests). */
export type FileSync = (fd: number) => Promise<void>;

export const fdatasync: FileSync = (fd) =>
  new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));

/** Flushes an open file's data to disk on the calling thread (fs.fdatasyncSync by default; a seam for tests). */
export type FileSyncInline = (fd: number) => void;

export interface WalSyncOptions {
  /** The thread-pool sync (default fs.fdatasync); a seam for tests. */
  syncFile?: FileSync;
  /**
   * The inline sync (default fs.fdatasyncSync); a seam for tests. When `syncFile` is given and this
   * is not, syncs never run inline (the tests of the pool path keep testing it).
   */
  syncInline?: FileSyncInline;
  /**
   * Inline while the EWMA of inline sync durations stays at or below this (ms; default 2) and at or
   * below the pool's; 0 = never inline.
   */
  inlineBelowMs?: number;
  /** Milliseconds clock timing the syncs (default performance.now); a seam for tests. */
  now?: () => number;
}

/** Where the syncs of a WalSync ran; for tests and diagnostics. */
export interface WalSyncStatus {
  place: SyncPlace;
  inlineSyncs: number;
  poolSyncs: number;
  probes: number;
  inlineEwmaMs: number | null;
  poolEwmaMs: number | null;
}

export class WalSync {
  private readonly wal: LazyReadOnlyFile;
  private readonly syncFile: FileSync;
  private readonly syncInline: FileSyncInline;
  private readonly now: () => number;
  private readonly placement: WalSyncPlacement;

  constructor(
    /** The database's `-wal` file. */
    readonly walFile: string,
    options: WalSyncOptions = {},
  ) {
    this.wal = new LazyReadOnlyFile(walFile);
    this.syncFile = options.syncFile ?? fdatasync;
    this.syncInline = options.syncInline ?? fs.fdatasyncSync;
    this.now = options.now ?? (() => performance.now());
    const neverInline = options.syncFile !== undefined && options.syncInline === undefined;
    this.placement = new WalSyncPlacement(neverInline ? 0 : options.inlineBelowMs ?? DEFAULT_INLINE_SYNC_BELOW_MS);
  }

  /**
   * Makes every commit made so far on the connection durable. The caller holds the connection's
   * lock, so no statement runs on it meanwhile. No `-wal` file yet means nothing was ever
   * committed through the WAL (the database file is synced by SQLite itself), so nothing to sync.
   * Inline or on the pool, the returned promise settles after the sync completed; a failed sync
   * (either) rejects it.
   */
  async sync(): Promise<void> {
    const fd = this.wal.descriptor(); // opened at the first sync and kept; null while there is no -wal file yet
    if (fd === null) return;
    const start = this.now();
    if (this.placement.next() === "inline") {
      this.syncInline(fd);
      this.placement.inlineDone(this.now() - start);
      return;
    }
    await this.syncFile(fd);
    this.placement.poolDone(this.now() - start);
  }

  /** Where syncs run now and how many ran where. */
  status(): WalSyncStatus {
    const p = this.placement;
    return { place: p.place, inlineSyncs: p.counts.inline, poolSyncs: p.counts.pool, probes: p.counts.probes, inlineEwmaMs: p.inlineEwmaMs, poolEwmaMs: p.poolEwmaMs };
  }

  /** Closes the file descriptor (after the connection is closed). */
  close(): void {
    this.wal.close();
  }
}
