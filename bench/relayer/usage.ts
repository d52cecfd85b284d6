/**
 * Resource accounting of the relayer write benchmark (bench/relayer.ts): the JSON-RPC calls per
 * method with their round trips and the HTTP requests carrying them (CountingRpc, between a client
 * and the relayer's HttpRpc), the CPU time of the benchmark process and of the child node (Linux
 * /proc) and this process's event-loop delay, over one measured segment (measureFrom). The relayer
 * runs' HTTP clients are in a process of their own (client-process.ts), which reports its CPU.
 */
import { subscribe } from "node:diagnostics_channel";
import fs from "node:fs";
import Database from "better-sqlite3";
import { PerformanceObserver, constants as perfConstants, monitorEventLoopDelay } from "node:perf_hooks";
import type { HttpRpc, RpcLike } from "../../src/relayer/chain";
import type { RpcCall, RpcSettled } from "../../src/relayer/chain/rpc";
import { now } from "./helpers";
import { rpcCaller } from "./trace";

export interface CallStats {
  calls: number;
  ms: number;
}

/**
 * Counts JSON-RPC calls per method (and their round-trip time) on the way to the node; passes
 * JSON-RPC batches through (each entry counts as a call of its method, with the batch's round
 * trip). The HTTP requests made are counted under "(HTTP requests)".
 */
export class CountingRpc implements RpcLike {
  private readonly stats = new Map<string, CallStats>();
  /** With `byCaller` (BENCH_TRACE): calls per "method <- caller" (trace.ts rpcCaller). */
  private readonly callers: Map<string, number> | null;
  readonly sendBatch?: (calls: readonly RpcCall[]) => Promise<RpcSettled[]>;
  constructor(
    private readonly inner: HttpRpc,
    byCaller = false,
  ) {
    this.callers = byCaller ? new Map() : null;
    this.sendBatch = async (calls) => {
      if (this.callers !== null) {
        const site = rpcCaller();
        for (const c of calls) this.countCaller(c.method, site);
      }
      const t0 = now();
      try {
        return await inner.sendBatch(calls);
      } finally {
        const ms = now() - t0;
        for (const c of calls) this.count(c.method, ms);
      }
    };
  }
  async send(method: string, params: unknown[]): Promise<unknown> {
    if (this.callers !== null) this.countCaller(method, rpcCaller());
    const t0 = now();
    try {
      return await this.inner.send(method, params);
    } finally {
      this.count(method, now() - t0);
    }
  }
  private count(method: string, ms: number): void {
    const s = this.stats.get(method) ?? { calls: 0, ms: 0 };
    this.stats.set(method, { calls: s.calls + 1, ms: s.ms + ms });
  }
  private countCaller(method: string, site: string): void {
    const key = `${method} <- ${site}`;
    this.callers?.set(key, (this.callers.get(key) ?? 0) + 1);
  }
  /** Calls per "method <- caller" so far (empty unless counted by caller). */
  callerSnapshot(): Map<string, number> {
    return new Map(this.callers ?? []);
  }
  /** HTTP requests so far (a batch is one). */
  httpRequests(): number {
    return this.inner.stats.requests;
  }
  snapshot(): Map<string, CallStats> {
    return new Map([...this.stats].map(([m, s]) => [m, { ...s }]));
  }
  /** Per method since `before`, most frequent first. */
  since(before: Map<string, CallStats>): [string, CallStats][] {
    return [...this.stats]
      .map(([m, s]): [string, CallStats] => {
        const b = before.get(m) ?? { calls: 0, ms: 0 };
        return [m, { calls: s.calls - b.calls, ms: s.ms - b.ms }];
      })
      .filter(([, s]) => s.calls > 0)
      .sort((a, b) => b[1].calls - a[1].calls || a[0].localeCompare(b[0]));
  }
}

