/**
 * SQLite's checkpoints off the event loop (docs/relayer-latency.md, "SQLite's checkpoints off the
 * event loop"). The store's connection runs with `wal_autocheckpoint = 0` while a worker thread
 * (wal-checkpoint-worker.ts, its own connection to the same file) is up; after each commit the
 * store reads the wal-index (wal-index.ts) and, once the WAL holds `thresholdPages` frames not yet
 * copied, asks the thread for a checkpoint:
 *
 * 1. a PASSIVE checkpoint while the store's writes go on: the bulk of the copy and both fsyncs;
 * 2. when frames were committed meanwhile, a second PASSIVE one with the store's writes held (its
 *    lock, not the event loop), so that every frame is copied and the store's next write starts
 *    the WAL over from its beginning (SQLite restarts a WAL only once all of it is copied).
 *
 * A reader that keeps frames from being copied (another process's open read transaction) ends step
 * 1; the thread is asked again only after the WAL has grown by a quarter of the threshold.
 *
 * The store's connection checkpoints itself again (SQLite's automatic checkpoint every
 * `thresholdPages`) until the thread is up, and for good when it cannot start, dies, or leaves a
 * checkpoint unanswered for `answerTimeoutMs` (it is then terminated): the WAL never grows for
 * want of a checkpointer.
 */
import fs from "fs";
import path from "path";
import type { Worker, WorkerOptions } from "worker_threads";
import { startThread } from "../util/worker-thread";
import type { CheckpointWorkerData, FromCheckpointWorker, ToCheckpointWorker } from "./wal-checkpoint-protocol";
import { WalIndexReader } from "./wal-index";

type Checkpointed = Extract<FromCheckpointWorker, { type: "checkpointed" }>;

/** Where checkpoints run: waiting for the thread, on the thread, on the store's connection, or closed. */
export type CheckpointMode = "starting" | "worker" | "connection" | "closed";

export interface WalCheckpointerOptions {
  /** The database file, symbolic links resolved (its -shm file is beside it). */
  file: string;
  /** Frames not yet copied that call for a checkpoint (SQLite's own default is 1000). */
  thresholdPages: number;
  /** Sets the store connection's automatic checkpoint (`wal_autocheckpoint`; 0 turns it off). */
  setAutocheckpoint(pages: number): void;
  /** Runs `fn` with the store's writes (and statements) held back. */
  holdingWrites(fn: () => Promise<void>): Promise<void>;
  /** How long a checkpoint may go unanswered before the thread counts as hung (default 10 s). */
  answerTimeoutMs?: number;
  /** Called with the thread once started (tests end it to see the fallback). */
  onWorker?: (worker: Worker) => void;
}

export class WalCheckpointer {
  mode: CheckpointMode = "starting";
  /** Why checkpoints went back to the store's connection, once they did. */
  fallbackReason: string | null = null;
  /** Checkpoints the thread ran, of them the catch-ups with writes held. */
  readonly counts = { checkpoints: 0, catchUps: 0 };
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly index: WalIndexReader;
  private readonly answers = new Map<number, (m: Checkpointed | null) => void>();
  private nextId = 1;
  private cycling = false;
  /** WAL frames when a reader last kept a checkpoint from copying everything. */
  private pinnedAt: number | null = null;

  constructor(private readonly opts: WalCheckpointerOptions) {
    this.index = new WalIndexReader(`${opts.file}-shm`);
    try {
      // Without the process's `--require` preloads (startThread), which the thread needs none of:
      // under `hardhat run` hardhat/register, the whole Hardhat runtime, 2.4-3.7 s of the thread's
      // CPU at every store's start (docs/relayer-latency.md, "SQLite's checkpoints off the event loop").
      const worker = startThread(...workerSource({ file: opts.file }));
      this.worker = worker;
      this.exited = new Promise((resolve) => worker.once("exit", () => resolve()));
      worker.on("message", (m: FromCheckpointWorker) => this.onMessage(m));
      worker.on("error", (err) => this.fallBack(`checkpoint thread failed: ${err.message}`));
      worker.on("exit", () => this.onExit());
      // after the listeners: a "message" listener refs the thread again (see lit-runtime/sandbox-pool.ts)
      worker.unref();
      opts.onWorker?.(worker);
    } catch (err) {
      this.fallBack(`checkpoint thread did not start: ${(err as Error).message}`);
    }
  }

