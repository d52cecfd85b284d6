/**
 * Database round trips per probe of the scale benchmark (bench/scale.ts): how many statements
 * each /core/v1 read and permission pre-check sends to the index, and which.
 *
 *     npx hardhat run bench/scale-queries.ts
 *
 * Fills an index with the scale benchmark's history (bench/scale/dataset.ts) at the size of its
 * small version in the tests unless told otherwise, serves it with the benchmark's app
 * (bench/scale/reads.ts scaleApp) over an IndexStore whose Db counts what it is sent
 * (bench/scale/query-count.ts), sends each probe twice (the first warms the caches a request may
 * fill, e.g. the lit_action CID cache) and records the statements of the second. The counts do
 * not depend on the size (the reads are seeks), so a small index is enough.
 *
 * Settings (environment, optional):
 *   QUERIES_DB (postgres; or sqlite)  SCALE_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test)
 *   QUERIES_SCHEMA (unset): a Postgres schema to fill once and reuse (kept); default a temporary one
 *   QUERIES_VERBOSE (0; 1 prints every statement of every probe)
 *   SCALE_ACCOUNTS (10000) SCALE_GROUPS (1000) SCALE_ACTIONS (300) SCALE_WALLETS (200) SCALE_USAGE_KEYS (50)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { IndexStore, openStore } from "../src/relayer/store";
import type { ScaleSpec } from "./scale/dataset";
import { fillIndex } from "./scale/fill";
import { SocketClient } from "./scale/http-client";
import { CountingDb } from "./scale/query-count";
import { scaleApp, scaleProbes, sendProbe } from "./scale/reads";

const env = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === "" ? fallback : Number(v);
};

const SPEC: ScaleSpec = {
  accounts: env("SCALE_ACCOUNTS", 10_000),
  groups: env("SCALE_GROUPS", 1_000),
  actions: env("SCALE_ACTIONS", 300),
  wallets: env("SCALE_WALLETS", 200),
  usageKeys: env("SCALE_USAGE_KEYS", 50),
};

/** Per probe: the statements of one request, oldest first. */
export async function countProbeQueries(store: { db: CountingDb; index: IndexStore }, spec: ScaleSpec): Promise<Map<string, string[]>> {
  const { app } = await scaleApp(store.index);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const client = new SocketClient((app.server.address() as AddressInfo).port, 1);
  const out = new Map<string, string[]>();
  try {
    for (const p of scaleProbes(spec)) {
      await sendProbe(client, p);
      store.db.take();
      await sendProbe(client, p);
      out.set(p.name, store.db.take());
    }
  } finally {
    client.close();
    await app.close();
  }
  return out;
}

async function main(): Promise<void> {
  const db = process.env.QUERIES_DB === "sqlite" ? "sqlite" : "postgres";
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "scale-queries-"));
  const kept = process.env.QUERIES_SCHEMA;
  const schema = db === "postgres" ? (kept ?? `scale_queries_${process.pid}`) : undefined;
  const databaseUrl = db === "postgres" ? (process.env.SCALE_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test") : undefined;
  const store = await openStore({ dataDir, databaseUrl, schema });
  try {
    if (kept === undefined || (await store.index.indexedBlock()) < 1) {
      console.log(`filling ${JSON.stringify(SPEC)} on ${db}${schema ? ` (schema ${schema})` : ""}`);
      await fillIndex(store, SPEC, { perBlock: 500 });
    }
    const counting = new CountingDb(store.db);
    const counts = await countProbeQueries({ db: counting, index: new IndexStore(counting) }, SPEC);
    console.log(`\n| probe | statements | which |\n|---|---|---|`);
    for (const [name, statements] of counts) {
      const which = new Map<string, number>();
      for (const s of statements) which.set(s, (which.get(s) ?? 0) + 1);
      const short = [...which].map(([s, n]) => `${n > 1 ? `${n}x ` : ""}${s.slice(0, 60)}`).join("; ");
      console.log(`| ${name} | ${statements.length} | ${short} |`);
      if (process.env.QUERIES_VERBOSE === "1") for (const s of statements) console.log(`    ${s}`);
    }
  } finally {
    if (schema !== undefined && kept === undefined) await store.db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
