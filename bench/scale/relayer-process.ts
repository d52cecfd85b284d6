/**
 * The parent side of the scale benchmark's reads: starts a relayer process (serve-child.ts) on a
 * filled index, and from this process, over a real TCP socket (http-client.ts, `concurrency`
 * keep-alive sockets), measures the cold start and every probe of the spec (reads.ts), sampling
 * the relayer's resident memory after each probe, and each process's CPU per request of each
 * probe (cpu.ts: this process, the relayer process, and on Postgres the relayer's backends).
 *
 * Cold start: from the start of the relayer process's main (before it opens the store; its modules
 * are loaded by then) to the end of the first answer this process receives, both read on the
 * machine's clock (performance.timeOrigin + performance.now() on each side).
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { PgBackends, probeMeter, relayerAppName } from "./cpu";
import type { ScaleSpec } from "./dataset";
import { SocketClient, type ProbeClient } from "./http-client";
import { NodeHttpClient } from "./node-http-client";
import { measureProbe, scaleProbes, sendProbe, type ProbeFigures } from "./reads";
import type { FromServer, ServeJob, ToServer } from "./serve-child";

export interface ReadsJob extends ServeJob {
  spec: ScaleSpec;
  requests: number;
  concurrency: number;
  warmup: number;
  /** Only the probes whose name matches this regular expression (SCALE_PROBES); all when unset. */
  only?: string;
  /** The probe client: the lean socket client (default) or node:http's, for comparison. */
  client?: ClientKind;
}

export type ClientKind = "socket" | "node-http";

export function probeClient(kind: ClientKind, port: number, sockets: number): ProbeClient {
  return kind === "node-http" ? new NodeHttpClient(port, sockets) : new SocketClient(port, sockets);
}

export interface ReadsReport {
  coldStartMs: number;
  figures: ProbeFigures[];
  /** The relayer process's resident memory after the last probe. */
  rssBytes: number;
  /** Its largest resident memory sampled after the first answer and after each probe. */
  peakRssBytes: number;
}

/** A relayer process and a queue of its IPC messages. */
class Relayer {
  private readonly queue: FromServer[] = [];
  private waiting: ((m: FromServer) => void) | null = null;
  private failure: Error | null = null;
  readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcess) {
    proc.on("message", (m: FromServer) => {
      if (m.type === "error") this.fail(new Error(`relayer process: ${m.error}`));
      else if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(m);
      } else this.queue.push(m);
    });
    this.exited = new Promise((resolve) =>
      proc.on("exit", (code) => {
        this.fail(new Error(`relayer process exited with ${code}`));
        resolve(code);
      }),
    );
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = null;
    // A waiter gets the failure through next()'s rejection below.
    if (w) w({ type: "error", error: e.message });
  }

  async next<T extends FromServer["type"]>(type: T): Promise<Extract<FromServer, { type: T }>> {
    const m =
      this.queue.shift() ??
      (this.failure ? null : await new Promise<FromServer>((resolve) => (this.waiting = resolve)));
    if (m === null || m.type === "error") throw this.failure ?? new Error("relayer process failed");
    if (m.type !== type) throw new Error(`relayer process: expected ${type}, got ${m.type}`);
    return m as Extract<FromServer, { type: T }>;
  }

  send(m: ToServer): void {
    this.proc.send(m);
  }

  async rss(): Promise<number> {
    this.send({ type: "rss" });
    return (await this.next("rss")).rssBytes;
  }

  async cpuUs(): Promise<number> {
    this.send({ type: "cpu" });
    return (await this.next("cpu")).cpuUs;
  }
}

let relayers = 0;

export async function measureReads(job: ReadsJob): Promise<ReadsReport> {
  const appName = relayerAppName(`${process.pid}_${++relayers}`);
  const serve: ServeJob = { dataDir: job.dataDir, databaseUrl: job.databaseUrl, schema: job.schema, appName };
  const relayer = new Relayer(
    fork(path.join(__dirname, "serve-child.ts"), [JSON.stringify(serve)], {
      execArgv: ["-r", "ts-node/register/transpile-only"],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    }),
  );
  let client: ProbeClient | null = null;
  let backends: PgBackends | null = null;
  try {
    const { port, startedAtMs } = await relayer.next("listening");
    client = probeClient(job.client ?? "socket", port, job.concurrency);
    if (job.databaseUrl) backends = await PgBackends.open(job.databaseUrl, appName);
    const meter = probeMeter(() => relayer.cpuUs(), backends);
    const only = job.only === undefined ? null : new RegExp(job.only);
    const probes = scaleProbes(job.spec).filter((p) => only === null || only.test(p.name));
    if (probes.length === 0) throw new Error(`no probe matches ${job.only}`);
    await sendProbe(client, probes[0]);
    const coldStartMs = performance.timeOrigin + performance.now() - startedAtMs;
    let rssBytes = await relayer.rss();
    let peakRssBytes = rssBytes;
    const figures: ProbeFigures[] = [];
    for (const p of probes) {
      figures.push(await measureProbe(client, p, job.requests, job.concurrency, job.warmup, meter));
      rssBytes = await relayer.rss();
      peakRssBytes = Math.max(peakRssBytes, rssBytes);
    }
    client.close();
    client = null;
    relayer.send({ type: "stop" });
    const code = await relayer.exited;
    if (code !== 0) throw new Error(`relayer process exited with ${code}`);
    return { coldStartMs, figures, rssBytes, peakRssBytes };
  } finally {
    client?.close();
    await backends?.close();
    if (relayer.proc.exitCode === null && relayer.proc.signalCode === null) relayer.proc.kill();
  }
}
