/**
 * The relayer's side of the sandbox: a few worker threads (sandbox-worker.ts) run the executions,
 * so that no action, however hostile, keeps the relayer's event loop busy (http-api.md §10). This
 * thread only routes messages: a run goes to the least busy worker; the worker's key requests and
 * fetches are done here, with the run's host budget and AbortSignal (host-run.ts).
 *
 * A watchdog backs the worker's own timeout: when a run's result is overdue by WATCHDOG_GRACE_MS,
 * its worker is terminated (with every isolate in it) and replaced; its other runs end with an
 * error saying so. A worker that crashes is replaced the same way.
 *
 * Closing is graceful: a worker is asked to end (a "close" message, once it has no run) and its
 * thread exits by itself once isolated-vm has nothing under way for it; it is terminated only if it
 * has not exited CLOSE_GRACE_MS later (docs/lit-action-runtime.md, "Closing a sandbox worker").
 */
import * as os from "os";
import type { Worker } from "worker_threads";
import type { FetchRequest, FetchResult } from "./fetch-guard";
import { HostRun } from "./host-run";
import { type ActionLimits, limitMessage } from "./limit-names";
import type { FromWorker, RunMessage, ToWorker, WireFetchMeta } from "./sandbox-protocol";
import type { SandboxHost, SandboxRequest, SandboxResult } from "./sandbox-types";
import { startSandboxWorker } from "./worker-source";

/** What a worker reports of a run (SandboxResult without the host's duration). */
type RunOutcome = Pick<SandboxResult, "response" | "logs" | "error" | "heapUsedBytes">;

/** How long after its time limit a run may still report before its worker is terminated. */
const WATCHDOG_GRACE_MS = 5_000;

/**
 * How long a closing worker has to exit by itself (its isolate preparations under way settle, then
 * its isolates are disposed) before it is terminated, as a last resort: a thread terminated while
 * isolated-vm works for it may never exit (docs/lit-action-runtime.md, "Closing a sandbox worker").
 */
export const CLOSE_GRACE_MS = 20_000;

interface PendingRun {
  host: SandboxHost;
  hostRun: HostRun;
  limits: ActionLimits;
  resolve(result: RunOutcome): void;
}

class SandboxWorker {
  readonly runs = new Map<number, PendingRun>();
  private readonly worker: Worker;
  readonly ready: Promise<void>;
  isReady = false;
  private dead = false;
  /** Closing: ends when its last run has. */
  private closing = false;
  /** The "close" message is sent: the thread is ending by itself. */
  private ending = false;
  /** The thread has exited. */
  private gone = false;
  /** Resolves when the thread has exited (terminated or crashed). */
  readonly exited: Promise<void>;

  constructor(private readonly onExit: (w: SandboxWorker) => void) {
    this.worker = startSandboxWorker();
    this.exited = new Promise((resolve) =>
      this.worker.once("exit", () => {
        this.gone = true;
        resolve();
      }),
    );
    this.ready = new Promise((resolve, reject) => {
      this.worker.once("message", (m: FromWorker) => (m.type === "ready" ? resolve() : reject(new Error(`unexpected ${m.type}`))));
      this.worker.once("error", reject);
    });
    this.ready.then(
      () => (this.isReady = true),
      () => undefined,
    );
    this.worker.on("message", (m: FromWorker) => this.onMessage(m));
    this.worker.on("error", (e) => this.fail(`sandbox worker failed: ${e.message}`));
    this.worker.on("exit", () => this.fail("sandbox worker exited"));
    // Last: adding a "message" listener refs the worker's MessagePort again, so an unref() before
    // the listeners above left one ref'd port per worker, which kept the process alive after the
    // relayer closed (docs/lit-action-runtime.md "Worker threads end with the relayer"). No listener is added later.
    this.worker.unref();
  }

  private holds = 0;

  /** A run is under way (from before the worker is up until its outcome): the process stays alive. */
  hold(): void {
    if (this.holds++ === 0 && !this.dead) this.worker.ref();
  }

  /** The run's outcome is in: an idle worker keeps nothing alive (worker and MessagePort unref'd). */
  release(): void {
    if (--this.holds === 0 && !this.dead && !this.ending) this.worker.unref();
    if (this.closing) this.endIfIdle();
  }

