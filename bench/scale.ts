/**
 * Scale benchmark of the relayer's index (issue 16): reads, permission pre-checks, memory and the
 * indexer's catch-up at a million accounts, on SQLite and on Postgres.
 *
 *     npm run bench:scale            (= hardhat run bench/scale.ts; no chain is started)
 *
 * For each database (SQLite in a temporary directory; Postgres at SCALE_DATABASE_URL in a schema
 * of its own, dropped at the end) and each of two sizes (the baseline, then the full size):
 *  1. fill: an empty index is filled through the projection (store.index.projection.applyBlock,
 *     what the indexer calls per block; one transaction per block) with the synthetic history of
 *     bench/scale/dataset.ts: `accounts` accounts, one of which holds `groups` groups, `actions`
 *     actions, `wallets` wallets and `usage keys`;
 *  2. reads: a fresh relayer process (bench/scale/serve-child.ts: openStore + the HTTP app over
 *     the real services, writes refused by a counting Writer after their pre-checks) listens on a
 *     TCP port of 127.0.0.1; a probe process of its own (bench/scale/probe-child.ts, running
 *     bench/scale/relayer-process.ts: the load generator holds nothing else, so no pause of this
 *     process's large heap stalls the requests in flight) measures the time from the relayer's
 *     start to the first answer it receives (cold start), then sends every /core/v1 read at its
 *     first, middle and last page, account_exists, and the permission pre-checks of lit_action and
 *     of each write: p50 and p99 (nearest rank) over SCALE_REQUESTS requests from
 *     SCALE_CONCURRENCY closed-loop clients on as many keep-alive sockets (http-client.ts), after
 *     SCALE_WARMUP untimed ones at the same concurrency; and the relayer's resident memory after
 *     each probe. The database size is measured after the fill.
 *     Over a socket, not fastify's in-process inject(): no deployment serves through inject(), and
 *     inject()'s request/response objects survive V8's young-generation collections (a few MB
 *     promoted per scavenge, a mark-compact every few), which added a stall of the transport's own
 *     to the p99s (bench/results/scale.md, "The SQLite tail").
 * Then, per database, the indexer's catch-up: a local JSON-RPC node (bench/scale/log-stream.ts)
 * serves the stream history as real diamond logs, and the relayer's Indexer (chain/indexer.ts,
 * over HttpRpc) catches up from block 0 to its head; events/s is the stream's events over that time.
 *
 * Ratios are full / baseline of the same run. The table goes to bench/results/scale.md between
 * the table markers (the notes around them are kept).
 *
 * Settings (environment, optional):
 *   SCALE_ACCOUNTS (1000000) SCALE_GROUPS (100000) SCALE_ACTIONS (100000) SCALE_WALLETS (10000)
 *   SCALE_USAGE_KEYS (50)    SCALE_BASE_ACCOUNTS (1000) SCALE_BASE_GROUPS (1000)
 *   SCALE_BASE_ACTIONS (1000) SCALE_BASE_WALLETS (1000)
 *   SCALE_DBS ("sqlite,postgres") SCALE_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test)
 *   SCALE_REQUESTS (5000) SCALE_CONCURRENCY (8) SCALE_WARMUP (200) SCALE_PER_BLOCK (500)
 *   SCALE_STREAM_ACCOUNTS (130000) SCALE_STREAM_GROUPS (20000) SCALE_STREAM_ACTIONS (20000)
 *   SCALE_STREAM_WALLETS (5000) SCALE_STREAM_PER_BLOCK (100) SCALE_STREAM (1; 0 skips the indexer part)
 *   SCALE_READS (1; 0 skips the fill and reads part: the indexer's catch-up only)
 *   SCALE_RESULTS (bench/results/scale.md; "-" prints only)
 *   SCALE_PG_VACUUM (1): after a Postgres fill, VACUUM (ANALYZE) the schema's tables (timed; see
 *     vacuumAfterFill); 0 measures the reads on the index as the fill left it
 *   SCALE_PROBES (unset = all): only the probes whose name matches this regular expression, e.g.
 *     "^list_" for the lists (the first one matched also times the cold start)
 *   SCALE_CLIENT ("socket": the lean keep-alive client of bench/scale/http-client.ts; "node-http":
 *     node:http's, which it replaced, for comparing the client's own CPU)
 *   SCALE_SQLITE_DIR (unset): keep the SQLite indexes in <dir>/base and <dir>/full instead of a
 *     temporary directory, and reuse one that a previous run filled with the same sizes (its fill
 *     is skipped; the fill figures printed are those of the run that filled it, from
 *     <dir>/<label>/filled.json). For iterating on the read side without a 3-minute fill each time.
 *   SCALE_PG_SCHEMA (unset): the same for Postgres: keep the indexes in the schemas <name>_base and
 *     <name>_full of SCALE_DATABASE_URL instead of dropping them, and reuse one that a previous run
 *     filled with the same sizes (the fill's figures are kept in its table scale_filled, written
 *     once the fill has finished). A kept schema is migrated when the relayer process opens it: a
 *     migration added since the fill runs on the filled index, inside that run's cold start.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { HttpRpc } from "../src/relayer/chain/rpc";
import { Indexer } from "../src/relayer/chain/indexer";
import { openStore, type Store } from "../src/relayer/store";
import { scaleEventCount, type ScaleSpec } from "./scale/dataset";
import { fillIndex } from "./scale/fill";
import { STREAM_DIAMOND, serveLogStream } from "./scale/log-stream";
import type { ProbeFigures } from "./scale/reads";
import { measureReadsApart } from "./scale/probe-child";
import type { ClientKind, ReadsReport } from "./scale/relayer-process";

type DbName = "sqlite" | "postgres";

const env = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === "" ? fallback : Number(v);
};

const FULL: ScaleSpec = {
  accounts: env("SCALE_ACCOUNTS", 1_000_000),
  groups: env("SCALE_GROUPS", 100_000),
  actions: env("SCALE_ACTIONS", 100_000),
  wallets: env("SCALE_WALLETS", 10_000),
  usageKeys: env("SCALE_USAGE_KEYS", 50),
};
const BASE: ScaleSpec = {
  accounts: env("SCALE_BASE_ACCOUNTS", 1_000),
  groups: env("SCALE_BASE_GROUPS", 1_000),
  actions: env("SCALE_BASE_ACTIONS", 1_000),
  wallets: env("SCALE_BASE_WALLETS", 1_000),
  usageKeys: FULL.usageKeys,
};
const STREAM: ScaleSpec = {
  accounts: env("SCALE_STREAM_ACCOUNTS", 130_000),
  groups: env("SCALE_STREAM_GROUPS", 20_000),
  actions: env("SCALE_STREAM_ACTIONS", 20_000),
  wallets: env("SCALE_STREAM_WALLETS", 5_000),
  usageKeys: FULL.usageKeys,
};
const DBS = (process.env.SCALE_DBS ?? "sqlite,postgres").split(",").map((s) => s.trim()) as DbName[];
const DATABASE_URL = process.env.SCALE_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REQUESTS = env("SCALE_REQUESTS", 5000);
const CONCURRENCY = env("SCALE_CONCURRENCY", 8);
const WARMUP = env("SCALE_WARMUP", 200);
const PER_BLOCK = env("SCALE_PER_BLOCK", 500);
const STREAM_PER_BLOCK = env("SCALE_STREAM_PER_BLOCK", 100);
const RESULTS = process.env.SCALE_RESULTS ?? path.join(__dirname, "results", "scale.md");
const CLIENT = (process.env.SCALE_CLIENT || "socket") as ClientKind;
if (CLIENT !== "socket" && CLIENT !== "node-http") throw new Error(`SCALE_CLIENT: "socket" or "node-http", not ${String(CLIENT)}`);
const CORES = os.cpus().length;

interface Where {
  dataDir: string;
  databaseUrl?: string;
  schema?: string;
  /** A kept SQLite directory (SCALE_SQLITE_DIR): never removed. */
  kept?: boolean;
  /** A kept Postgres schema (SCALE_PG_SCHEMA): never dropped. */
  keptSchema?: boolean;
}

