/**
 * The sandbox: each execution gets its own V8 isolate (isolated-vm) with a hard heap limit, a
 * wall-clock timeout that disposes the isolate (so an infinite loop or a never-settling promise
 * ends), and no host objects inside: the isolate sees only a bare V8 context plus the globals of
 * bootstrap.ts, whose host functions copy strings in and out. Nothing survives an execution.
 *
 * Limit breaches in user code (logs, response, fetch count, key requests) are fatal: the error is
 * thrown into the action and the isolate is disposed right after, so user code cannot swallow it.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import ivm from "isolated-vm";
import { API, POLYFILLS, RUNNER } from "./bootstrap";
import type { FetchRequest, FetchResult } from "./fetch-guard";
import { type ActionLimits, limitMessage } from "./limits";

/** Host operations behind Lit.Actions (key requests). Each returns the value handed to the action. */
export type KeyOperation =
  | "getPrivateKey"
  | "Encrypt"
  | "Decrypt"
  | "getLitActionPrivateKey"
  | "getLitActionPublicKey"
  | "getLitActionWalletAddress";

export const KEY_OPERATIONS: ReadonlySet<string> = new Set<KeyOperation>([
  "getPrivateKey",
  "Encrypt",
  "Decrypt",
  "getLitActionPrivateKey",
  "getLitActionPublicKey",
  "getLitActionWalletAddress",
]);

export interface SandboxHost {
  /** A key request; rejects with an Error whose message the action sees. */
  keyOperation(op: KeyOperation, args: Record<string, unknown>): Promise<string>;
  /** A guarded fetch. */
  fetch(request: FetchRequest, timeoutMs: number): Promise<FetchResult>;
}

export interface SandboxRequest {
  code: string;
  /** JSON text of js_params ("null" when absent). */
  paramsJson: string;
  /** Lit.Headers. */
  headers: Record<string, string>;
  limits: ActionLimits;
  host: SandboxHost;
  /** Stops the execution when aborted (e.g. out of credits); the reason becomes the error. */
  signal?: AbortSignal;
}

export interface SandboxResult {
  /** The stored response string (setResponse or main's return value); null when none. */
  response: string | null;
  logs: string;
  /** The error text when the action threw or breached a limit; null on success. */
  error: string | null;
  durationMs: number;
}

const BOOTSTRAP = `${POLYFILLS}\n${API}\n;globalThis.__lit_run = function () { return ${RUNNER}; };`;

interface Compiled {
  bootstrap: ivm.ExternalCopy<ArrayBuffer> | undefined;
  ethers: ivm.ExternalCopy<ArrayBuffer> | undefined;
  ethersSource: string;
}
let compiled: Compiled | undefined;

/** Compiles the bootstrap and ethers once in a throwaway isolate to get V8 code caches. */
function compiledScripts(): Compiled {
  if (compiled !== undefined) return compiled;
  const ethersSource = fs.readFileSync(require.resolve("ethers-v5/dist/ethers.umd.min.js"), "utf8");
  const iso = new ivm.Isolate({ memoryLimit: 128 });
  try {
    const cache = (code: string, filename: string) =>
      (iso.compileScriptSync(code, { filename, produceCachedData: true }) as ivm.Script & {
        cachedData?: ivm.ExternalCopy<ArrayBuffer>;
      }).cachedData;
    compiled = {
      bootstrap: cache(BOOTSTRAP, "lit-bootstrap.js"),
      ethers: cache(ethersSource, "ethers.js"),
      ethersSource,
    };
  } finally {
    iso.dispose();
  }
  return compiled;
}

/** Warms the code caches (call at start-up so the first execution is not slower). */
export function prepareSandbox(): void {
  compiledScripts();
}

const utf8Length = (s: string): number => Buffer.byteLength(s, "utf8");

