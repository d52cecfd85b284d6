/**
 * How long SQLite's checkpoint blocks the event loop, and what moving it to a worker thread changes
 * (docs/relayer-latency.md, "SQLite's checkpoints off the event loop").
 *
 * Part 1, the automatic checkpoint alone: one better-sqlite3 connection as the store configures it
 * (WAL, synchronous = NORMAL, wal_autocheckpoint 1000), one durable-sized insert per COMMIT; each
 * COMMIT is timed (it runs on the calling thread), and the commits during which the wal-index's
 * backfill count moved are the ones that ran the checkpoint.
 *
 * Part 2, the store's COMMIT alone, A/B: SqliteDb with checkpoints on the serving connection
 * (before) and on the worker thread (now), one durable insert at a time; the COMMIT's time on the
 * event loop is from the end of the transaction's function to the store's -wal sync, which it
 * calls right after the COMMIT (the walFileSync seam, still syncing for real).
 *
 * Part 3, the store A/B under load in one run: SqliteDb with checkpoints on the serving connection (before)
 * and in the worker thread (now), 8 closed-loop callers each committing one durable insert, the
 * event loop's delay sampled at 1 ms resolution.
 *
 * Usage: node --no-node-snapshot --require ts-node/register/transpile-only bench/sqlite-checkpoint.ts
 * (BENCH_SECONDS, default 3, per store run; BENCH_ROUNDS, default 2, A/B pairs).
 */
import fs from "fs";
import os from "os";
import path from "path";
import { monitorEventLoopDelay, performance } from "perf_hooks";
import Database from "better-sqlite3";
import { SqliteDb } from "../src/relayer/store";
import { WalIndexReader } from "../src/relayer/store/wal-index";
import { fdatasync } from "../src/relayer/store/wal-sync";

const ROW = "x".repeat(2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x: number): string => x.toFixed(2);
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "relayer-ckpt-bench-"));

function automaticCheckpoint(commits: number): void {
  const dir = tmp();
  const file = path.join(dir, "db.sqlite");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY, body TEXT)");
  const insert = db.prepare("INSERT INTO o (body) VALUES (?)");
  const index = new WalIndexReader(`${file}-shm`);
  const plain: number[] = [];
  const checkpointing: number[] = [];
  const restarting: number[] = [];
  for (let i = 0; i < commits; i++) {
    const before = index.read();
    db.exec("BEGIN IMMEDIATE");
    insert.run(ROW);
    const t0 = performance.now();
    db.exec("COMMIT");
    const took = performance.now() - t0;
    const after = index.read();
    if (before !== null && after !== null && after.backfilled > before.backfilled) checkpointing.push(took);
    else if (before !== null && after !== null && after.frames < before.frames) restarting.push(took);
    else plain.push(took);
  }
  index.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`part 1: ${commits} commits of one 2 kB row, automatic checkpoint on the connection`);
  console.log(`  plain commits:          n=${plain.length} p50 ${ms(pct(plain, 50))} ms, p99 ${ms(pct(plain, 99))} ms, max ${ms(Math.max(...plain))} ms`);
  console.log(
    `  commits that checkpointed: n=${checkpointing.length} p50 ${ms(pct(checkpointing, 50))} ms, max ${ms(Math.max(...checkpointing))} ms` +
      ` (${ms(pct(checkpointing, 50) / pct(plain, 50))}x a plain commit's p50)`,
  );
  console.log(`  commits that restarted the WAL (header synced): n=${restarting.length} p50 ${ms(pct(restarting, 50))} ms, max ${ms(Math.max(...restarting))} ms`);
}

async function commitsAlone(checkpoints: "connection" | "worker", commits: number): Promise<void> {
  const dir = tmp();
  const file = path.join(dir, "db.sqlite");
  let ended = 0;
  const took: number[] = [];
  const db = new SqliteDb(file, {
    checkpoints,
    walFileSync: async (fd) => {
      if (ended > 0) took.push(performance.now() - ended);
      ended = 0;
      await fdatasync(fd);
    },
  });
  await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY, body TEXT)");
  for (let i = 0; i < 100; i++) await db.tx(async (tx) => tx.run("INSERT INTO o (body) VALUES ($1)", [ROW]));
  took.length = 0;
  for (let i = 0; i < commits; i++) {
    await db.tx(async (tx) => {
      await tx.run("INSERT INTO o (body) VALUES ($1)", [ROW]);
      ended = performance.now();
    });
  }
  const mode = db.checkpointStatus();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    `  ${checkpoints.padEnd(10)} COMMIT p50 ${ms(pct(took, 50))} ms, p99 ${ms(pct(took, 99))} ms, max ${ms(Math.max(...took))} ms,` +
      ` ${took.filter((t) => t > 2).length} over 2 ms (thread checkpoints: ${mode.threadCheckpoints})`,
  );
}

interface StoreRun {
  commits: number;
  delayP99: number;
  delayMax: number;
  blocksOver5: number;
  walMaxFrames: number;
}

async function storeRun(checkpoints: "connection" | "worker"): Promise<StoreRun> {
  const dir = tmp();
  const file = path.join(dir, "db.sqlite");
  const db = new SqliteDb(file, { checkpoints });
  await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY, body TEXT)");
  const index = new WalIndexReader(`${file}-shm`);
  let walMaxFrames = 0;
  // warm-up: the worker starting, the first WAL cycle
  for (let i = 0; i < 200; i++) await db.tx(async (tx) => tx.run("INSERT INTO o (body) VALUES ($1)", [ROW]));
  const h = monitorEventLoopDelay({ resolution: 1 });
  let blocksOver5 = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    if (now - last > 6) blocksOver5++;
    last = now;
  }, 1);
  h.enable();
  const end = performance.now() + SECONDS * 1000;
  let commits = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < end) {
        await db.tx(async (tx) => tx.run("INSERT INTO o (body) VALUES ($1)", [ROW]));
        commits++;
        walMaxFrames = Math.max(walMaxFrames, index.read()?.frames ?? 0);
      }
    }),
  );
  h.disable();
  clearInterval(ticker);
  index.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { commits, delayP99: h.percentile(99) / 1e6, delayMax: h.max / 1e6, blocksOver5, walMaxFrames };
}

async function main(): Promise<void> {
  console.log(`load average before: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  automaticCheckpoint(Number(process.env.BENCH_COMMITS ?? 6000));
  const alone = Number(process.env.BENCH_COMMITS ?? 6000);
  console.log(`part 2: SqliteDb, ${alone} durable commits of one 2 kB row, one at a time: the COMMIT on the event loop`);
  for (let r = 0; r < ROUNDS; r++) for (const mode of ["connection", "worker"] as const) await commitsAlone(mode, alone);
  console.log(`part 3: SqliteDb, 8 closed-loop callers, one durable 2 kB insert each, ${SECONDS} s per run`);
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of ["connection", "worker"] as const) {
      const x = await storeRun(mode);
      console.log(
        `  ${mode.padEnd(10)} ${(x.commits / SECONDS).toFixed(0)} commits/s, loop delay p99 ${ms(x.delayP99)} ms, max ${ms(x.delayMax)} ms,` +
          ` ${x.blocksOver5} stalls > 5 ms, WAL at most ${x.walMaxFrames} frames`,
      );
    }
  }
  console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
}

void main();
