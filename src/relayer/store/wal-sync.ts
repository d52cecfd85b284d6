/**
 * The durability step of a SQLite commit, off the event loop (docs/relayer-latency.md, "The SQLite
 * commit off the event loop"). The connection runs in WAL mode with `synchronous = NORMAL`: a
 * COMMIT appends its frames to the `-wal` file without waiting for the disk; `WalSync.sync()` then
 * makes them durable with an fdatasync of the `-wal` file on libuv's thread pool, so the event loop
 * keeps serving HTTP, receipts and signing meanwhile. A commit is durable once its frames are on
 * disk: SQLite's recovery replays every WAL frame up to the last valid commit frame, and the WAL
 * header is synced by SQLite itself when the WAL is (re)started, also with NORMAL. The checkpoint
 * thread (wal-checkpointer.ts) copies frames but never restarts the WAL: only the store's own next
 * write does, under the lock held until this sync is done.
 */
import fs from "fs";

/** Flushes an open file's data to disk (fs.fdatasync by default; a seam for tests). */
export type FileSync = (fd: number) => Promise<void>;

export const fdatasync: FileSync = (fd) =>
  new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));

const openForSync = (file: string): Promise<number> =>
  new Promise((resolve, reject) => fs.open(file, "r", (err, fd) => (err ? reject(err) : resolve(fd))));

export class WalSync {
  private fd: number | null = null;

  constructor(
    /** The database's `-wal` file. */
    readonly walFile: string,
    private readonly syncFile: FileSync = fdatasync,
  ) {}

  /**
   * Makes every commit made so far on the connection durable. The caller holds the connection's
   * lock, so no statement runs on it meanwhile. No `-wal` file yet means nothing was ever
   * committed through the WAL (the database file is synced by SQLite itself), so nothing to sync.
   */
  async sync(): Promise<void> {
    if (this.fd === null) {
      try {
        this.fd = await openForSync(this.walFile);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
        throw err;
      }
    }
    await this.syncFile(this.fd);
  }

  /** Closes the file descriptor (after the connection is closed). */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
  }
}