const SQLITE_DIR = process.env.SCALE_SQLITE_DIR;
const PG_SCHEMA = process.env.SCALE_PG_SCHEMA;
const PROBES = process.env.SCALE_PROBES || undefined;
const PG_VACUUM = process.env.SCALE_PG_VACUUM !== "0";

interface SizeRun {
  fillMs: number;
  /** Postgres: the VACUUM (ANALYZE) after the fill (SCALE_PG_VACUUM). */
  vacuumMs?: number;
  events: number;
  dbBytes: number;
  child: ReadsReport;
}

const log = (msg: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function where(db: DbName, label: string): Promise<Where> {
  if (db === "sqlite" && SQLITE_DIR && label !== "stream") {
    const dataDir = path.join(SQLITE_DIR, label);
    fs.mkdirSync(dataDir, { recursive: true });
    return { dataDir, kept: true };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `scale-${label}-`));
  if (db === "sqlite") return { dataDir };
  if (PG_SCHEMA && label !== "stream") return { dataDir, databaseUrl: DATABASE_URL, schema: `${PG_SCHEMA}_${label}`, keptSchema: true };
  return { dataDir, databaseUrl: DATABASE_URL, schema: `scale_${label}_${process.pid}` };
}

/** What a kept index's fill gave (SCALE_SQLITE_DIR's filled.json, SCALE_PG_SCHEMA's scale_filled). */
interface FilledMarker {
  spec: ScaleSpec;
  fillMs: number;
  vacuumMs?: number;
  events: number;
  dbBytes: number;
}

