/**
 * Isolates prepared ahead of demand (docs/lit-action-runtime.md, "Warm isolates"). A sandbox worker
 * keeps a few fresh isolates whose context already ran the bootstrap (bootstrap.ts) and, for actions
 * that name `ethers`, the ethers bundle (ethers-bundle.ts), so a run only installs its callbacks and
 * runs the action. The guarantees:
 *
 * - an isolate serves exactly one run: `take` removes it from the pool, the run disposes it, and
 *   nothing ever puts it back, so no global, prototype change, pending promise or key of one run
 *   can reach another, and the pool holds nothing of a finished run;
 * - it is created with the run's memory limit (a pool holds isolates of one limit; another limit
 *   empties it), and no action code runs in it before the run, whose timer starts first;
 * - an isolate that died while waiting (catastrophic error, disposed) is dropped at `take` and
 *   replaced; a failed preparation is retried by the next `take`, which then prepares its own.
 *
 * Preparation is asynchronous (isolated-vm runs it on its own threads), started after each `take`.
 */
import ivm from "isolated-vm";
import { API, POLYFILLS } from "./bootstrap";
import { ethersBundle } from "./ethers-bundle";
import { nativeCrypto } from "./native-crypto";
import { trainedBootstrapCache, trainedCodeCache } from "./trained-cache";

/** The scripts every isolate runs, compiled once per worker (V8 code caches). */
export interface CompiledScripts {
  bootstrap: string;
  bootstrapCache: ivm.ExternalCopy<ArrayBuffer> | undefined;
  ethers: string;
  ethersCache: ivm.ExternalCopy<ArrayBuffer> | undefined;
}

/** The callback the ethers bundle takes as `__lit_native` (native-crypto.ts). */
export function nativeCallback(): ivm.Callback {
  return new ivm.Callback(nativeCrypto);
}

/**
 * The scripts every isolate runs, with V8 code caches trained in a throwaway context
 * (trained-cache.ts), so that the functions actions commonly run come compiled.
 */
export function compileScripts(): CompiledScripts {
  const bootstrap = `${POLYFILLS}\n${API}`;
  const ethers = ethersBundle();
  return {
    bootstrap,
    bootstrapCache: trainedBootstrapCache(bootstrap, "lit-bootstrap.js"),
    ethers,
    ethersCache: trainedCodeCache(bootstrap, ethers, "ethers.js"),
  };
}

/**
 * Releases the scripts' code caches (isolated-vm ExternalCopy handles) and drops the references to
 * them, so that a worker's last garbage collection finalizes them (dropped-handles.ts). The
 * scripts compile without caches afterwards; only a closing worker calls this.
 */
export function releaseScripts(scripts: CompiledScripts): void {
  scripts.bootstrapCache?.release();
  scripts.bootstrapCache = undefined;
  scripts.ethersCache?.release();
  scripts.ethersCache = undefined;
}

/** "ethers": the bundle is already loaded; "bare": ethers loads on first use, inside the run. */
export type IsolateKind = "bare" | "ethers";
export const ISOLATE_KINDS: readonly IsolateKind[] = ["bare", "ethers"];

/** Which kind of isolate suits `code`: one with ethers loaded when the code names it. */
export function kindFor(code: string): IsolateKind {
  return /\bethers\b/.test(code) ? "ethers" : "bare";
}

/** A fresh isolate and context, bootstrapped, owned by at most one run. */
export class PreparedIsolate {
  /** The run's handler for a catastrophic isolate error; before a run owns it, the isolate is only marked dead. */
  onCatastrophicError: ((message: string) => void) | undefined;
  private failed = false;

  private constructor(
    readonly isolate: ivm.Isolate,
    readonly context: ivm.Context,
    readonly kind: IsolateKind,
    readonly memoryLimitMb: number,
  ) {}

  /** Creates an isolate with `memoryLimitMb`, runs the bootstrap (and ethers for the "ethers" kind) in a new context. */
  static async create(kind: IsolateKind, memoryLimitMb: number, scripts: CompiledScripts): Promise<PreparedIsolate> {
    let prepared: PreparedIsolate | undefined;
    const isolate = new ivm.Isolate({
      memoryLimit: memoryLimitMb,
      onCatastrophicError: (message) => prepared?.catastrophic(message),
    });
    try {
      const context = await isolate.createContext();
      prepared = new PreparedIsolate(isolate, context, kind, memoryLimitMb);
      const bootstrap = await isolate.compileScript(scripts.bootstrap, {
        filename: "lit-bootstrap.js",
        cachedData: scripts.bootstrapCache,
      });
      await bootstrap.run(context, { release: true });
      if (kind === "ethers") {
        await context.global.set("__lit_native", nativeCallback());
        const ethers = await isolate.compileScript(scripts.ethers, { filename: "ethers.js", cachedData: scripts.ethersCache });
        await ethers.run(context, { release: true });
      }
      return prepared;
    } catch (e) {
      if (!isolate.isDisposed) isolate.dispose();
      throw e;
    }
  }

