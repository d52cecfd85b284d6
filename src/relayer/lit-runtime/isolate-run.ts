/**
 * One execution in its own V8 isolate (isolated-vm), inside a sandbox worker: a hard heap limit, a
 * wall-clock timeout that disposes the isolate (so an infinite loop or a never-settling promise
 * ends), and no host objects inside: the isolate sees a bare V8 context plus the globals of
 * bootstrap.ts, whose host callbacks copy values in and out. The isolate comes prepared
 * (prepared-isolates.ts), serves this run only and is disposed when it ends.
 *
 * Every host callback charges the run's budget (run-budget.ts) before doing any work. A breach is
 * fatal: the error is thrown into the action and the isolate is disposed right after, so user code
 * cannot swallow it. Key requests and fetches are done by the relayer (WorkerHost).
 */
import { randomBytes } from "crypto";
import ivm from "isolated-vm";
import { type ActionLimits, limitMessage } from "./limit-names";
import { LimitBreach, RunBudget, breach } from "./run-budget";
import { type CompiledScripts, type PreparedIsolate, nativeCallback } from "./prepared-isolates";
import type { KeyOperation, RunMessage, WireFetchRequest } from "./sandbox-protocol";

export type { CompiledScripts } from "./prepared-isolates";

export const KEY_OPERATIONS: ReadonlySet<string> = new Set<KeyOperation>([
  "getPrivateKey",
  "Encrypt",
  "Decrypt",
  "getLitActionPrivateKey",
  "getLitActionPublicKey",
  "getLitActionWalletAddress",
  "signEcdsa",
]);

/** What the worker asks the relayer for. */
export interface WorkerHost {
  keyOperation(op: KeyOperation, args: Record<string, unknown>): Promise<string>;
  /** Resolves to the response's WireFetchMeta as JSON and its body. */
  fetch(request: WireFetchRequest, timeoutMs: number): Promise<{ value: string; body: ArrayBuffer }>;
}

export interface RunOutcome {
  response: string | null;
  logs: string;
  error: string | null;
  /** The isolate's used heap when the action ended (null when the run ended by disposing it). */
  heapUsedBytes: number | null;
}

/** Limits the action checks inside the isolate and reports through __lit_fatal. */
const IN_ISOLATE_LIMITS: ReadonlySet<string> = new Set<keyof ActionLimits>(["maxResponseLength"]);

/** A value copied into the isolate (an ArrayBuffer, or a Uint8Array for a view). */
const transfer = (bytes: ArrayBuffer | Uint8Array): ivm.Copy<ArrayBuffer | Uint8Array> =>
  new ivm.ExternalCopy(bytes).copyInto({ release: true });

type Settle = ivm.Reference<(id: number, ok: boolean, value: string, bytes?: ivm.Copy<ArrayBuffer | Uint8Array>) => void>;

export class IsolateRun {
  private readonly budget: RunBudget;
  private readonly isolate: ivm.Isolate;
  private ended = false;
  /** Set when this run disposes its isolate (end, stop, breach); any other disposal is isolated-vm's. */
  private disposedByRun = false;
  private settle: Settle | undefined;
  private nextCall = 0;
  private fetches = 0;
  private keyRequests = 0;
  private ethersLoaded = false;
  private heapUsedBytes: number | null = null;

  /** `prepared` must be fresh (never used by another run) and have the run's memory limit. */
  constructor(
    private readonly msg: RunMessage,
    private readonly host: WorkerHost,
    private readonly prepared: PreparedIsolate,
    private readonly scripts: CompiledScripts,
  ) {
    if (prepared.memoryLimitMb !== msg.limits.memoryLimitMb)
      throw new Error(`isolate prepared for ${prepared.memoryLimitMb} MB, the run's limit is ${msg.limits.memoryLimitMb} MB`);
    this.budget = new RunBudget(msg.limits);
    this.isolate = prepared.isolate;
    prepared.onCatastrophicError = (message) => this.budget.fail(`isolate failure: ${message}`);
    if (!prepared.usable) this.budget.fail("isolate failure: the prepared isolate is no longer usable");
  }