  /** Ends the worker once it has no run and is not starting one (at once when idle); resolves when it has exited. */
  close(): Promise<void> {
    this.closing = true;
    this.endIfIdle();
    return this.exited;
  }

  /**
   * Once idle, asks the worker to end by itself (sandbox-protocol.ts CloseMessage) and keeps the
   * process alive until it has; terminates it only if it has not exited after CLOSE_GRACE_MS.
   */
  private endIfIdle(): void {
    if (this.holds !== 0 || this.runs.size !== 0 || this.dead || this.ending) return;
    this.ending = true;
    this.worker.ref();
    this.worker.postMessage({ type: "close" } satisfies ToWorker);
    const lastResort = setTimeout(() => this.fail("sandbox closed"), CLOSE_GRACE_MS);
    lastResort.unref();
    void this.exited.then(() => clearTimeout(lastResort));
  }

  /** Registers a run; a run given to a worker that has already died ends at once with an error. */
  add(id: number, run: PendingRun): void {
    if (this.dead) run.resolve({ response: null, logs: "", error: "sandbox worker unavailable: retry", heapUsedBytes: null });
    else this.runs.set(id, run);
  }

  post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    if (!this.dead) this.worker.postMessage(message, transfer);
  }

  /** Ends the worker and every run in it with `error` (unless a run already has its own error). */
  fail(error: string, errors: Map<number, string> = new Map()): void {
    if (this.dead) return;
    this.dead = true;
    if (!this.gone) void this.worker.terminate();
    for (const [id, run] of this.runs) run.resolve({ response: null, logs: "", error: errors.get(id) ?? error, heapUsedBytes: null });
    this.runs.clear();
    this.onExit(this);
  }

  private onMessage(m: FromWorker): void {
    if (m.type === "ready") return;
    const run = this.runs.get(m.run);
    if (run === undefined) return;
    switch (m.type) {
      case "done":
        this.runs.delete(m.run);
        run.resolve(m);
        break;
      case "key":
        void run.hostRun.track(run.host.keyOperation(m.op, m.args, run.hostRun.signal)).then(
          (value) => this.post({ type: "settle", run: m.run, call: m.call, ok: true, value }),
          (e: unknown) => this.post({ type: "settle", run: m.run, call: m.call, ok: false, value: errorText(e) }),
        );
        break;
      case "fetch":
        void run.hostRun.track(this.fetch(run, m.request, m.timeoutMs)).then(
          ({ value, body }) => this.post({ type: "settle", run: m.run, call: m.call, ok: true, value, body }, [body]),
          (e: unknown) => this.post({ type: "settle", run: m.run, call: m.call, ok: false, value: errorText(e) }),
        );
        break;
    }
  }

  /** A fetch of `run`: its bytes count against the run's budget until handed to the worker. */
  private async fetch(
    run: PendingRun,
    wire: { url: string; method?: string; headers?: [string, string][]; body?: ArrayBuffer },
    timeoutMs: number,
  ): Promise<{ value: string; body: ArrayBuffer }> {
    const bytes = run.hostRun.fetchBytes;
    const request: FetchRequest = {
      url: wire.url,
      method: wire.method,
      headers: wire.headers,
      body: wire.body === undefined ? undefined : new Uint8Array(wire.body),
    };
    const metaBytes = Buffer.byteLength(JSON.stringify({ ...request, body: undefined }), "utf8");
    bytes.take(metaBytes);
    try {
      const result: FetchResult = await run.host.fetch(request, { timeoutMs, signal: run.hostRun.signal, bytes });
      const { body, ...rest } = result;
      const meta: WireFetchMeta = rest;
      // Handed to the worker (transferred, not copied): the host no longer holds the bytes.
      const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
      const copy = whole ? (body.buffer as ArrayBuffer) : (body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
      bytes.give(body.byteLength);
      return { value: JSON.stringify(meta), body: copy };
    } finally {
      bytes.give(metaBytes);
    }
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Worker threads running executions; `size` of them, started on first use. */
export class SandboxPool {
  private readonly workers: SandboxWorker[] = [];
  private nextRun = 0;
  private warmMemoryLimitMb: number | undefined;

  constructor(private readonly size: number) {}

  /**
   * Starts the workers now (they compile their code caches) and has them prepare isolates with
   * `memoryLimitMb` ahead of demand, so the first executions are not slower.
   */
  async prepare(memoryLimitMb?: number): Promise<void> {
    if (memoryLimitMb !== undefined && memoryLimitMb !== this.warmMemoryLimitMb) {
      this.warmMemoryLimitMb = memoryLimitMb;
      for (const w of this.workers) w.post({ type: "warm", memoryLimitMb });
    }
    while (this.workers.length < this.size) this.spawn();
    await Promise.all(
      this.workers.map(async (w) => {
        w.hold(); // starting up keeps the process alive, as a run does
        try {
          await w.ready;
        } finally {
          w.release();
        }
      }),
    );
  }

  /**
   * Ends the workers (each once its runs have ended) and waits for their threads to exit; their
   * MessagePorts close with them. The pool stays usable: a later run or prepare() starts new ones.
   */
  async close(): Promise<void> {
    const closing = this.workers.splice(0);
    await Promise.all(closing.map((w) => w.close()));
  }

  /** True when every worker is up (prepare() would not wait). */
  get ready(): boolean {
    return this.workers.length === this.size && this.workers.every((w) => w.isReady);
  }

  private spawn(): SandboxWorker {
    const w = new SandboxWorker((dead) => {
      const i = this.workers.indexOf(dead);
      if (i >= 0) this.workers.splice(i, 1);
    });
    this.workers.push(w);
    // A replacement worker prepares its isolates too (a worker receives messages once it is up).
    if (this.warmMemoryLimitMb !== undefined) w.post({ type: "warm", memoryLimitMb: this.warmMemoryLimitMb });
    return w;
  }

  /** The least busy worker, preferring those already started (all `size` are started on first use). */
  private pick(): SandboxWorker {
    while (this.workers.length < this.size) this.spawn();
    const load = (w: SandboxWorker) => w.runs.size * 2 + (w.isReady ? 0 : 1);
    return this.workers.reduce((a, b) => (load(b) < load(a) ? b : a));
  }

  async run(req: SandboxRequest): Promise<SandboxResult> {
    const worker = this.pick();
    worker.hold();
    try {
      return await this.runOn(worker, req);
    } finally {
      worker.release();
    }
  }

  private async runOn(worker: SandboxWorker, req: SandboxRequest): Promise<SandboxResult> {
    // The run (and its measured duration) starts once its worker is up.
    await worker.ready.catch(() => undefined);
    const hostRun = new HostRun(req.limits);
    const id = ++this.nextRun;
    const message: RunMessage = {
      type: "run",
      run: id,
      code: req.code,
      paramsJson: req.paramsJson,
      headers: req.headers,
      limits: req.limits,
    };
    const outcome = await new Promise<RunOutcome>((resolve) => {
      const watchdog = setTimeout(() => {
        // The worker did not end this run in time (its event loop is stuck): replace it.
        const overdue = limitMessage("timeoutMs", req.limits, "execution timed out");
        worker.fail("execution stopped: its sandbox worker was restarted", new Map([[id, overdue]]));
      }, req.limits.timeoutMs + WATCHDOG_GRACE_MS);
      const onAbort = () => {
        const reason: unknown = req.signal?.reason;
        worker.post({ type: "stop", run: id, reason: reason instanceof Error ? reason.message : "execution stopped" });
      };
      worker.add(id, {
        host: req.host,
        hostRun,
        limits: req.limits,
        resolve: (result) => {
          clearTimeout(watchdog);
          req.signal?.removeEventListener("abort", onAbort);
          resolve(result);
        },
      });
      worker.ready.then(
        () => worker.post(message),
        (e: unknown) => worker.fail(`sandbox worker failed to start: ${errorText(e)}`),
      );
      if (req.signal?.aborted) onAbort();
      else req.signal?.addEventListener("abort", onAbort, { once: true });
    });
    const durationMs = await hostRun.finish();
    return { ...outcome, durationMs };
  }
}

/** Workers for the process: about one per core (at least 1, at most 4). */
export const DEFAULT_WORKERS = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
