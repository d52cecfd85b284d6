/**
 * The SQLite store's WAL sync inline on the event loop vs on libuv's thread pool, A/B
 * (docs/relayer-latency.md, "Ninth pass: the WAL sync inline while it is fast").
 * Each run: one SqliteDb (the store's configuration) in os.tmpdir(), 8 closed-loop callers each
 * committing one durable 200-byte insert, plus a loop-load task taking ~0.2 ms chunks of the event
 * loop every 1 ms (the relayer's loop is busy with HTTP, receipts and signing). Reported per run:
 * commits/s, p50/p90 of a commit (tx() call to settle), CPU ms per commit, and where syncs ran.
 * Runs alternate inline (default walInlineSyncBelowMs) and pool (0): A B B A ...
 *
 * Usage: node --no-node-snapshot --require ts-node/register/transpile-only bench/sqlite-wal-sync.ts
 * (BENCH_SECONDS, default 3, per run; BENCH_ROUNDS, default 2, pairs; BENCH_CALLERS, default 8).
 */
import fs from "fs";
import os from "os";
import path from "path";
import { performance } from "perf_hooks";
import { SqliteDb } from "../src/relayer/store";
import { percentile } from "./relayer/helpers";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 8);
const ROW = "x".repeat(200);

/** Nearest-rank percentile of `xs` (any order). */
const pct = (xs: number[], p: number): number => percentile([...xs].sort((a, b) => a - b), p);

async function run(label: string, inlineBelowMs: number | undefined): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-wal-sync-bench-"));
  const inlineMs: number[] = [];
  const db = new SqliteDb(path.join(dir, "db.sqlite"), {
    ...(inlineBelowMs === undefined ? {} : { walInlineSyncBelowMs: inlineBelowMs }),
    // The default inline sync, timed (the pool sync stays the default one).
    walFileSyncInline: (fd) => {
      const t0 = performance.now();
      fs.fdatasyncSync(fd);
      inlineMs.push(performance.now() - t0);
    },
  });
  await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY, body TEXT)");
  for (let i = 0; i < 200; i++) await db.tx(async (tx) => tx.run("INSERT INTO o (body) VALUES ($1)", [ROW]));
  const took: number[] = [];
  inlineMs.length = 0;
  let stop = false;
  let loadMs = 0;
  const load = setInterval(() => {
    const t0 = performance.now();
    while (performance.now() - t0 < 0.2) {
      /* busy: another task on the loop */
    }
    loadMs += performance.now() - t0;
  }, 1);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const caller = async (): Promise<void> => {
    while (!stop) {
      const t0 = performance.now();
      await db.tx(async (tx) => tx.run("INSERT INTO o (body) VALUES ($1)", [ROW]));
      took.push(performance.now() - t0);
    }
  };
  setTimeout(() => (stop = true), SECONDS * 1000);
  await Promise.all(Array.from({ length: CALLERS }, caller));
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(load);
  const st = db.walSyncStatus();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const cpuMs = (cpu.user + cpu.system) / 1000 - loadMs;
  console.log(
    `${label.padEnd(7)} ${(took.length / wall).toFixed(0).padStart(6)} commits/s  p50 ${pct(took, 50).toFixed(2)} ms  p90 ${pct(took, 90).toFixed(2)} ms` +
      `  CPU ${(cpuMs / took.length).toFixed(3)} ms/commit (without the load task)  syncs inline ${st?.inlineSyncs} pool ${st?.poolSyncs}` +
      (inlineMs.length > 0 ? ` (inline sync p50 ${pct(inlineMs, 50).toFixed(2)} p90 ${pct(inlineMs, 90).toFixed(2)} ms)` : ""),
  );
}

async function main(): Promise<void> {
  console.log(`${CALLERS} callers, ${SECONDS} s per run, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (let r = 0; r < ROUNDS; r++) {
    const order: [string, number | undefined][] = r % 2 === 0 ? [["inline", undefined], ["pool", 0]] : [["pool", 0], ["inline", undefined]];
    for (const [label, v] of order) await run(label, v);
  }
  console.log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

void main();
