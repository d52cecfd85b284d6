/**
 * Every transaction the writer broadcasts is durable in the outbox first (docs/relayer-latency.md
 * "The SQLite commit off the event loop"): the SQLite store syncs the -wal file off the event
 * loop, and the broadcast must still wait for that sync. The store's `walFileSync` seam syncs for
 * real and then records, through a second read-only connection, the transaction hashes the synced
 * outbox holds; the RPC checks each eth_sendRawTransaction against them.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { expect } from "chai";
import Database from "better-sqlite3";
import { keccak256 } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import type { Chain } from "../../../src/relayer/chain";
import type { WriteRequest } from "../../../src/relayer/ports";
import { CORE_MIGRATIONS, IndexStore, OutboxStore, SqliteDb, migrate, type Store } from "../../../src/relayer/store";
import { fdatasync, type FileSync } from "../../../src/relayer/store/wal-sync";
import { FlakyRpc, h, hardhatRpc, start } from "../support";

describe("relayer writer: a transaction is broadcast only once its outbox row is synced to disk (sqlite)", function () {
  let dir = "";
  let store: Store | null = null;
  let reader: Database.Database | null = null;
  let chain: Chain | null = null;
  let f: DiamondFixture;
  /** Transaction hashes in the outbox as of the last completed WAL sync. */
  let synced = new Set<string>();
  const sent: { hash: string; durable: boolean }[] = [];

  beforeEach(async () => {
    f = await loadFixture(deployDiamond);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-durable-broadcast-"));
    const file = path.join(dir, "relayer.sqlite");
    const walFileSync: FileSync = async (fd) => {
      await fdatasync(fd);
      reader ??= new Database(file, { readonly: true });
      const has = reader.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'outbox'").get() as { n: number };
      if (has.n === 0) return;
      const rows = reader.prepare("SELECT tx_hashes FROM outbox").all() as { tx_hashes: string }[];
      synced = new Set(rows.flatMap((r) => (JSON.parse(r.tx_hashes) as string[]).map((x) => x.toLowerCase())));
    };
    const db = new SqliteDb(file, { walFileSync });
    await migrate(db, CORE_MIGRATIONS);
    store = { db, index: new IndexStore(db), outbox: new OutboxStore(db), dialect: db.dialect, close: () => db.close() };
  });

  afterEach(async () => {
    await chain?.stop();
    chain = null;
    await store?.close();
    store = null;
    reader?.close();
    reader = null;
    synced = new Set();
    sent.length = 0;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const startWith = async (batchMaxCalls: number): Promise<Chain> => {
    const rpc = new FlakyRpc(hardhatRpc());
    rpc.before = async (method, params) => {
      if (method !== "eth_sendRawTransaction") return;
      const hash = keccak256(params[0] as string).toLowerCase();
      sent.push({ hash, durable: synced.has(hash) });
    };
    if (!store) throw new Error("no store");
    chain = await start(store, f.diamondAddress, { provider: rpc, batchMaxCalls });
    return chain;
  };
  const addGroup = (name: string): WriteRequest => ({ method: "addGroup", args: [h("owner"), name, "", [], []] });

  for (const [label, batchMaxCalls] of [
    ["writes alone", 1],
    ["writes in batches", 32],
  ] as const) {
    it(`every transaction sent is in the outbox as of a completed sync of the -wal file (${label})`, async () => {
      const c = await startWith(batchMaxCalls);
      await c.writes.write({ method: "newAccount", args: [h("owner"), true, "owner", "", f.users[0].address] });
      await Promise.all(Array.from({ length: 12 }, (_, i) => c.writes.write(addGroup(`g${i}`))));
      expect(sent.length).to.be.greaterThan(1);
      expect(sent.filter((s) => !s.durable)).to.deep.equal([]);
    });
  }
});
