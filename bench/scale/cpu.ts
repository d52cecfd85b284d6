/**
 * Where a probe's CPU goes (bench/scale): on the 2-core machine three processes share the cores
 * for every request, the bench's client, the relayer and (on Postgres) the server backends of the
 * relayer's pool. A ProbeMeter reads each one's CPU time before and after the measured requests
 * of a probe (not the warm-up):
 *  - client: process.cpuUsage() of the probe process (probe-child.ts; user + system, all its threads);
 *  - relayer: the relayer process's process.cpuUsage(), asked over IPC (serve-child.ts);
 *  - postgres: the backends whose application_name is the relayer's (the bench gives the relayer
 *    a name of its own, see relayerAppName), found in pg_stat_activity through a connection of
 *    the bench's own (whose backend has another name, so is not counted), each read from
 *    /proc/<pid>/schedstat (ns on the CPU; a backend is one thread) or, where that file is
 *    missing, utime + stime of /proc/<pid>/stat (clock ticks). A backend opened during the
 *    probe (the pool grows from the warm-up's one connection to the concurrency's) counts from
 *    its start; one that ended during the probe is lost and counted in `lostBackends`.
 * The server's other processes (WAL writer, checkpointer, autovacuum) are not counted.
 */
import fs from "node:fs";
import { Client } from "pg";

/** CPU microseconds spent by each process over one measured section. */
export interface CpuSpent {
  clientUs: number;
  relayerUs: number;
  /** null when the relayer does not use Postgres. */
  postgresUs: number | null;
  /** Backends of the relayer seen at the start and gone at the end (their last CPU is missing). */
  lostBackends: number;
}

/** Reads the CPU of the measured section: `start` just before the first request, the function it returns just after the last answer. */
export interface ProbeMeter {
  start(): Promise<() => Promise<CpuSpent>>;
}

/** The application_name the bench gives the Postgres connections of a relayer process. */
export const relayerAppName = (tag: string): string => `scale_relayer_${tag}`;

/** `databaseUrl` with its application_name set. */
export function withAppName(databaseUrl: string, name: string): string {
  const u = new URL(databaseUrl);
  u.searchParams.set("application_name", name);
  return u.toString();
}

const TICK_US = 1e6 / 100; // CLK_TCK is 100 on Linux

/** CPU microseconds of a single-threaded process so far, or null when it is gone. */
export function processCpuUs(pid: number): number | null {
  try {
    const ns = Number(fs.readFileSync(`/proc/${pid}/schedstat`, "latin1").split(" ")[0]);
    if (Number.isFinite(ns)) return ns / 1000;
  } catch {
    // no schedstat (or the process is gone): try stat
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) * TICK_US;
  } catch {
    return null;
  }
}

const cpuUs = (u: NodeJS.CpuUsage): number => u.user + u.system;

/** The CPU of Postgres backends by application_name, read through a connection of the bench's own. */
export class PgBackends {
  private constructor(
    private readonly client: Client,
    private readonly appName: string,
  ) {}

  static async open(databaseUrl: string, appName: string): Promise<PgBackends> {
    const client = new Client({ connectionString: withAppName(databaseUrl, "scale_bench_meter") });
    await client.connect();
    return new PgBackends(client, appName);
  }

  /** CPU microseconds so far of each backend of the relayer, by pid. */
  async sample(): Promise<Map<number, number>> {
    const r = await this.client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [this.appName]);
    const out = new Map<number, number>();
    for (const { pid } of r.rows) {
      const us = processCpuUs(pid);
      if (us !== null) out.set(pid, us);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** The meter of a probe: this process, the relayer's CPU through `relayerCpuUs`, and the Postgres backends when given. */
export function probeMeter(relayerCpuUs: () => Promise<number>, pg: PgBackends | null): ProbeMeter {
  return {
    async start() {
      const pg0 = pg ? await pg.sample() : null;
      const relayer0 = await relayerCpuUs();
      // The client's own reading last before the requests, first after them: the two IPC and
      // query round trips above are outside its figure.
      const client0 = cpuUs(process.cpuUsage());
      return async () => {
        const clientUs = cpuUs(process.cpuUsage()) - client0;
        const relayerUs = (await relayerCpuUs()) - relayer0;
        if (!pg || !pg0) return { clientUs, relayerUs, postgresUs: null, lostBackends: 0 };
        const pg1 = await pg.sample();
        let postgresUs = 0;
        let lostBackends = 0;
        for (const [pid, us] of pg1) postgresUs += us - (pg0.get(pid) ?? 0);
        for (const pid of pg0.keys()) if (!pg1.has(pid)) lostBackends++;
        return { clientUs, relayerUs, postgresUs, lostBackends };
      };
    },
  };
}
