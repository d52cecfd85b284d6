/**
 * A file opened read-only at its first use and kept open: the SQLite store's `-wal` and `-shm`
 * files, which appear only after the first write (docs/relayer-latency.md, "SQLite's checkpoints
 * off the event loop").
 */
import fs from "fs";

export class LazyReadOnlyFile {
  private fd: number | null = null;

  constructor(readonly path: string) {}

  /** The file's descriptor, opened now if it is not yet; null while the file does not exist. */
  descriptor(): number | null {
    if (this.fd === null) {
      try {
        this.fd = fs.openSync(this.path, "r");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    }
    return this.fd;
  }

  /** Closes the descriptor, if open (an error closing it is ignored: it is gone either way). */
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
