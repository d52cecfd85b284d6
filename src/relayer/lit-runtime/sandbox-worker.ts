/**
 * A sandbox worker (a worker thread started by sandbox-pool.ts): runs executions in isolates, off
 * the relayer's event loop. Isolate creation and disposal, the host callbacks of running actions
 * (console, getRandomValues, ...) and their budgets all happen on this thread, so a hostile action
 * can at worst keep its own worker busy, never the thread that serves HTTP, the indexer and the
 * writer (http-api.md §10). Key requests and fetches are asked of the relayer, which owns the keys,
 * the index and the network.
 *
 * Imports only files of this folder that import nothing outside it (see worker-source.ts).
 */
import * as fs from "fs";
import ivm from "isolated-vm";
import { parentPort } from "worker_threads";
import { API, POLYFILLS } from "./bootstrap";
import { type CompiledScripts, IsolateRun, type WorkerHost } from "./isolate-run";
import type { FromWorker, KeyOperation, RunMessage, ToWorker, WireFetchRequest } from "./sandbox-protocol";

if (parentPort === null) throw new Error("sandbox-worker.ts runs as a worker thread");
const port = parentPort;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

/** Compiles the bootstrap and ethers once in a throwaway isolate to get V8 code caches. */
function compileScripts(): CompiledScripts {
  const bootstrap = `${POLYFILLS}\n${API}`;
  const ethers = fs.readFileSync(require.resolve("ethers-v5/dist/ethers.umd.min.js"), "utf8");
  const iso = new ivm.Isolate({ memoryLimit: 128 });
  try {
    const cache = (code: string, filename: string) =>
      (iso.compileScriptSync(code, { filename, produceCachedData: true }) as ivm.Script & {
        cachedData?: ivm.ExternalCopy<ArrayBuffer>;
      }).cachedData;
    return { bootstrap, bootstrapCache: cache(bootstrap, "lit-bootstrap.js"), ethers, ethersCache: cache(ethers, "ethers.js") };
  } finally {
    iso.dispose();
  }
}

const scripts = compileScripts();

interface Pending {
  resolve(value: { value: string; body?: ArrayBuffer }): void;
  reject(error: Error): void;
}

/** The executions of this worker, by id, with their host operations waiting for the relayer. */
const runs = new Map<number, { isolate: IsolateRun; calls: Map<number, Pending> }>();

function start(msg: RunMessage): void {
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
  let isolate: IsolateRun;
  try {
    isolate = new IsolateRun(msg, host, scripts);
  } catch (e) {
    post({ type: "done", run: msg.run, response: null, logs: "", error: `sandbox failure: ${(e as Error).message}` });
    return;
  }
  runs.set(msg.run, { isolate, calls });
  void isolate.execute().then((outcome) => {
    runs.delete(msg.run);
    post({ type: "done", run: msg.run, ...outcome });
  });
}

port.on("message", (msg: ToWorker) => {
  switch (msg.type) {
    case "run":
      start(msg);
      break;
    case "stop":
      runs.get(msg.run)?.isolate.stop(msg.reason);
      break;
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
