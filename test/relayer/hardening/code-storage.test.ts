/**
 * Anonymous callers cannot grow the database (issue 13 item 7; docs/relayer-untrusted-input.md "Lit
 * Action code storage"): code sent to get_lit_action_ipfs_id without a key goes at most into a
 * bounded, expiring cache (so "compute the CID, then run by ipfs_id" still works); code stored for
 * an account counts against the account's quota, with a clear error when it is exceeded. Over
 * HTTP on a real relayer, on SQLite and on Postgres.
 */
import { randomBytes } from "crypto";
import fs from "fs";
import path from "path";
import { expect } from "chai";
import { litActionCid } from "../../../src/core";
import { BACKENDS, errorOf, newAccount, skipUnlessAvailable, startRelayerOn, type RealRelayer } from "./support";

const MiB = 1024 * 1024;

/** Distinct code of about `bytes` bytes (a comment pads a tiny action). */
function codeOf(tag: string, bytes: number): string {
  const head = `async function main() { return ${JSON.stringify(tag)}; }\n//`;
  return head + "x".repeat(Math.max(0, bytes - head.length));
}

/** Bytes of code the relayer's database holds: kept for accounts, and in the anonymous cache. */
async function storedBytes(r: RealRelayer): Promise<{ kept: number; cached: number }> {
  const db = r.relayer.store.db;
  const kept = await db.one<{ n: number | string | null }>("SELECT SUM(LENGTH(code)) AS n FROM lit_action_code");
  const cached = await db
    .one<{ n: number | string | null }>("SELECT SUM(LENGTH(code)) AS n FROM lit_action_code_cache")
    .catch(() => ({ n: 0 })); // the table does not exist before the fix
  return { kept: Number(kept?.n ?? 0), cached: Number(cached?.n ?? 0) };
}