  /** Ends the execution with `reason` as its error (timeout, abort). */
  stop(reason: string): void {
    this.budget.fail(reason);
    this.dispose();
  }

  private dispose(): void {
    this.disposedByRun = true;
    this.prepared.dispose();
  }

  /** Records a fatal breach, ends the isolate after the current callback returns, returns the Error. */
  private fatal(e: LimitBreach): Error {
    this.budget.fail(e.message);
    setImmediate(() => this.dispose());
    return new Error(e.message);
  }

  /** A host callback: `body` charges its budgets first; a LimitBreach there ends the run. */
  private callback<A extends unknown[], R>(body: (...args: A) => R): ivm.Callback {
    return new ivm.Callback((...args: A): R => {
      if (this.ended || this.budget.failure !== null) throw new Error("the execution has ended");
      try {
        return body(...args);
      } catch (e) {
        if (e instanceof LimitBreach) throw this.fatal(e);
        throw e;
      }
    });
  }

  async execute(): Promise<RunOutcome> {
    const { limits } = this.msg;
    const timer = setTimeout(() => this.stop(limitMessage("timeoutMs", limits, "execution timed out")), limits.timeoutMs);
    let outcome: { response: string | null; error: string | null };
    try {
      outcome = await this.runAction();
    } catch (e) {
      // Setup failed (the isolate was disposed by the timer or ran out of memory while starting).
      outcome = { response: null, error: this.describeError(e) };
    } finally {
      clearTimeout(timer);
      this.ended = true;
      this.dispose();
    }
    const error = this.budget.failure ?? outcome.error;
    return { response: error === null ? outcome.response : null, logs: this.budget.logs, error, heapUsedBytes: this.heapUsedBytes };
  }

