/**
 * The content-addressed code store (SQLite and memory), its CID verification, the optional IPFS
 * gateway (a local server on 127.0.0.1), the limits' precedence, and the LIT_ACTION_* settings.
 */
import { expect } from "chai";
import fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import os from "os";
import path from "path";
import { litActionCid } from "../../../src/core";
import { GatewayCodeStore, MemoryCodeStore } from "../../../src/relayer/lit-runtime/code-store";
import { DEFAULT_ACTION_LIMITS, effectiveLimits } from "../../../src/relayer/lit-runtime/limits";
import { ConfigError, loadConfig } from "../../../src/relayer/config";
import { LIT_ACTION_DEFAULTS } from "../../../src/relayer/services/node-info";
import { CODE_STORE_MIGRATIONS, SqlCodeStore, SqlUsageRecorder, openStore, type Store } from "../../../src/relayer/store";

const CODE = 'async function main() {\n  return "Hello World!";\n}\n';
const CID = "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR";

describe("lit actions: code store, usage, limits and settings", function () {
  this.timeout(30_000);
  let dir: string;
  let store: Store;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lit-code-"));
    store = await openStore({ dataDir: dir, migrations: CODE_STORE_MIGRATIONS });
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("stores code by CID and returns it only when it still matches its CID", async () => {
    const sql = new SqlCodeStore(store.db);
    expect(await sql.get(CID)).to.equal(null);
    await sql.put(CID, CODE);
    await sql.put(CID, CODE); // idempotent
    expect(await sql.get(CID)).to.equal(CODE);
    await store.db.run("UPDATE lit_action_code SET code = $1 WHERE cid = $2", ["async function main() { return 'evil'; }", CID]);
    expect(await sql.get(CID)).to.equal(null);

    const mem = new MemoryCodeStore(100);
    await mem.put(CID, CODE);
    expect(await mem.get(CID)).to.equal(CODE);
    await mem.put("QmWrong", CODE);
    expect(await mem.get("QmWrong")).to.equal(null); // not its CID
    const big = "x".repeat(80);
    await mem.put(await litActionCid(big), big); // evicts the oldest to stay under 100 bytes
    expect(await mem.get(CID)).to.equal(null);
    expect(await mem.get(await litActionCid(big))).to.equal(big);
  });

  it("fetches unknown CIDs from an IPFS gateway, verifies and keeps them", async () => {
    const served: Record<string, string> = { [`/ipfs/${CID}`]: CODE, "/ipfs/QmLying": "async function main() {}" };
    const server = http.createServer((req, res) => {
      const body = served[req.url ?? ""];
      if (body === undefined) res.writeHead(404).end();
      else res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const inner = new MemoryCodeStore();
      const gw = new GatewayCodeStore(inner, url, { timeoutMs: 2000, maxBytes: 1000 });
      expect(await gw.get(CID)).to.equal(CODE);
      expect(await inner.get(CID)).to.equal(CODE);
      expect(await gw.get("QmLying")).to.equal(null);
      expect(await gw.get("QmMissing")).to.equal(null);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("writes usage rows behind the replies and flushes them", async () => {
    const usage = new SqlUsageRecorder(store.db, { intervalMs: 20 });
    for (let i = 0; i < 5; i++) {
      await usage.record({ account: "0xa", apiKeyHash: "0xb", cid: CID, startedAtMs: 1000 + i, durationMs: 2.6, hasError: i === 4 });
    }
    await usage.flush();
    const rows = await store.db.query<{ duration_ms: number; has_error: number; charged: number }>(
      "SELECT duration_ms, has_error, charged FROM lit_action_usage ORDER BY id",
    );
    expect(rows).to.have.length(5);
    expect(rows[0]).to.deep.equal({ duration_ms: 3, has_error: 0, charged: 0 });
    expect(rows[4].has_error).to.equal(1);
  });

  it("limits: local settings win over the chain's node configuration, which wins over the defaults", () => {
    expect(effectiveLimits({}, null)).to.deep.equal(DEFAULT_ACTION_LIMITS);
    const chain = { ...LIT_ACTION_DEFAULTS, timeout_ms: 60_000, max_fetch_count: 5 };
    const l = effectiveLimits({ maxFetchCount: 7 }, chain);
    expect(l.timeoutMs).to.equal(60_000);
    expect(l.maxFetchCount).to.equal(7);
    expect(l.memoryLimitMb).to.equal(64);
    expect(l.maxParamsBytes).to.equal(64 * 1024);
  });

  it("reads LIT_ACTION_* settings and names bad ones", () => {
    const c = loadConfig({
      DATA_DIR: dir,
      LIT_ACTION_TIMEOUT_MS: "500",
      LIT_ACTION_FETCH_ALLOW_LIST: "127.0.0.1, api.local ,10.0.0.0/8",
      LIT_ACTION_IPFS_GATEWAY_URL: "https://ipfs.io",
    });
    expect(c.litActions.limits.timeoutMs).to.equal(500);
    expect(c.litActions.limits.memoryLimitMb).to.equal(undefined);
    expect(c.litActions.fetchAllowList).to.deep.equal(["127.0.0.1", "api.local", "10.0.0.0/8"]);
    expect(c.litActions.ipfsGatewayUrl).to.equal("https://ipfs.io");
    expect(c.litActions.maxConcurrency).to.equal(8);
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: dir, LIT_ACTION_MEMORY_LIMIT_MB: "2", LIT_ACTION_IPFS_GATEWAY_URL: "ftp://x" });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).to.match(/LIT_ACTION_MEMORY_LIMIT_MB: expected an integer 8\.\.640/);
    expect(problems).to.match(/LIT_ACTION_IPFS_GATEWAY_URL/);
  });
});
