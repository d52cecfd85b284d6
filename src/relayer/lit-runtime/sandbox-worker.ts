/**
 * A sandbox worker (a worker thread started by sandbox-pool.ts): runs executions in isolates, off
 * the relayer's event loop. Isolate creation and disposal, the host callbacks of running actions
 * (console, getRandomValues, ...) and their budgets all happen on this thread, so a hostile action
 * can at worst keep its own worker busy, never the thread that serves HTTP, the indexer and the
 * writer (http-api.md §10). Key requests and fetches are asked of the relayer, which owns the keys,
 * the index and the network. Each run gets a fresh isolate prepared ahead of demand
 * (prepared-isolates.ts), used once and disposed.
 *
 * Imports only files of this folder that import nothing outside it (see worker-source.ts).
 */
import { parentPort } from "worker_threads";
import { IsolateRun, type WorkerHost } from "./isolate-run";
import { finalizeDroppedHandles } from "./dropped-handles";
import { IsolatePool, type PreparedIsolate, compileScripts, kindFor, releaseScripts } from "./prepared-isolates";
import type { FromWorker, KeyOperation, RunMessage, ToWorker, WireFetchRequest } from "./sandbox-protocol";

if (parentPort === null) throw new Error("sandbox-worker.ts runs as a worker thread");
const port = parentPort;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

const scripts = compileScripts();

/** Isolates ready per kind (bare, ethers) in this worker: enough for the runs a worker usually has at once. */
const PREPARED_PER_KIND = 4;
const pool = new IsolatePool(scripts, PREPARED_PER_KIND);

interface Pending {
  resolve(value: { value: string; body?: ArrayBuffer }): void;
  reject(error: Error): void;
}

/** The executions of this worker, by id, with their host operations waiting for the relayer. */
const runs = new Map<number, { isolate?: IsolateRun; stopped?: string; calls: Map<number, Pending> }>();

async function start(msg: RunMessage): Promise<void> {
  const calls = new Map<number, Pending>();
  let nextCall = 0;
  const ask = (send: (call: number) => void): Promise<{ value: string; body?: ArrayBuffer }> =>
    new Promise((resolve, reject) => {
      const call = ++nextCall;
      calls.set(call, { resolve, reject });
      send(call);
    });
  const host: WorkerHost = {
    keyOperation: async (op: KeyOperation, args: Record<string, unknown>) =>
      (await ask((call) => post({ type: "key", run: msg.run, call, op, args }))).value,
    fetch: async (request: WireFetchRequest, timeoutMs: number) => {
      const r = await ask((call) =>
        post({ type: "fetch", run: msg.run, call, request, timeoutMs }, request.body === undefined ? [] : [request.body]),
      );
      return { value: r.value, body: r.body ?? new ArrayBuffer(0) };
    },
  };
  const entry: { isolate?: IsolateRun; stopped?: string; calls: Map<number, Pending> } = { calls };
  runs.set(msg.run, entry);
  let prepared: PreparedIsolate | undefined;
  let isolate: IsolateRun;
  try {
    prepared = await pool.take(kindFor(msg.code), msg.limits.memoryLimitMb);
    isolate = new IsolateRun(msg, host, prepared, scripts);
  } catch (e) {
    prepared?.dispose();
    runs.delete(msg.run);
    post({ type: "done", run: msg.run, response: null, logs: "", error: `sandbox failure: ${(e as Error).message}`, heapUsedBytes: null });
    return;
  }
  entry.isolate = isolate;
  // A stop that came while the isolate was being taken ends the run before any of its code runs.
  if (entry.stopped !== undefined) isolate.stop(entry.stopped);
  const outcome = await isolate.execute();
  runs.delete(msg.run);
  post({ type: "done", run: msg.run, ...outcome });
}

/**
 * The graceful end of this worker (sandbox-protocol.ts CloseMessage): no more preparations, the
 * ones under way settle (each then disposes its isolate, the pool being closed), the ready isolates
 * are disposed, the scripts' code caches released, every isolated-vm handle the thread dropped is
 * finalized while isolated-vm can still free it (dropped-handles.ts: otherwise V8 may finalize
 * them during the thread's teardown, after isolated-vm's cleanup, and the process aborts), and the
 * port closes: with nothing left on its event loop, the thread exits by itself instead of being
 * terminated while isolated-vm works for it.
 */
async function close(): Promise<void> {
  pool.close();
  await pool.idle();
  releaseScripts(scripts);
  finalizeDroppedHandles();
  port.close();
}

port.on("message", (msg: ToWorker) => {
  switch (msg.type) {
    case "close":
      void close();
      break;
    case "run":
      void start(msg);
      break;
    case "warm":
      pool.refill(undefined, msg.memoryLimitMb);
      break;
    case "stop": {
      const run = runs.get(msg.run);
      if (run === undefined) return;
      if (run.isolate === undefined) run.stopped = msg.reason;
      else run.isolate.stop(msg.reason);
      break;
    }
    case "settle": {
      const pending = runs.get(msg.run)?.calls;
      const call = pending?.get(msg.call);
      if (pending === undefined || call === undefined) return;
      pending.delete(msg.call);
      if (msg.ok) call.resolve({ value: msg.value, body: msg.body });
      else call.reject(new Error(msg.value));
      break;
    }
  }
});

post({ type: "ready" });
