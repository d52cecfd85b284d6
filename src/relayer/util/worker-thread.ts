/**
 * Starting the relayer's worker threads (the Lit Action sandbox's, the SQLite store's checkpoint
 * thread) with the process's `execArgv` without its preloads. A thread inherits the process's
 * execArgv by default, so every preload would run again in each thread, which needs none of them:
 * ts-node and the TypeScript compiler under `npm start`, the whole Hardhat runtime under `hardhat
 * run` (docs/lit-action-runtime.md, "Sandbox workers and preloads"; docs/relayer-latency.md,
 * "SQLite's checkpoints off the event loop"). Other flags (--enable-source-maps, --trace-warnings,
 * ...) are kept.
 */
import { Worker, type WorkerOptions } from "worker_threads";

/** Options that load code before the program (with their value when it is a separate argument). */
const PRELOAD_FLAGS = new Set(["--require", "-r", "--import", "--loader", "--experimental-loader"]);

/** `execArgv` without its preloads (`--require`, `-r`, `--import`, `--loader` and their values). */
export function withoutPreloads(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    if (PRELOAD_FLAGS.has(arg)) i++; // and its value
    else if (!PRELOAD_FLAGS.has(arg.split("=")[0])) kept.push(arg);
  }
  return kept;
}

/** The execArgv threads start with, once known valid for a thread. */
let threadExecArgv: string[] | undefined;

/**
 * `new Worker(script, options)` (a file name, or code with `options.eval`) with the process's execArgv without its preloads (`options.execArgv`
 * is replaced). Flags a thread refuses (process-wide ones such as --no-node-snapshot or V8's, which
 * the thread shares anyway) are dropped, as named by the refusal (ERR_WORKER_INVALID_EXEC_ARGV),
 * then none if it still refuses. Any other error of the Worker constructor is thrown.
 */
export function startThread(script: string, options: WorkerOptions): Worker {
  const candidates = threadExecArgv !== undefined ? [threadExecArgv] : [withoutPreloads(process.execArgv)];
  for (;;) {
    const execArgv = candidates.shift() as string[];
    try {
      const worker = new Worker(script, { ...options, execArgv });
      threadExecArgv = execArgv;
      return worker;
    } catch (e) {
      if ((e as { code?: unknown }).code !== "ERR_WORKER_INVALID_EXEC_ARGV" || execArgv.length === 0) throw e;
      if (candidates.length === 0) {
        const refused = new Set((e as Error).message.replace(/^[^:]*:\s*/, "").split(", "));
        candidates.push(execArgv.filter((a) => !refused.has(a)), []);
      }
    }
  }
}
