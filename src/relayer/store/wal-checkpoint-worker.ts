/**
 * The checkpoint thread of a SQLite store (wal-checkpointer.ts starts it; docs/relayer-latency.md,
 * "SQLite's checkpoints off the event loop"). It holds its own connection to the database file and
 * runs `PRAGMA wal_checkpoint(PASSIVE)` when the store asks: the copy of WAL frames into the
 * database file and its fsync happen on this thread, not on the relayer's event loop. PASSIVE never
 * takes the writer lock and never waits, so the store's writes go on meanwhile. The connection
 * runs with synchronous = NORMAL, set here: at any level but OFF a checkpoint syncs the WAL before
 * copying and the database file before recording the frames as copied.
 *
 * Loaded only as a worker thread; it imports nothing of the project (wal-checkpointer.ts hands it
 * to the thread as one file).
 */
import { parentPort, workerData } from "worker_threads";
import Database from "better-sqlite3";
import type { CheckpointWorkerData, FromCheckpointWorker, ToCheckpointWorker } from "./wal-checkpoint-protocol";

if (parentPort === null) throw new Error("wal-checkpoint-worker runs as a worker thread");
const port = parentPort;
const { file } = workerData as CheckpointWorkerData;
const db = new Database(file, { fileMustExist: true });
db.pragma("synchronous = NORMAL");

const send = (m: FromCheckpointWorker): void => port.postMessage(m);

function checkpoint(id: number): void {
  send({ type: "started", id });
  const started = Date.now();
  const [row] = db.pragma("wal_checkpoint(PASSIVE)") as { busy: number; log: number; checkpointed: number }[];
  send({ type: "checkpointed", id, busy: row.busy !== 0, log: row.log, checkpointed: row.checkpointed, ms: Date.now() - started });
}

port.on("message", (m: ToCheckpointWorker) => {
  if (m.type === "checkpoint") {
    checkpoint(m.id);
    return;
  }
  // close: what is left goes into the database file from here too, then the connection closes
  // (the store's connection, closing last, finds nothing left to copy and removes the WAL).
  db.pragma("wal_checkpoint(PASSIVE)");
  db.close();
  port.close();
});
send({ type: "ready" });
