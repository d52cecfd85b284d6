/**
 * SqlActionCodeStore (src/relayer/store/action-code.ts) on both databases, with a controlled
 * clock: the per-account quota (also under concurrent puts), the anonymous cache's byte bound
 * (oldest evicted first) and time to live, and CID verification on reads.
 */
import { expect } from "chai";
import { litActionCid } from "../../../src/core";
import { CodeQuotaExceededError } from "../../../src/relayer/ports";
import { CODE_STORE_MIGRATIONS } from "../../../src/relayer/store/code-store";
import { ACTION_CODE_MIGRATIONS, SqlActionCodeStore, openStore, type Store } from "../../../src/relayer/store";
import fs from "fs";
import os from "os";
import path from "path";
import { Client } from "pg";
import { BACKENDS, PG_URL, rejectionOf, skipUnlessAvailable, type BackendName } from "../support";

const ALICE = `0x${"a1".repeat(32)}`;
const BOB = `0x${"b2".repeat(32)}`;
let counter = 0;

async function open(backend: BackendName): Promise<{ store: Store; cleanup(): Promise<void> }> {
  const migrations = [...CODE_STORE_MIGRATIONS, ...ACTION_CODE_MIGRATIONS];
  if (backend === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "action-code-"));
    const store = await openStore({ dataDir: dir, migrations });
    return { store, cleanup: async () => (await store.close(), fs.rmSync(dir, { recursive: true, force: true })) };
  }
  const schema = `action_code_${process.pid}_${Date.now().toString(36)}_${++counter}`;
  const store = await openStore({ dataDir: os.tmpdir(), databaseUrl: PG_URL, schema, migrations });
  return {
    store,
    cleanup: async () => {
      await store.close();
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
}

/** Code of exactly `bytes` bytes (ASCII) and its CID. */
async function code(tag: string, bytes: number): Promise<{ cid: string; text: string }> {
  const head = `/*${tag}*/`;
  const text = head + "x".repeat(bytes - head.length);
  return { cid: await litActionCid(text), text };
}

for (const backend of BACKENDS) {
  describe(`relayer hardening: Lit Action code store (${backend})`, function () {
    let opened: { store: Store; cleanup(): Promise<void> } | null = null;
    const clock = { ms: 1_700_000_000_000 };
    const storeWith = (limits: { quotaBytes?: number; cacheBytes?: number; cacheTtlSeconds?: number }) =>
      new SqlActionCodeStore(
        (opened as { store: Store }).store.db,
        { quotaBytes: 10_000, cacheBytes: 10_000, cacheTtlSeconds: 60, ...limits },
        () => clock.ms,
      );

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
      opened = await open(backend);
      clock.ms = 1_700_000_000_000;
    });
    afterEach(async () => {
      await opened?.cleanup();
      opened = null;
    });

    it("keeps code for an account up to its quota, counts a CID once, and refuses beyond it naming the numbers", async () => {
      const s = storeWith({ quotaBytes: 2500 });
      const a = await code("a", 1000);
      const b = await code("b", 1000);
      const c = await code("c", 1000);
      await s.put(a.cid, a.text, ALICE);
      await s.put(a.cid, a.text, ALICE);
      await s.put(b.cid, b.text, ALICE);
      expect(await s.usedBytes(ALICE)).to.equal(2000);
      const e = await rejectionOf(s.put(c.cid, c.text, ALICE));
      expect(e).to.be.instanceOf(CodeQuotaExceededError);
      expect(e).to.include({ quotaBytes: 2500, usedBytes: 2000, codeBytes: 1000 });
      expect(await s.usedBytes(ALICE)).to.equal(2000);
      expect(await s.get(c.cid)).to.equal(null);
      // The same code kept by another account counts against that account.
      await s.put(a.cid, a.text, BOB);
      expect(await s.usedBytes(BOB)).to.equal(1000);
      clock.ms += 365 * 24 * 3600 * 1000; // kept code does not expire
      expect(await s.get(a.cid)).to.equal(a.text);
    });

    it("never lets 20 concurrent puts of one account exceed its quota", async () => {
      const s = storeWith({ quotaBytes: 5000 });
      const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => code(`c${i}`, 1000)));
      const results = await Promise.allSettled(codes.map((c) => s.put(c.cid, c.text, ALICE)));
      expect(results.filter((r) => r.status === "fulfilled")).to.have.length(5);
      for (const r of results) if (r.status === "rejected") expect(r.reason).to.be.instanceOf(CodeQuotaExceededError);
      expect(await s.usedBytes(ALICE)).to.equal(5000);
    });

    it("caches anonymous code within its byte bound, evicting the oldest first", async () => {
      const s = storeWith({ cacheBytes: 3000 });
      const codes = await Promise.all([0, 1, 2, 3, 4].map((i) => code(`n${i}`, 1000)));
      for (const c of codes) {
        await s.put(c.cid, c.text);
        clock.ms += 1000;
      }
      expect(await s.cachedBytes()).to.equal(3000);
      const found = await Promise.all(codes.map((c) => s.get(c.cid)));
      expect(found.map((t) => t !== null)).to.deep.equal([false, false, true, true, true]);
      const db = (opened as { store: Store }).store.db;
      const sum = await db.one<{ n: number | string }>("SELECT SUM(bytes) AS n FROM lit_action_code_cache");
      expect(Number(sum?.n)).to.equal(3000);
      expect(Number((await db.one<{ n: number | string }>("SELECT COUNT(*) AS n FROM lit_action_code"))?.n)).to.equal(0);
    });

    it("forgets cached code after its time to live; a repeat put renews it", async () => {
      const s = storeWith({ cacheTtlSeconds: 60 });
      const a = await code("a", 100);
      const b = await code("b", 100);
      await s.put(a.cid, a.text);
      await s.put(b.cid, b.text);
      clock.ms += 50_000;
      await s.put(b.cid, b.text); // renewed: lives until +110 s
      clock.ms += 20_000;
      expect(await s.get(a.cid)).to.equal(null);
      expect(await s.get(b.cid)).to.equal(b.text);
      // The next put drops expired entries from the count.
      const c = await code("c", 100);
      await s.put(c.cid, c.text);
      expect(await s.cachedBytes()).to.equal(200);
    });

    it("does not cache code larger than the whole cache, and moves cached code to the account that keeps it", async () => {
      const s = storeWith({ cacheBytes: 1000 });
      const big = await code("big", 1500);
      await s.put(big.cid, big.text);
      expect(await s.get(big.cid)).to.equal(null);
      const a = await code("a", 500);
      await s.put(a.cid, a.text);
      expect(await s.cachedBytes()).to.equal(500);
      await s.put(a.cid, a.text, ALICE);
      expect(await s.cachedBytes()).to.equal(0);
      expect(await s.get(a.cid)).to.equal(a.text);
    });

    it("returns no code whose stored text does not match its CID", async () => {
      const s = storeWith({});
      const a = await code("a", 100);
      await s.put(a.cid, a.text, ALICE);
      await (opened as { store: Store }).store.db.run("UPDATE lit_action_code SET code = $1 WHERE cid = $2", ["tampered", a.cid]);
      expect(await s.get(a.cid)).to.equal(null);
    });
  });
}