  /** After a commit (on the event loop: one pread of the wal-index); starts a checkpoint when due. */
  afterCommit(): void {
    if (this.mode !== "worker" || this.cycling) return;
    const wal = this.index.read();
    if (wal === null || wal.frames < this.opts.thresholdPages || wal.backfilled >= wal.frames) return;
    if (this.pinnedAt !== null) {
      if (wal.frames >= this.pinnedAt && wal.frames < this.pinnedAt + this.opts.thresholdPages / 4) return;
      this.pinnedAt = null;
    }
    this.cycling = true;
    void this.cycle().finally(() => (this.cycling = false));
  }

  /** Ends the thread (its last checkpoint and its connection first); before the store's connection closes. */
  async close(): Promise<void> {
    this.mode = "closed";
    const worker = this.worker;
    if (worker !== null) {
      worker.ref();
      this.post({ type: "close" });
      const timer = setTimeout(() => void worker.terminate(), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    this.index.close();
  }

  private async cycle(): Promise<void> {
    const first = await this.checkpoint();
    if (first === null) return;
    if (first.checkpointed < first.log) {
      this.pinnedAt = first.log;
      return;
    }
    const wal = this.index.read();
    if (wal === null || wal.backfilled >= wal.frames) return;
    await this.opts.holdingWrites(async () => {
      const caughtUp = await this.checkpoint();
      if (caughtUp === null) return;
      this.counts.catchUps++;
      if (caughtUp.checkpointed < caughtUp.log) this.pinnedAt = caughtUp.log;
    });
  }

  /** One checkpoint on the thread; null when the thread is gone (or hung: it is then ended). */
  private checkpoint(): Promise<Checkpointed | null> {
    const worker = this.worker;
    if (worker === null || this.mode !== "worker") return Promise.resolve(null);
    const id = this.nextId++;
    const timeout = this.opts.answerTimeoutMs ?? 10_000;
    // While a checkpoint is asked for, the thread keeps the process alive: a held catch-up holds
    // the store's statements back, and a script whose only pending work is those statements must
    // not end before they ran.
    if (this.answers.size === 0) worker.ref();
    return new Promise((resolve) => {
      const settle = (m: Checkpointed | null): void => {
        clearTimeout(timer);
        this.answers.delete(id);
        if (this.answers.size === 0) worker.unref();
        resolve(m);
      };
      const timer = setTimeout(() => {
        settle(null);
        this.fallBack(`checkpoint thread did not answer within ${timeout} ms`);
        void worker.terminate();
      }, timeout);
      this.answers.set(id, settle);
      this.post({ type: "checkpoint", id });
    });
  }

  private post(m: ToCheckpointWorker): void {
    this.worker?.postMessage(m);
  }

  private onMessage(m: FromCheckpointWorker): void {
    if (m.type === "ready") {
      if (this.mode !== "starting") return;
      this.mode = "worker";
      this.opts.setAutocheckpoint(0);
      return;
    }
    if (m.type === "started") return;
    this.counts.checkpoints++;
    this.answers.get(m.id)?.(m);
  }

  private onExit(): void {
    this.worker = null;
    for (const answer of [...this.answers.values()]) answer(null);
    this.fallBack("checkpoint thread exited");
  }

  /** From now on the store's connection checkpoints itself, as SQLite does by default. */
  private fallBack(reason: string): void {
    if (this.mode === "closed" || this.mode === "connection") return;
    this.mode = "connection";
    this.fallbackReason = reason;
    this.opts.setAutocheckpoint(this.opts.thresholdPages);
  }
}

let transpiled: string | undefined;

/**
 * `new Worker(...)` arguments for the checkpoint thread. Compiled JavaScript is loaded as is; from
 * TypeScript sources (ts-node: the relayer's scripts and the tests) the one worker file is
 * transpiled here and compiled in the thread, which so does not load the TypeScript compiler.
 */
function workerSource(data: CheckpointWorkerData): [string, WorkerOptions] {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `wal-checkpoint-worker${ext}`);
  if (ext !== ".ts") return [entry, { workerData: data }];
  if (transpiled === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof import("typescript");
    transpiled = ts.transpileModule(fs.readFileSync(entry, "utf8"), {
      fileName: entry,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
  }
  const code = `
    const Module = require("module");
    const path = require("path");
    const { entry, source } = require("worker_threads").workerData;
    const m = new Module(entry, null);
    m.filename = entry;
    m.paths = Module._nodeModulePaths(path.dirname(entry));
    m._compile(source, entry);
  `;
  return [code, { eval: true, workerData: { ...data, entry, source: transpiled } }];
}
