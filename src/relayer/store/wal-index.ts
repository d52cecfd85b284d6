/**
 * How far a SQLite WAL has grown and how much of it is checkpointed, read from its wal-index (the
 * `-shm` file) without a database connection: one 100-byte pread, cheap enough to run after every
 * commit on the event loop. The layout is SQLite's documented wal-index format (native byte order):
 * the header's `mxFrame` (last valid frame of the WAL) at offset 16, and the checkpoint
 * information's `nBackfill` (frames already copied into the database file) at offset 96, right
 * after the header's two 48-byte copies. The two are read without SQLite's locks, so a figure may
 * be one commit old: it is used to decide when to checkpoint, never for durability
 * (docs/relayer-latency.md, "SQLite's checkpoints off the event loop").
 */
import fs from "fs";
import { LazyReadOnlyFile } from "./lazy-file";

export interface WalIndexState {
  /** Frames in the WAL (since it last restarted from its start). */
  frames: number;
  /** Of those, frames already copied into the database file by a checkpoint. */
  backfilled: number;
}

const MX_FRAME = 16 / 4;
const N_BACKFILL = 96 / 4;
const READ_BYTES = 100;

export class WalIndexReader {
  private readonly shm: LazyReadOnlyFile;
  private readonly buf = new Uint32Array(READ_BYTES / 4 + 1);

  constructor(
    /** The database's `-shm` file. */
    readonly shmFile: string,
  ) {
    this.shm = new LazyReadOnlyFile(shmFile);
  }

  /** The WAL's state, or null while there is no wal-index yet (nothing written since the open). */
  read(): WalIndexState | null {
    const fd = this.shm.descriptor();
    if (fd === null) return null;
    const bytes = new Uint8Array(this.buf.buffer, 0, READ_BYTES);
    if (fs.readSync(fd, bytes, 0, READ_BYTES, 0) < READ_BYTES) return null;
    return { frames: this.buf[MX_FRAME], backfilled: this.buf[N_BACKFILL] };
  }

  close(): void {
    this.shm.close();
  }
}
