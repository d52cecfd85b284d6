/** The messages between a SQLite store and its checkpoint thread (wal-checkpointer.ts, wal-checkpoint-worker.ts). */

export interface CheckpointWorkerData {
  /** The database file (symbolic links resolved). */
  file: string;
}

export type ToCheckpointWorker = { type: "checkpoint"; id: number } | { type: "close" };

export type FromCheckpointWorker =
  | { type: "ready" }
  /** A checkpoint begins (the crash test kills the process on it). */
  | { type: "started"; id: number }
  | {
      type: "checkpointed";
      id: number;
      /** A reader kept some frames from being copied (PASSIVE does not wait for it). */
      busy: boolean;
      /** Frames in the WAL when the checkpoint ran. */
      log: number;
      /** Of those, frames in the database file after it. */
      checkpointed: number;
      ms: number;
    };
