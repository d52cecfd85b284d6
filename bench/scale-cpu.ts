/**
 * CPU per request of scale-benchmark probes on a kept Postgres index: the relayer process's CPU
 * and the CPU of its Postgres backends (utime + stime from /proc, so the figure moves less with
 * the machine's load than a latency does), with p50/p99 of the same requests.
 *
 *     SCALE_PROBES=lit_action S=<schema> node -r ts-node/register/transpile-only bench/scale-cpu.ts
 *
 * The schema must hold an index filled with the spec below (bench/scale-queries.ts with
 * QUERIES_SCHEMA fills and keeps one). Starts the benchmark's relayer process (scale/serve-child.ts)
 * with application_name=scalecpu so its backends can be found in pg_stat_activity; per probe: 20
 * sequential and WARM (300) concurrent warm-up requests, then N (2000) at concurrency 8, the
 * relayer's and its backends' CPU read before and after. Linux only (reads /proc).
 *
 * Settings: S (schema, pglit_q) SCALE_PROBES (names containing it) N WARM SCALE_DATABASE_URL and the
 * spec: SCALE_ACCOUNTS (20000) SCALE_GROUPS (100000) SCALE_ACTIONS (100000) SCALE_WALLETS (10000).
 */
import { fork } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { SocketClient } from "./scale/http-client";
import { scaleProbes, sendProbe } from "./scale/reads";
import type { FromServer } from "./scale/serve-child";

const env = (name: string, fallback: number): number => Number(process.env[name] || fallback);

/** utime + stime of a process, in clock ticks (10 ms). */
function cpuTicks(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(f[11]) + Number(f[12]);
}

async function main(): Promise<void> {
  const spec = {
    accounts: env("SCALE_ACCOUNTS", 20_000),
    groups: env("SCALE_GROUPS", 100_000),
    actions: env("SCALE_ACTIONS", 100_000),
    wallets: env("SCALE_WALLETS", 10_000),
    usageKeys: 50,
  };
  const url = process.env.SCALE_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const serve = { dataDir: "/tmp", databaseUrl: `${url}?application_name=scalecpu`, schema: process.env.S ?? "pglit_q" };
  const child = fork(path.join(__dirname, "scale/serve-child.ts"), [JSON.stringify(serve)], {
    execArgv: ["-r", "ts-node/register/transpile-only"],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.on("message", (m: FromServer) => (m.type === "listening" ? resolve(m.port) : m.type === "error" ? reject(new Error(m.error)) : undefined));
  });
  const client = new SocketClient(port, 8);
  const pg = new Client({ connectionString: url });
  await pg.connect();
  const only = (process.env.SCALE_PROBES ?? "").toLowerCase();
  const n = env("N", 2000);
  const warm = env("WARM", 300);
  try {
    for (const p of scaleProbes(spec).filter((x) => x.name.toLowerCase().includes(only))) {
      for (let i = 0; i < 20; i++) await sendProbe(client, p);
      const burst = async (count: number, times?: number[]): Promise<void> => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < count) {
              next++;
              const t0 = performance.now();
              await sendProbe(client, p);
              times?.push(performance.now() - t0);
            }
          }),
        );
      };
      await burst(warm);
      const pids = (await pg.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'scalecpu'")).rows.map((r) => r.pid);
      const pgTicks = (): number => pids.reduce((sum, pid) => sum + cpuTicks(pid), 0);
      const [c0, p0] = [cpuTicks(child.pid as number), pgTicks()];
      const times: number[] = [];
      await burst(n, times);
      const [c1, p1] = [cpuTicks(child.pid as number), pgTicks()];
      times.sort((a, b) => a - b);
      const q = (x: number): string => times[Math.min(times.length - 1, Math.ceil(x * times.length) - 1)].toFixed(2);
      console.log(
        `${p.name}: relayer ${(((c1 - c0) * 10_000) / n).toFixed(0)} us/req, postgres ${(((p1 - p0) * 10_000) / n).toFixed(0)} us/req ` +
          `(${pids.length} backends), p50 ${q(0.5)} p99 ${q(0.99)} ms`,
      );
    }
  } finally {
    await pg.end();
    client.close();
    child.send({ type: "stop" });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