  private async runAction(): Promise<{ response: string | null; error: string | null }> {
    const { limits } = this.msg;
    const deadline = Date.now() + limits.timeoutMs;
    const context = this.prepared.context;
    const global = context.global;
    // Small steps run synchronously (cheaper than a thread hop each); user code compiles asynchronously.
    global.setSync("__lit_log", this.callback((line: unknown) => this.budget.log(String(line))));
    global.setSync(
      "__lit_fatal",
      this.callback((limit: unknown) => {
        const key = String(limit);
        if (!IN_ISOLATE_LIMITS.has(key)) throw new Error(`unknown limit ${key}`);
        throw breach(key as keyof ActionLimits, limits);
      }),
    );
    global.setSync(
      "__lit_call",
      this.callback((op: unknown, argsJson: unknown): number => {
        const name = String(op);
        if (!KEY_OPERATIONS.has(name)) throw new Error(`unknown operation ${name}`);
        if (++this.keyRequests > limits.maxKeyRequests) throw breach("maxKeyRequests", limits);
        const text = String(argsJson);
        this.budget.charge("maxKeyRequestBytes", Buffer.byteLength(text, "utf8"));
        const args = JSON.parse(text) as Record<string, unknown>;
        return this.startAsync(async () => {
          const value = await this.host.keyOperation(name as KeyOperation, args);
          this.budget.charge("maxKeyRequestBytes", Buffer.byteLength(value, "utf8"));
          return { value };
        });
      }),
    );
    global.setSync(
      "__lit_fetch",
      this.callback((requestJson: unknown, body: unknown): number => {
        if (++this.fetches > limits.maxFetchCount) throw breach("maxFetchCount", limits);
        const parsed = JSON.parse(String(requestJson)) as WireFetchRequest;
        const request: WireFetchRequest = {
          url: String(parsed.url),
          method: parsed.method === undefined ? undefined : String(parsed.method),
          headers: parsed.headers,
          body: body instanceof ArrayBuffer ? body : undefined,
        };
        const timeoutMs = Math.max(1, Math.min(limits.fetchTimeoutMs, deadline - Date.now()));
        return this.startAsync(() => this.host.fetch(request, timeoutMs));
      }),
    );
    global.setSync(
      "__lit_random",
      this.callback((n: unknown) => {
        const size = Math.max(0, Math.min(65536, Number(n) | 0));
        this.budget.charge("maxRandomCalls");
        this.budget.charge("maxRandomBytes", size);
        return transfer(randomBytes(size));
      }),
    );
    global.setSync(
      "__lit_loadEthers",
      this.callback(() => {
        if (this.ethersLoaded) throw new Error("ethers is already loaded");
        this.ethersLoaded = true;
        global.setSync("__lit_native", nativeCallback());
        const script = this.isolate.compileScriptSync(this.scripts.ethers, {
          filename: "ethers.js",
          cachedData: this.scripts.ethersCache,
        });
        script.runSync(context);
        script.release();
      }),
    );
    global.setSync(
      "__lit_meta",
      JSON.stringify({ headers: this.msg.headers, params: this.msg.paramsJson, maxResponseLength: limits.maxResponseLength }),
    );
    const install = global.getSync("__lit_install", { reference: true }) as ivm.Reference<() => void>;
    install.applySync(undefined, []);
    install.release();
    this.settle = global.getSync("__lit_settle", { reference: true }) as Settle;
    const runner = global.getSync("__lit_run", { reference: true }) as ivm.Reference<() => Promise<string>>;
    global.deleteSync("__lit_settle");
    global.deleteSync("__lit_run");

    try {
      const script = await this.isolate.compileScript(this.msg.code, { filename: "action.js" });
      await script.run(context, { release: true });
      const text = String(await runner.apply(undefined, [], { result: { promise: true, copy: true } }));
      this.heapUsedBytes = this.isolate.getHeapStatisticsSync().used_heap_size;
      if (text.startsWith("E")) return { response: null, error: text.slice(1) };
      const response = text.startsWith("R") ? text.slice(1) : null;
      // The isolate checked the size; the host checks again (the isolate is not trusted).
      if (response !== null && Buffer.byteLength(response, "utf8") > limits.maxResponseLength)
        return { response: null, error: breach("maxResponseLength", limits).message };
      return { response, error: null };
    } catch (e) {
      return { response: null, error: this.describeError(e) };
    }
  }

  /**
   * The error text for an exception that ended the action. isolated-vm disposes an isolate on its
   * own only when its heap limit is reached (a catastrophic error is reported through
   * onCatastrophicError first), and the call that notices may say "due to memory limit" or just
   * that the isolate is disposed, depending on which of its tasks was running, maybe before the
   * handle shows it disposed; the message then names the memory limit either way.
   */
  private describeError(e: unknown): string {
    const { limits } = this.msg;
    const message = e instanceof Error ? e.message : String(e);
    const disposed = this.isolate.isDisposed || /\bIsolated? (is|was) disposed\b/.test(message);
    if (disposed && !this.disposedByRun && this.budget.failure === null)
      return limitMessage("memoryLimitMb", limits, "out of memory");
    return describeHostError(e, limits);
  }

  /** Starts a host operation (its budgets were charged); the action awaits the returned id. */
  private startAsync(work: () => Promise<{ value: string; body?: ArrayBuffer }>): number {
    const id = ++this.nextCall;
    work().then(
      (r) => this.deliver(id, true, r.value, r.body),
      (e: unknown) => {
        if (e instanceof LimitBreach) this.fatal(e);
        this.deliver(id, false, e instanceof Error ? e.message : String(e));
      },
    );
    return id;
  }

  /** Settles a host operation inside the isolate; dropped once the run has ended. */
  private deliver(id: number, ok: boolean, value: string, body?: ArrayBuffer): void {
    if (this.ended || this.isolate.isDisposed || this.settle === undefined) return;
    try {
      this.settle.applyIgnored(undefined, body === undefined ? [id, ok, value] : [id, ok, value, transfer(body)]);
    } catch {
      // the isolate ended meanwhile
    }
  }
}

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