/** utime + stime (ms) of a /proc stat file; null when it cannot be read (not Linux, process gone). */
export function statCpuMs(file: string): number | null {
  try {
    // fields after "(comm)": state is 3rd, utime 14th, stime 15th (clock ticks, 100 Hz on Linux)
    const stat = fs.readFileSync(file, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU time (ms) of this process (all its threads), of its main thread (the event loop: JavaScript,
 * the synchronous SQLite calls), and of the child node (Linux /proc; null elsewhere). The rest of
 * this process's time is its other threads: libuv's pool (fdatasync), V8's GC and compiler threads.
 */
function cpuNow(nodePid: number | undefined): { self: number; main: number | null; node: number | null } {
  const u = process.cpuUsage();
  const node = nodePid === undefined ? null : statCpuMs(`/proc/${nodePid}/stat`);
  return { self: (u.user + u.system) / 1000, main: statCpuMs(`/proc/self/task/${process.pid}/stat`), node };
}

/**
 * New TCP client sockets opened by this process so far (node's "net.client.socket" diagnostics
 * channel): the relayer's connections to the node (and the raw senders'; the load generator's to
 * the relayer are the client process's, not counted here). With
 * keep-alive agents a run should open almost none; each new one costs a connect (and, on the
 * node's side, an accept) in CPU.
 */
let clientSockets = 0;
subscribe("net.client.socket", () => {
  clientSockets++;
});

/**
 * SQLite statements run by this process so far (better-sqlite3's Statement run / all / get /
 * iterate, counted on the prototype every statement shares): the relayer's store work per write,
 * a figure the machine's load does not change.
 */
let sqlStatements = 0;
/** With BENCH_SQL=1 (set before the benchmark loads): statements run per SQL text, for countSql. */
const bySql: Map<string, number> | null = process.env.BENCH_SQL === "1" ? new Map() : null;
/** Statements run per SQL text so far (empty unless BENCH_SQL=1). */
export function sqlSnapshot(): Map<string, number> {
  return new Map(bySql ?? []);
}
{
  const probe = new Database(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, unknown>;
  probe.close();
  for (const name of ["run", "all", "get", "iterate"]) {
    const inner = proto[name];
    if (typeof inner !== "function") continue;
    proto[name] = function (this: { source?: string }, ...args: unknown[]): unknown {
      sqlStatements++;
      if (bySql !== null) {
        const key = (this.source ?? "?").replace(/\s+/g, " ").slice(0, 90);
        bySql.set(key, (bySql.get(key) ?? 0) + 1);
      }
      return (inner as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

/** Garbage collections of this process so far: pause ms and count, minor (scavenge) and major (mark-sweep) apart. */
const gcTotals = { minorMs: 0, minor: 0, majorMs: 0, major: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
      gcTotals.majorMs += e.duration;
      gcTotals.major++;
    } else {
      gcTotals.minorMs += e.duration;
      gcTotals.minor++;
    }
  }
}).observe({ entryTypes: ["gc"] });

export interface Usage {
  /** Garbage collections during the run (main-thread pauses): ms and count, minor and major apart. */
  gc: typeof gcTotals;
  /** SQLite statements run by this process during the run. */
  sqlStatements: number;
  /** New TCP client sockets opened by this process during the run (relayer -> node; not the client process's). */
  newSockets: number;
  rpc: [string, CallStats][];
  httpRequests: number;
  cpuSelfMs: number;
  /** Of cpuSelfMs, the main thread's (the event loop); null when not measured (not Linux). */
  cpuMainMs: number | null;
  cpuNodeMs: number | null;
  /**
   * Relayer runs: the client process's CPU time during the run (client-process.ts: its HTTP
   * clients, process.cpuUsage); null for the raw runs (their senders are in this process).
   */
  cpuClientsMs: number | null;
  /**
   * This process's event-loop delay during the run (perf_hooks, 1 ms resolution), ms: how long a
   * ready callback (an HTTP request, a JSON-RPC response) waited for the loop. One per measured
   * segment (raw runs in two halves).
   */
  loopDelay: { p50: number; p99: number; max: number }[];
}

/**
 * Starts measuring a segment; the returned function ends it and gives its usage. The event-loop
 * delay monitor (perf_hooks, 1 ms resolution) wakes this process's loop about 1000 times a
 * second and costs it up to 25-40 ms of CPU per second by itself (docs/relayer-latency.md, "Ninth
 * pass: an idle relayer's CPU"): `loopDelay: false` leaves it off (usage.loopDelay empty), for a
 * segment whose CPU should be the relayer's alone (the idle figure).
 */
export function measureFrom(rpc: CountingRpc, nodePid: number | undefined, opts: { loopDelay?: boolean } = {}): () => Usage {
  const calls = rpc.snapshot();
  const sockets = clientSockets;
  const statements = sqlStatements;
  const gc0 = { ...gcTotals };
  const requests = rpc.httpRequests();
  const cpu = cpuNow(nodePid);
  const loop = opts.loopDelay === false ? null : monitorEventLoopDelay({ resolution: 1 });
  loop?.enable();
  return () => {
    const end = cpuNow(nodePid);
    loop?.disable();
    const ms = (ns: number): number => ns / 1e6;
    return {
      loopDelay: loop === null ? [] : [{ p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) }],
      rpc: rpc.since(calls),
      newSockets: clientSockets - sockets,
      sqlStatements: sqlStatements - statements,
      gc: {
        minorMs: gcTotals.minorMs - gc0.minorMs,
        minor: gcTotals.minor - gc0.minor,
        majorMs: gcTotals.majorMs - gc0.majorMs,
        major: gcTotals.major - gc0.major,
      },
      httpRequests: rpc.httpRequests() - requests,
      cpuSelfMs: end.self - cpu.self,
      cpuMainMs: end.main === null || cpu.main === null ? null : end.main - cpu.main,
      cpuNodeMs: end.node === null || cpu.node === null ? null : end.node - cpu.node,
      cpuClientsMs: null,
    };
  };
}

/** Two segments' usage as one (calls and CPU summed, one event-loop delay entry per segment). */
export function mergeUsage(a: Usage, b: Usage): Usage {
  const rpc = new Map<string, CallStats>();
  for (const [m, s] of [...a.rpc, ...b.rpc]) {
    const t = rpc.get(m) ?? { calls: 0, ms: 0 };
    rpc.set(m, { calls: t.calls + s.calls, ms: t.ms + s.ms });
  }
  return {
    rpc: [...rpc].sort((x, y) => y[1].calls - x[1].calls || x[0].localeCompare(y[0])),
    httpRequests: a.httpRequests + b.httpRequests,
    newSockets: a.newSockets + b.newSockets,
    sqlStatements: a.sqlStatements + b.sqlStatements,
    gc: {
      minorMs: a.gc.minorMs + b.gc.minorMs,
      minor: a.gc.minor + b.gc.minor,
      majorMs: a.gc.majorMs + b.gc.majorMs,
      major: a.gc.major + b.gc.major,
    },
    cpuSelfMs: a.cpuSelfMs + b.cpuSelfMs,
    cpuMainMs: a.cpuMainMs === null || b.cpuMainMs === null ? null : a.cpuMainMs + b.cpuMainMs,
    cpuNodeMs: a.cpuNodeMs === null || b.cpuNodeMs === null ? null : a.cpuNodeMs + b.cpuNodeMs,
    cpuClientsMs: a.cpuClientsMs === null || b.cpuClientsMs === null ? null : a.cpuClientsMs + b.cpuClientsMs,
    loopDelay: [...a.loopDelay, ...b.loopDelay],
  };
}