async function readMarker(w: Where): Promise<FilledMarker | null> {
  if (w.kept) {
    const file = path.join(w.dataDir, "filled.json");
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as FilledMarker) : null;
  }
  if (!w.keptSchema) return null;
  // A plain connection: opening the store would migrate the schema here, outside the timed start.
  const client = new Client({ connectionString: w.databaseUrl });
  await client.connect();
  try {
    const t = await client.query<{ n: string | null }>("SELECT to_regclass($1)::text AS n", [`${w.schema}.scale_filled`]);
    if (!t.rows[0]?.n) return null;
    const row = await client.query<{ marker: string }>(`SELECT marker FROM ${w.schema}.scale_filled`);
    return row.rows[0] ? (JSON.parse(row.rows[0].marker) as FilledMarker) : null;
  } finally {
    await client.end();
  }
}

/** Starts a kept index afresh (another size, or a fill that did not finish). */
async function emptyKept(w: Where): Promise<void> {
  if (w.kept) {
    fs.rmSync(w.dataDir, { recursive: true, force: true });
    fs.mkdirSync(w.dataDir, { recursive: true });
  }
  if (w.keptSchema) {
    const s = await openStore({ dataDir: w.dataDir, databaseUrl: w.databaseUrl });
    await s.db.exec(`DROP SCHEMA IF EXISTS ${w.schema} CASCADE`);
    await s.close();
  }
}

async function writeMarker(store: Store, w: Where, marker: FilledMarker): Promise<void> {
  if (w.kept) fs.writeFileSync(path.join(w.dataDir, "filled.json"), JSON.stringify(marker));
  if (w.keptSchema) {
    await store.db.exec("CREATE TABLE scale_filled (marker TEXT NOT NULL)");
    await store.db.run("INSERT INTO scale_filled (marker) VALUES ($1)", [JSON.stringify(marker)]);
  }
}

async function dropWhere(w: Where): Promise<void> {
  if (w.schema && !w.keptSchema) {
    const s = await openStore({ dataDir: w.dataDir, databaseUrl: w.databaseUrl });
    await s.db.exec(`DROP SCHEMA IF EXISTS ${w.schema} CASCADE`);
    await s.close();
  }
  if (!w.kept) fs.rmSync(w.dataDir, { recursive: true, force: true });
}