export async function runInSandbox(req: SandboxRequest): Promise<SandboxResult> {
  const c = compiledScripts();
  const { limits } = req;
  const started = process.hrtime.bigint();
  let logs = "";
  let logBytes = 0;
  let response: string | null = null;
  let fetches = 0;
  let keyRequests = 0;
  let breach: string | null = null;

  const isolate = new ivm.Isolate({
    memoryLimit: limits.memoryLimitMb,
    onCatastrophicError: (message) => {
      breach ??= `isolate failure: ${message}`;
    },
  });
  const dispose = () => {
    if (!isolate.isDisposed) isolate.dispose();
  };
  /** Records a fatal breach, ends the isolate after the current callback returns, returns an Error. */
  const fatal = (message: string): Error => {
    breach ??= message;
    setImmediate(dispose);
    return new Error(message);
  };
  const timer = setTimeout(() => {
    breach ??= limitMessage("timeoutMs", limits, "execution timed out");
    dispose();
  }, limits.timeoutMs);
  const deadline = Date.now() + limits.timeoutMs;
  const onAbort = () => {
    const reason: unknown = req.signal?.reason;
    breach ??= reason instanceof Error ? reason.message : "execution stopped";
    dispose();
  };
  if (req.signal?.aborted) onAbort();
  else req.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    // Small steps run synchronously (cheaper than a thread hop each); user code compiles asynchronously.
    const context = isolate.createContextSync();
    const global = context.global;
    global.setSync(
      "__lit_log",
      new ivm.Callback((line: unknown) => {
        const text = `${String(line)}\n`;
        const size = utf8Length(text);
        if (logBytes + size > limits.maxConsoleLogLength)
          throw fatal(limitMessage("maxConsoleLogLength", limits, "console output too large"));
        logBytes += size;
        logs += text;
      }),
    );
    global.setSync(
      "__lit_setResponse",
      new ivm.Callback((value: unknown) => {
        const text = String(value);
        if (utf8Length(text) > limits.maxResponseLength)
          throw fatal(limitMessage("maxResponseLength", limits, "response too large"));
        response = text;
      }),
    );
    // Asynchronous operations: started synchronously (limits checked there), settled later.
    let nextId = 0;
    let settle: ivm.Reference<(id: number, ok: boolean, value: string) => void> | undefined;
    const startAsync = (work: () => Promise<string>): number => {
      const id = ++nextId;
      work().then(
        (value) => deliver(id, true, value),
        (e: unknown) => deliver(id, false, e instanceof Error ? e.message : String(e)),
      );
      return id;
    };
    const deliver = (id: number, ok: boolean, value: string) => {
      if (isolate.isDisposed || settle === undefined) return;
      try {
        settle.applyIgnored(undefined, [id, ok, value]);
      } catch {
        // the isolate ended meanwhile
      }
    };
    global.setSync(
      "__lit_call",
      new ivm.Callback((op: unknown, argsJson: unknown): number => {
        const name = String(op);
        if (!KEY_OPERATIONS.has(name)) throw new Error(`unknown operation ${name}`);
        if (++keyRequests > limits.maxKeyRequests)
          throw fatal(limitMessage("maxKeyRequests", limits, "too many key requests"));
        const args = JSON.parse(String(argsJson)) as Record<string, unknown>;
        return startAsync(() => req.host.keyOperation(name as KeyOperation, args));
      }),
    );
    global.setSync(
      "__lit_fetch",
      new ivm.Callback((requestJson: unknown): number => {
        if (++fetches > limits.maxFetchCount) throw fatal(limitMessage("maxFetchCount", limits, "too many fetches"));
        const request = JSON.parse(String(requestJson)) as FetchRequest;
        const timeout = Math.max(1, Math.min(limits.fetchTimeoutMs, deadline - Date.now()));
        return startAsync(async () => JSON.stringify(await req.host.fetch(request, timeout)));
      }),
    );
    global.setSync(
      "__lit_random",
      new ivm.Callback((n: unknown) => {
        const size = Math.max(0, Math.min(65536, Number(n) | 0));
        return Array.from(randomBytes(size));
      }),
    );
    global.setSync(
      "__lit_loadEthers",
      new ivm.Callback(() => {
        const script = isolate.compileScriptSync(c.ethersSource, { filename: "ethers.js", cachedData: c.ethers });
        script.runSync(context);
        script.release();
      }),
    );
    global.setSync("__lit_meta", JSON.stringify({ headers: req.headers, params: req.paramsJson }));

    isolate.compileScriptSync(BOOTSTRAP, { filename: "lit-bootstrap.js", cachedData: c.bootstrap }).runSync(context);
    settle = global.getSync("__lit_settle", { reference: true }) as ivm.Reference<
      (id: number, ok: boolean, value: string) => void
    >;
    const runner = global.getSync("__lit_run", { reference: true }) as ivm.Reference<() => Promise<string>>;
    global.deleteSync("__lit_settle");
    global.deleteSync("__lit_run");

    let error: string | null = null;
    try {
      const script = await isolate.compileScript(req.code, { filename: "action.js" });
      await script.run(context, { release: true });
      const outcome: unknown = await runner.apply(undefined, [], { result: { promise: true, copy: true } });
      if (typeof outcome === "string" && outcome.startsWith("E")) error = outcome.slice(1);
    } catch (e) {
      error = describeHostError(e, limits);
    }
    if (breach !== null) error = breach;
    return { response: error === null ? response : null, logs, error, durationMs: elapsedMs(started) };
  } catch (e) {
    // Setup failed (the isolate was disposed by the timer or ran out of memory while starting).
    return { response: null, logs, error: breach ?? describeHostError(e, limits), durationMs: elapsedMs(started) };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", onAbort);
    dispose();
  }
}

const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** The error text for an exception that crossed the isolate boundary. */
function describeHostError(e: unknown, limits: ActionLimits): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/memory limit/i.test(message)) return limitMessage("memoryLimitMb", limits, "out of memory");
  if (e instanceof Error) {
    const name = e.name && e.name !== "Error" ? e.name : "Error";
    return `${name}: ${message}`;
  }
  return `Uncaught ${message}`;
}