  private catastrophic(message: string): void {
    this.failed = true;
    this.onCatastrophicError?.(message);
  }

  /** True while the isolate can still serve a run. */
  get usable(): boolean {
    return !this.failed && !this.isolate.isDisposed;
  }

  dispose(): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
}

/** Statistics of a pool, for tests and the benchmark. */
export interface PoolStats {
  /** Isolates ready to serve a run, by kind. */
  ready: Record<IsolateKind, number>;
  /** Preparations under way. */
  preparing: number;
  /** Isolates handed out (each to one run). */
  taken: number;
  /** Dead isolates found in the pool and replaced. */
  replaced: number;
}

/** Up to `size` prepared isolates of each kind, for one memory limit at a time. */
export class IsolatePool {
  private readonly ready: Record<IsolateKind, PreparedIsolate[]> = { bare: [], ethers: [] };
  private readonly preparing: Record<IsolateKind, number> = { bare: 0, ethers: 0 };
  private readonly inflight = new Set<Promise<void>>();
  private memoryLimitMb: number | undefined;
  private taken = 0;
  private replaced = 0;
  private closed = false;

  constructor(
    private readonly scripts: CompiledScripts,
    private readonly size: number,
  ) {}

  /** A fresh isolate for one run of `kind` with `memoryLimitMb`: a prepared one when the pool has it. */
  async take(kind: IsolateKind, memoryLimitMb: number): Promise<PreparedIsolate> {
    if (this.memoryLimitMb !== memoryLimitMb) this.switchLimit(memoryLimitMb);
    this.taken++;
    const list = this.ready[kind];
    let found: PreparedIsolate | undefined;
    while (found === undefined && list.length > 0) {
      const next = list.shift() as PreparedIsolate;
      if (next.usable) found = next;
      else {
        next.dispose();
        this.replaced++;
      }
    }
    this.refill();
    return found ?? PreparedIsolate.create(kind, memoryLimitMb, this.scripts);
  }

  /** Starts preparing isolates of `memoryLimitMb` until each kind has `size` ready or under way. */
  refill(kind?: IsolateKind, memoryLimitMb = this.memoryLimitMb): void {
    if (this.closed || memoryLimitMb === undefined) return;
    if (this.memoryLimitMb !== memoryLimitMb) this.switchLimit(memoryLimitMb);
    for (const k of kind === undefined ? ISOLATE_KINDS : [kind]) {
      while (this.ready[k].length + this.preparing[k] < this.size) this.prepareOne(k, memoryLimitMb);
    }
  }

  private prepareOne(kind: IsolateKind, memoryLimitMb: number): void {
    this.preparing[kind]++;
    const done: Promise<void> = PreparedIsolate.create(kind, memoryLimitMb, this.scripts).then(
      (p) => {
        this.preparing[kind]--;
        // Keep it only if the pool still wants isolates of this limit, else it never serves.
        if (this.closed || this.memoryLimitMb !== memoryLimitMb || this.ready[kind].length >= this.size) p.dispose();
        else this.ready[kind].push(p);
      },
      () => {
        // A failed preparation is not retried here (it would loop); the next take prepares its own.
        this.preparing[kind]--;
      },
    );
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done));
  }

  /** Resolves once no preparation is under way (tests, benchmark). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /** Disposes the ready isolates (of another limit) and prepares for `memoryLimitMb`. */
  private switchLimit(memoryLimitMb: number): void {
    for (const k of ISOLATE_KINDS) for (const p of this.ready[k].splice(0)) p.dispose();
    this.memoryLimitMb = memoryLimitMb;
  }

  stats(): PoolStats {
    return {
      ready: { bare: this.ready.bare.length, ethers: this.ready.ethers.length },
      preparing: this.preparing.bare + this.preparing.ethers,
      taken: this.taken,
      replaced: this.replaced,
    };
  }

  /** The ready isolates, for tests that kill one to see it replaced. */
  readyIsolates(kind: IsolateKind): readonly PreparedIsolate[] {
    return this.ready[kind];
  }

  /** Disposes every ready isolate and prepares no more. */
  close(): void {
    this.closed = true;
    for (const k of ISOLATE_KINDS) for (const p of this.ready[k].splice(0)) p.dispose();
  }
}