async function dbSize(store: Store, w: Where): Promise<number> {
  if (store.dialect === "sqlite") {
    await store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return fs
      .readdirSync(w.dataDir)
      .filter((f) => f.startsWith("relayer.sqlite"))
      .reduce((sum, f) => sum + fs.statSync(path.join(w.dataDir, f)).size, 0);
  }
  const row = await store.db.one<{ n: string }>(
    `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::text AS n FROM pg_class c
     JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind = 'r'`,
    [w.schema],
  );
  return Number(row?.n ?? 0);
}

/**
 * Postgres: VACUUM (ANALYZE) every table of the filled schema, as autovacuum (on by default) does to
 * an index that grew over time; the test server of this project runs with autovacuum off, where a
 * freshly filled index has no planner statistics and keeps the dead version of every row the fill
 * updated (bench/results/scale.md, "Postgres list pages"). Returns its time (undefined: not run).
 */
async function vacuumAfterFill(store: Store, w: Where, label: string): Promise<number | undefined> {
  if (store.dialect !== "postgres" || !PG_VACUUM || !w.schema) return undefined;
  const tables = await store.db.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 ORDER BY 1", [w.schema]);
  const t0 = performance.now();
  // One table at a time, each named with its schema: a VACUUM without a table list would process
  // every table of the database, other schemas' included.
  for (const { t } of tables) await store.db.exec(`VACUUM (ANALYZE) "${w.schema}"."${t}"`);
  const ms = performance.now() - t0;
  log(`${label}: VACUUM (ANALYZE) of ${tables.length} tables in ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

async function runSize(db: DbName, label: string, spec: ScaleSpec): Promise<SizeRun> {
  const w = await where(db, label);
  try {
    const kept = await readMarker(w);
    if (kept) {
      if (JSON.stringify(kept.spec) === JSON.stringify(spec)) {
        log(`${db} ${label}: reusing the index filled in ${w.schema ?? w.dataDir}`);
        const child = await measureReadsApart({ spec, ...w, requests: REQUESTS, concurrency: CONCURRENCY, warmup: WARMUP, only: PROBES, client: CLIENT });
        log(`${db} ${label}: reads measured (cold start ${child.coldStartMs.toFixed(0)} ms, RSS ${(child.peakRssBytes / 2 ** 20).toFixed(0)} MB)`);
        return { fillMs: kept.fillMs, vacuumMs: kept.vacuumMs, events: kept.events, dbBytes: kept.dbBytes, child };
      }
    }
    // Another size or an unfinished fill: start from an empty index.
    await emptyKept(w);
    const store = await openStore(w);
    const total = scaleEventCount(spec);
    let shown = 0;
    log(`${db} ${label}: filling ${total} events`);
    const fill = await fillIndex(store, spec, {
      perBlock: PER_BLOCK,
      progress: (n) => {
        if (n - shown >= 100_000) {
          shown = n;
          log(`${db} ${label}: ${n} / ${total}`);
        }
      },
    });
    log(`${db} ${label}: filled in ${(fill.ms / 1000).toFixed(1)} s (${Math.round(fill.events / (fill.ms / 1000))} events/s)`);
    const dbBytes = await dbSize(store, w);
    const vacuumMs = await vacuumAfterFill(store, w, `${db} ${label}`);
    await writeMarker(store, w, { spec, fillMs: fill.ms, vacuumMs, events: fill.events, dbBytes });
    await store.close();
    const child = await measureReadsApart({ spec, ...w, requests: REQUESTS, concurrency: CONCURRENCY, warmup: WARMUP, only: PROBES, client: CLIENT });
    log(`${db} ${label}: reads measured (cold start ${child.coldStartMs.toFixed(0)} ms, RSS ${(child.peakRssBytes / 2 ** 20).toFixed(0)} MB)`);
    return { fillMs: fill.ms, vacuumMs, events: fill.events, dbBytes, child };
  } finally {
    await dropWhere(w);
  }
}

async function indexerThroughput(db: DbName): Promise<{ events: number; ms: number }> {
  const stream = await serveLogStream(STREAM, STREAM_PER_BLOCK);
  const w = await where(db, "stream");
  try {
    const store = await openStore(w);
    const indexer = new Indexer(new HttpRpc(stream.url, 120_000), store.index, {
      diamondAddress: STREAM_DIAMOND,
      startBlock: 1,
      durableCommits: false,
      // 100 blocks of 100 events: 10,000 logs per eth_getLogs (a whole 2,000-block range is 200,000 logs in one answer)
      batchSize: 100,
    });
    log(`${db} indexer: catching up over ${stream.events} events in ${stream.head} blocks`);
    const t0 = performance.now();
    while ((await store.index.indexedBlock()) < stream.head) await indexer.catchUp();
    const ms = performance.now() - t0;
    await indexer.stop();
    await store.close();
    log(`${db} indexer: ${Math.round(stream.events / (ms / 1000))} events/s`);
    return { events: stream.events, ms };
  } finally {
    await stream.close();
    await dropWhere(w);
  }
}

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;

function table(runs: Map<DbName, { base: SizeRun; full: SizeRun; stream?: { events: number; ms: number } }>): string {
  const dbs = [...runs.keys()];
  const lines: string[] = [];
  const head = ["endpoint"];
  for (const db of dbs) head.push(`${db} p50 / p99 base (ms)`, `${db} p50 / p99 full (ms)`, `${db} p99 ratio`);
  lines.push(`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`);
  const names = runs.get(dbs[0])?.full.child.figures.map((f) => f.name) ?? [];
  const fig = (fs: ProbeFigures[], name: string): ProbeFigures | undefined => fs.find((f) => f.name === name);
  for (const name of names) {
    const row = [name];
    for (const db of dbs) {
      const r = runs.get(db);
      const b = r && fig(r.base.child.figures, name);
      const f = r && fig(r.full.child.figures, name);
      row.push(b ? `${f2(b.p50)} / ${f2(b.p99)}` : "-", f ? `${f2(f.p50)} / ${f2(f.p99)}` : "-", b && f ? f2(f.p99 / b.p99) : "-");
    }
    lines.push(`| ${row.join(" | ")} |`);
  }
  lines.push("");
  const sHead = ["figure", ...dbs.flatMap((db) => [`${db} base`, `${db} full`])];
  lines.push(`| ${sHead.join(" | ")} |`, `|${sHead.map(() => "---").join("|")}|`);
  const sRow = (name: string, pick: (s: SizeRun) => string): void => {
    const row = [name];
    for (const db of dbs) {
      const r = runs.get(db);
      row.push(r ? pick(r.base) : "-", r ? pick(r.full) : "-");
    }
    lines.push(`| ${row.join(" | ")} |`);
  };
  sRow("events filled", (s) => String(s.events));
  sRow("fill time (s)", (s) => f1(s.fillMs / 1000));
  sRow("fill events/s", (s) => String(Math.round(s.events / (s.fillMs / 1000))));
  sRow("VACUUM (ANALYZE) after the fill (s)", (s) => (s.vacuumMs === undefined ? "-" : f1(s.vacuumMs / 1000)));
  sRow("database size", (s) => mb(s.dbBytes));
  sRow("relayer cold start to first answer (ms)", (s) => s.child.coldStartMs.toFixed(0));
  sRow("relayer RSS after the reads", (s) => mb(s.child.rssBytes));
  sRow("relayer peak RSS during the reads", (s) => mb(s.child.peakRssBytes));
  sRow("worst p99 of all probes (ms)", (s) => f2(Math.max(...s.child.figures.map((f) => f.p99))));
  lines.push("");
  for (const db of dbs) {
    const s = runs.get(db)?.stream;
    if (s) lines.push(`Indexer catch-up, ${db}: ${s.events} events in ${f1(s.ms / 1000)} s = **${Math.round(s.events / (s.ms / 1000))} events/s**.`);
  }
  let worstRatio = 0;
  for (const db of dbs) {
    const r = runs.get(db);
    if (!r) continue;
    for (const f of r.full.child.figures) {
      const b = fig(r.base.child.figures, f.name);
      if (b) worstRatio = Math.max(worstRatio, f.p99 / b.p99);
    }
  }
  lines.push("", `Worst full/base p99 ratio: ${f2(worstRatio)}.`);
  lines.push("", ...cpuTable(runs));
  return lines.join("\n");
}

/**
 * CPU per measured request of each process (bench/scale/cpu.ts), and their sum against what the
 * machine had: the wall time per request (the probe's measured wall time / its requests; at
 * concurrency 8, 8 requests share it) times the cores. A share near 100% is a probe limited by
 * the machine's CPU, whichever process spends it.
 */
function cpuTable(runs: Map<DbName, { base: SizeRun; full: SizeRun }>): string[] {
  const dbs = [...runs.keys()];
  const sizes = ["base", "full"] as const;
  const head = ["endpoint"];
  for (const db of dbs) for (const size of sizes) head.push(`${db} ${size}: client / relayer / postgres (us)`, `${db} ${size}: sum / ${CORES} cores x wall (us)`);
  const lines = [
    `CPU per request (microseconds of CPU time per measured request; wall = the probe's wall time / its requests):`,
    "",
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
  ];
  let lost = 0;
  const names = runs.get(dbs[0])?.full.child.figures.map((f) => f.name) ?? [];
  for (const name of names) {
    const row = [name];
    for (const db of dbs) {
      for (const size of sizes) {
        const c = runs.get(db)?.[size].child.figures.find((f) => f.name === name)?.cpu;
        if (!c) {
          row.push("-", "-");
          continue;
        }
        lost += c.lostBackends;
        const sum = c.clientUs + c.relayerUs + (c.postgresUs ?? 0);
        const room = c.wallUs * CORES;
        row.push(
          `${c.clientUs.toFixed(0)} / ${c.relayerUs.toFixed(0)} / ${c.postgresUs === null ? "-" : c.postgresUs.toFixed(0)}`,
          `${sum.toFixed(0)} / ${room.toFixed(0)} (${((100 * sum) / room).toFixed(0)}%)`,
        );
      }
    }
    lines.push(`| ${row.join(" | ")} |`);
  }
  if (lost > 0) lines.push("", `(${lost} Postgres backend(s) of the relayer ended during a probe: their last CPU is missing from its figure.)`);
  return lines;
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`full ${JSON.stringify(FULL)} (${scaleEventCount(FULL)} events), base ${JSON.stringify(BASE)}, stream ${JSON.stringify(STREAM)}`);
  if (process.env.SCALE_READS === "0") {
    // The indexer's catch-up alone (nothing is written to the results file).
    for (const db of DBS) await indexerThroughput(db);
    return;
  }
  const runs = new Map<DbName, { base: SizeRun; full: SizeRun; stream?: { events: number; ms: number } }>();
  for (const db of DBS) {
    const base = await runSize(db, "base", BASE);
    const full = await runSize(db, "full", FULL);
    runs.set(db, { base, full });
    // The figures so far, should a later part fail.
    console.log(`\n${table(runs)}\n`);
    const stream = process.env.SCALE_STREAM === "0" ? undefined : await indexerThroughput(db);
    runs.set(db, { base, full, stream });
  }
  const settings =
    `Run ${new Date().toISOString()} on ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}; ` +
    `${((Date.now() - started) / 60000).toFixed(1)} min. Full: ${JSON.stringify(FULL)}; base: ${JSON.stringify(BASE)}; ` +
    `stream: ${JSON.stringify(STREAM)} in blocks of ${STREAM_PER_BLOCK}; fill blocks of ${PER_BLOCK} events; ` +
    `${REQUESTS} requests per probe at concurrency ${CONCURRENCY} after ${WARMUP} warm-up requests; client ${CLIENT}.`;
  const out = `${settings}\n\n${table(runs)}\n`;
  console.log(`\n${out}`);
  if (RESULTS !== "-") {
    const begin = "<!-- table -->";
    const end = "<!-- /table -->";
    const old = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, "utf8") : `# Scale benchmark\n\n${begin}\n${end}\n`;
    const i = old.indexOf(begin);
    const j = old.indexOf(end);
    const next = i >= 0 && j > i ? `${old.slice(0, i + begin.length)}\n${out}${old.slice(j)}` : `${old}\n${begin}\n${out}${end}\n`;
    fs.writeFileSync(RESULTS, next);
    log(`written to ${RESULTS}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