for (const backend of BACKENDS) {
  describe(`relayer hardening: Lit Action code storage (${backend})`, function () {
    let r: RealRelayer | null = null;

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
    });

    afterEach(async () => {
      await r?.close();
      r = null;
    });

    it("twenty anonymous 2 MB get_lit_action_ipfs_id calls keep nothing for good and stay within the cache bound", async () => {
      r = await startRelayerOn(backend, { LIT_ACTION_CODE_CACHE_BYTES: String(8 * MiB) });
      for (let i = 0; i < 20; i++) {
        const res = await r.call("POST", "/get_lit_action_ipfs_id", { body: codeOf(`anon ${i}`, 2 * MiB) });
        expect(res.statusCode, res.body.slice(0, 200)).to.equal(200);
      }
      const bytes = await storedBytes(r);
      expect(bytes.kept, "code kept for good").to.equal(0);
      expect(bytes.cached, "cached code").to.be.at.most(8 * MiB);
    });

    it("the database does not grow beyond the cache's bound under anonymous churn (deleted rows' space is reused)", async () => {
      r = await startRelayerOn(backend, { LIT_ACTION_CODE_CACHE_BYTES: String(4 * MiB) });
      const relayer = r;
      const onDisk = async (): Promise<number> => {
        const db = relayer.relayer.store.db;
        if (backend === "postgres") {
          const row = await db.one<{ n: number | string }>("SELECT pg_total_relation_size('lit_action_code_cache') AS n");
          return Number(row?.n);
        }
        await db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        return fs.statSync(path.join(relayer.relayer.config.dataDir, "relayer.sqlite")).size;
      };
      const before = await onDisk();
      for (let i = 0; i < 24; i++) {
        // Incompressible code (Postgres compresses repetitive text).
        const code = `async function main() { return ${i}; }\n//${randomBytes(768 * 1024).toString("base64")}`;
        expect((await r.call("POST", "/get_lit_action_ipfs_id", { body: code })).statusCode).to.equal(200);
      }
      const grown = (await onDisk()) - before;
      expect(grown, `grew by ${grown} bytes`).to.be.at.most(8 * MiB);
    });

    it("computing the CID anonymously, then running by ipfs_id, still works", async () => {
      r = await startRelayerOn(backend);
      const key = await newAccount(r);
      const code = "async function main(p) { return p.n * 2; }";
      const cid = (await r.call("POST", "/get_lit_action_ipfs_id", { body: code })).json() as string;
      const run = await r.call("POST", "/lit_action", { key, body: { ipfs_id: cid, js_params: { n: 21 } } });
      expect(run.statusCode, run.body).to.equal(200);
      expect(run.json()).to.deep.include({ response: 42, has_error: false });
    });

    it("anonymous code expires from the cache after its time to live", async () => {
      r = await startRelayerOn(backend, { LIT_ACTION_CODE_CACHE_TTL_SECONDS: "1" });
      const key = await newAccount(r);
      const code = "async function main() { return 'soon gone'; }";
      const cid = (await r.call("POST", "/get_lit_action_ipfs_id", { body: code })).json() as string;
      await new Promise((done) => setTimeout(done, 1100));
      const run = await r.call("POST", "/lit_action", { key, body: { ipfs_id: cid } });
      expect(run.statusCode, run.body).to.equal(404);
      expect(errorOf(run).code).to.equal("ActionCodeNotFound");
    });

    it("code sent with a key is kept for the account; beyond the account's quota the answer is 409 CodeQuotaExceeded naming the quota", async () => {
      r = await startRelayerOn(backend, { LIT_ACTION_CODE_QUOTA_BYTES: "10000" });
      const key = await newAccount(r);
      const first = await r.call("POST", "/get_lit_action_ipfs_id", { key, body: codeOf("one", 6000) });
      expect(first.statusCode, first.body).to.equal(200);
      // The same code again takes no more of the quota.
      expect((await r.call("POST", "/get_lit_action_ipfs_id", { key, body: codeOf("one", 6000) })).statusCode).to.equal(200);
      const over = await r.call("POST", "/get_lit_action_ipfs_id", { key, body: codeOf("two", 6000) });
      expect(over.statusCode, over.body).to.equal(409);
      expect(errorOf(over).code).to.equal("CodeQuotaExceeded");
      expect(errorOf(over).error).to.contain("10000").and.contain("LIT_ACTION_CODE_QUOTA_BYTES");
      // Kept code survives the cache: it still runs by CID.
      const run = await r.call("POST", "/lit_action", { key, body: { ipfs_id: first.json() as string } });
      expect(run.json()).to.deep.include({ response: "one", has_error: false });
      // Another account has its own quota.
      const other = await newAccount(r, "other");
      expect((await r.call("POST", "/get_lit_action_ipfs_id", { key: other, body: codeOf("two", 6000) })).statusCode).to.equal(200);
    });

    it("an unknown key on get_lit_action_ipfs_id is 401, not an anonymous call", async () => {
      r = await startRelayerOn(backend);
      const res = await r.call("POST", "/get_lit_action_ipfs_id", { key: "no-such-key", body: "async function main() {}" });
      expect(res.statusCode, res.body).to.equal(401);
    });

    it("lit_action with inline code beyond the quota still runs, and its code can be run by CID for a while", async () => {
      r = await startRelayerOn(backend, { LIT_ACTION_CODE_QUOTA_BYTES: "100" });
      const key = await newAccount(r);
      const code = codeOf("inline", 500);
      const run = await r.call("POST", "/lit_action", { key, body: { code } });
      expect(run.statusCode, run.body).to.equal(200);
      expect(run.json()).to.deep.include({ response: "inline", has_error: false });
      const again = await r.call("POST", "/lit_action", { key, body: { ipfs_id: await litActionCid(code) } });
      expect(again.json()).to.deep.include({ response: "inline", has_error: false });
      expect((await storedBytes(r)).kept).to.equal(0);
    });
  });
}
