/**
 * The client process of the relayer write benchmark (bench/relayer.ts): the closed-loop HTTP
 * clients that post /core/v1/add_group to the relayer, in a Node process of their own, as a
 * deployed relayer's clients are other machines. Before, they ran on the benchmark process's event
 * loop next to the relayer and took ~10% of its main thread, and the benchmark process's CPU per
 * write included them (docs/relayer-latency.md, "The benchmark's clients in a process of their
 * own"). As bench/scale/probe-child.ts does for the scale benchmark's reads.
 *
 * The benchmark starts it ONCE per run (startClientProcess) and sends it one job at a time over
 * IPC (ClientProcess.run): the warm-up and each measured run of every relayer start. Keeping it up
 * costs nothing between jobs and spares a ts-node start (~1-2 s of CPU) per relayer start; its
 * keep-alive sockets to a stopped relayer are dropped by the agent and opened anew on the next
 * start (the relayer listens on a new port each time). It ends when the benchmark stops it, kills
 * it, or its IPC channel closes (the benchmark exited); it ignores SIGINT so that a Ctrl-C (sent to
 * the whole process group) is handled by the benchmark, which then stops it.
 *
 * Run by the benchmark with `node -r ts-node/register/transpile-only`; not for direct use.
 */
import { fork, type ChildProcess } from "node:child_process";
import { errText, now, pool } from "./helpers";
import { clientAgent, post } from "./http-client";

/** One run of the clients: `count` add_group writes at `concurrency`, group names `${namePrefix}${offset + i}`. */
export interface ClientJob {
  /** The relayer's add_group URL. */
  url: string;
  apiKey: string;
  count: number;
  concurrency: number;
  namePrefix: string;
  offset: number;
}

/** What a job measured, in the client process. */
export interface ClientReport {
  /** Wall time of the whole job (first request sent to last answer), ms. */
  wallMs: number;
  /** Per successful write: from its request to its HTTP response, ms. */
  latencies: number[];
  ok: number;
  /** Per failed write: the refusal (HTTP status and body) or the network error. */
  failures: string[];
  /** The client process's CPU time during the job (process.cpuUsage delta, user + system), ms. */
  cpuMs: number;
}

/** Benchmark -> client process. */
type ToClients = { type: "job"; id: number; job: ClientJob };
/** Client process -> benchmark. */
type FromClients =
  | { type: "ready" }
  | { type: "report"; id: number; report: ClientReport }
  | { type: "error"; id: number; error: string };

/** Runs a job's writes (in the client process); a write is ok when answered 200 with success and a group_id. */
export async function runClientJob(job: ClientJob): Promise<ClientReport> {
  const latencies: number[] = [];
  const failures: string[] = [];
  const cpu0 = process.cpuUsage();
  const wallMs = await pool(job.count, job.concurrency, async (i) => {
    const t0 = now();
    try {
      const res = await post(
        job.url,
        { group_name: `${job.namePrefix}${job.offset + i}`, group_description: "bench", pkp_ids_permitted: [], cid_hashes_permitted: [] },
        job.apiKey,
      );
      const body = res.body as { success?: unknown; group_id?: unknown } | null;
      if (res.status !== 200 || body?.success !== true || typeof body.group_id !== "string") {
        throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      }
      latencies.push(now() - t0);
    } catch (e) {
      failures.push(errText(e));
    }
  });
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, latencies, ok: latencies.length, failures, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** The benchmark's handle on its client process: one job at a time. */
export class ClientProcess {
  private nextId = 1;
  private pending: { id: number; resolve: (r: ClientReport) => void; reject: (e: Error) => void } | null = null;
  /** Set once the process is gone (or being stopped): every job then fails with it. */
  private gone: Error | null = null;
  /** Settles when the process has exited. */
  readonly exited: Promise<void>;

  constructor(private readonly proc: ChildProcess) {
    proc.on("message", (m: FromClients) => {
      const p = this.pending;
      if (m.type === "ready" || p === null || m.id !== p.id) return;
      this.pending = null;
      if (m.type === "report") p.resolve(m.report);
      else p.reject(new Error(`client process: ${m.error}`));
    });
    this.exited = new Promise((resolve) => {
      proc.on("exit", (code, signal) => {
        this.fail(new Error(`client process (bench/relayer/client-process.ts, pid ${proc.pid}) exited with ${signal ?? `code ${code}`}`));
        resolve();
      });
    });
    proc.on("error", (err) => this.fail(new Error(`client process: ${err.message}`)));
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  private fail(err: Error): void {
    this.gone ??= err;
    const p = this.pending;
    this.pending = null;
    p?.reject(this.gone);
  }

  /** Runs one job in the client process; rejects if the process is gone or exits before its report. */
  run(job: ClientJob): Promise<ClientReport> {
    if (this.gone) return Promise.reject(this.gone);
    if (this.pending) return Promise.reject(new Error("client process: a job is already running"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.proc.send({ type: "job", id, job } satisfies ToClients, (err: Error | null) => {
        if (err) this.fail(new Error(`client process: cannot send the job: ${err.message}`));
      });
    });
  }

  /** Ends the process (SIGTERM; its job, if any, fails) and waits for its exit. Idempotent. */
  async stop(): Promise<void> {
    this.kill();
    await this.exited;
  }

  /** Sends SIGTERM without waiting (the SIGINT path of the benchmark, which exits right after). */
  kill(): void {
    this.fail(new Error("client process stopped by the benchmark"));
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGTERM");
  }
}

/** Forks the client process and waits until it is ready for jobs. */
export function startClientProcess(): Promise<ClientProcess> {
  const proc = fork(__filename, [], {
    execArgv: ["-r", "ts-node/register/transpile-only"],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      reject(new Error(`client process exited with ${signal ?? `code ${code}`} before it was ready`));
    proc.once("error", reject);
    proc.once("exit", onExit);
    proc.once("message", () => {
      proc.off("exit", onExit);
      proc.off("error", reject);
      resolve(new ClientProcess(proc));
    });
  });
}

function main(): void {
  process.on("SIGINT", () => undefined); // the benchmark handles Ctrl-C and stops this process
  process.on("disconnect", () => {
    clientAgent.destroy();
    process.exit(0);
  });
  process.on("message", (m: ToClients) => {
    if (m.type !== "job") return;
    runClientJob(m.job).then(
      (report) => process.send?.({ type: "report", id: m.id, report } satisfies FromClients),
      (err: unknown) => process.send?.({ type: "error", id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies FromClients),
    );
  });
  process.send?.({ type: "ready" } satisfies FromClients);
}

if (require.main === module) main();
