/**
 * The index and the writes through reorgs of depth 1, 3 and 10 in the middle of a burst of writes
 * (issue 14, docs/finality.md): a relayer (SQLite, two payers, batching on, billing on) over a
 * `hardhat node` child process mining a block every 500 ms; the reorg is evm_snapshot, blocks with
 * writes mined on top, then evm_revert (the node goes on mining the new branch).
 *
 * After the burst: every answered write is on the canonical chain exactly once; the live index
 * equals an index rebuilt from the chain row by row (rows, positions and the block of each row) and
 * list_groups says what the chain says; the first write sent after the reorg lands within
 * NEXT_WRITE_BLOCKS blocks; the billing ledger charged each applied write once.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { expect } from "chai";
import { createRelayer, type Relayer } from "../../../src/relayer/main";
import {
  configFromEnv,
  deployDiamondTo,
  keyHash,
  registerPayers,
  relayerEnv,
  rpcCall,
  setMining,
  startChainNode,
  waitUntil,
  type ChainNode,
  type Deployed,
} from "../resilience/support";
import { dumpIndex } from "../store/support";
import { rebuildIndex } from "./support";

const WRITES = 110;
const CONCURRENCY = 16;
const BLOCK_MS = 500;
/**
 * Blocks mined between the relayer accepting the first write after the reorg (counted from the
 * head before the request is made, so the relayer's own time to accept it counts too) and the block
 * that holds it: the issue asks for 2. Blocks, not wall time: a loaded machine slows the node's
 * mining and the relayer alike.
 *
 * What it took: the writer now re-sends the signed bytes of every write the reorg may have dropped
 * in one JSON-RPC batch as soon as the index reports the reorg, before the index's undo and
 * without waiting for a finality round (writer/reorg-resend.ts); the next write's nonce is then
 * mined in the next block: measured 1 in every case, quiet and with the load average at 8-11.
 * Before: 1-2 quiet, 3-4 under load, the re-sends (one round trip each) waiting behind a finality
 * round already under way and behind the re-sends of the rows whose height the new branch had
 * reached; before the index followed reorgs, 120 (the 60 s stuck timeout).
 */
const NEXT_WRITE_BLOCKS = 2;

describe("indexer: reorgs of depth 1, 3 and 10 in a burst of writes (hardhat node, batching, 2 payers)", function () {
  this.timeout(600_000);
  let node: ChainNode;
  let d: Deployed;
  let relayer: Relayer | null = null;
  let dataDir: string | null = null;

  const head = async (): Promise<number> => Number(await rpcCall(node.url, "eth_blockNumber"));

  before(async function () {
    this.timeout(180_000);
    node = await startChainNode();
    d = await deployDiamondTo(node.url);
  });

  after(async () => {
    d?.provider.destroy();
    await node?.stop();
  });

  afterEach(async () => {
    await setMining(node.url, "auto").catch(() => undefined);
    await relayer?.close();
    relayer = null;
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    dataDir = null;
  });

  async function startRelayer(confirmationDepth: number): Promise<Relayer> {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-reorg-burst-"));
    const config = configFromEnv({
      ...relayerEnv({
        dataDir,
        rootSecret: `0x${Buffer.from(dataDir).toString("hex").padEnd(64, "7").slice(0, 64)}`,
        rpcUrl: node.url,
        diamondAddress: d.diamondAddress,
      }),
      START_BLOCK: String(d.deployBlock),
      // A chain that reorganises is run with a confirmation depth; 31337's default of 0 (every
      // receipt final at once) is run too: then only the reorg the index reports re-checks them.
      CONFIRMATION_DEPTH: String(confirmationDepth),
      BILLING_PROVIDER: "dev",
      LOG_LEVEL: "silent",
    });
    await registerPayers(d, config);
    relayer = await createRelayer(config, { logger: false, chain: { pollIntervalMs: 50, balanceCheckIntervalMs: 0 } });
    return relayer;
  }

  async function groupsOnChain(master: string): Promise<{ id: string; name: string }[]> {
    const out: { id: string; name: string }[] = [];
    for (let page = 0; ; page++) {
      const groups = await d.diamond.listGroups(master, page, 100);
      out.push(...groups.map((g) => ({ id: g.id.toString(), name: g.name })));
      if (groups.length < 100) return out;
    }
  }

  // Depth 10 at confirmation depth 3 (and every depth at 0) once lost answered writes: rows already
  // final in dropped blocks the new branch had not reached yet were looked at once, undecided, and
  // never again (writer/finality.ts; docs/finality.md "The outbox through reorgs").
  const cases = [
    { depth: 1, confirmations: 3 },
    { depth: 3, confirmations: 3 },
    { depth: 10, confirmations: 3 },
    { depth: 10, confirmations: 0 },
  ];
  for (const { depth, confirmations } of cases) {
    it(`depth ${depth}, CONFIRMATION_DEPTH ${confirmations}: every answered write on chain once, index equal to a rebuild, next write within ${NEXT_WRITE_BLOCKS} blocks, billed once`, async () => {
      const r = await startRelayer(confirmations);
      const tag = `${depth}c${confirmations}`;
      const inject = async (method: "GET" | "POST", url: string, key?: string, body?: unknown, idem?: string) => {
        const headers: Record<string, string> = {};
        if (key) headers["x-api-key"] = key;
        if (idem) headers["idempotency-key"] = idem;
        return r.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
      };
      const created = await inject("POST", "/core/v1/new_account", undefined, { account_name: `burst ${tag}`, account_description: "" });
      expect(created.statusCode, created.body).to.equal(200);
      const apiKey = (created.json() as { api_key: string }).api_key;
      const master = keyHash(apiKey);
      const addGroup = (name: string) =>
        inject(
          "POST",
          "/core/v1/add_group",
          apiKey,
          { group_name: name, group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
          `idem-${name}`,
        );

      await setMining(node.url, { intervalMs: BLOCK_MS });
      const answered = new Map<string, number>();
      const failed: string[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < WRITES) {
          const name = `g${tag}-${next++}`;
          const res = await addGroup(name);
          if (res.statusCode === 200 && (res.json() as { success: boolean }).success) answered.set(name, res.statusCode);
          else failed.push(`${name}: ${res.statusCode} ${res.body}`);
        }
      };

      // The reorg, in the middle of the burst: blocks holding answered writes are dropped.
      const reorg = (async () => {
        await waitUntil("a third of the burst answered", async () => answered.size >= WRITES / 3, 120_000, 20);
        const snap = (await rpcCall(node.url, "evm_snapshot")) as string;
        const forkAt = await head();
        const answeredAtSnap = answered.size;
        await waitUntil(`${depth} blocks with writes on the old branch`, async () => (await head()) >= forkAt + depth, 120_000, 20);
        await waitUntil("a write answered on the old branch", async () => answered.size > answeredAtSnap, 120_000, 20);
        // The relayer has seen the old branch (a reorg of blocks it never indexed is not this case:
        // then only Hardhat's revert, not a real node, forgets the pending transactions of them).
        await r.chain.indexer.syncTo(await head(), 60_000);
        // The new branch's first block must differ from the old one. Hardhat would mine the same
        // block again when the pool restored by the revert holds just the transactions of the old
        // block (the same parent, transactions and timestamp: 500 ms blocks run ahead of the clock,
        // each its parent's timestamp + 1), which is no reorg at all, only a pool that lost the
        // transactions sent since (pool-loss.test.ts covers that). So mining pauses around the
        // revert and the new branch starts with a timestamp after the old branch's last block.
        await setMining(node.url, "paused");
        const oldTop = (await rpcCall(node.url, "eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
        expect(await rpcCall(node.url, "evm_revert", [snap])).to.equal(true);
        await rpcCall(node.url, "evm_setNextBlockTimestamp", [Number(oldTop.timestamp) + 1]);
        await setMining(node.url, { intervalMs: BLOCK_MS });
        // The reorg is complete once the new branch has its first block (the revert alone only cuts
        // the chain back). The first write after it: its block against the head when it was sent.
        await waitUntil("the new branch's first block", async () => (await head()) > forkAt, 30_000, 10);
        const sentAt = await head();
        const probe = await addGroup(`probe-${tag}`);
        expect(probe.statusCode, probe.body).to.equal(200);
        const groupId = (probe.json() as { group_id: string }).group_id;
        // The index row of the group: the block that wrote it (the index is at least there: read-your-writes).
        const row = await r.store.db.one<{ id: string; block_number: number }>(
          "SELECT id, block_number FROM account_groups WHERE name = $1",
          [`probe-${tag}`],
        );
        answered.set(`probe-${tag}`, 200);
        const st = r.chain.status();
        return { sentAt, landedAt: Number(row?.block_number), groupId, indexedId: row?.id, dbg: { idx: st.indexer, fin: st.writer.finality } };
      })();

      const [probe] = await Promise.all([reorg, ...Array.from({ length: CONCURRENCY }, worker)]);
      expect(failed, "writes not answered with success").to.deep.equal([]);
      expect(
        probe.landedAt - probe.sentAt,
        `blocks between the first write after the reorg and its block (${JSON.stringify(probe)})`,
      ).to.be.within(0, NEXT_WRITE_BLOCKS);

      // Settle: every write final on the canonical chain and the index at the head.
      await setMining(node.url, "auto");
      await waitUntil(
        "the outbox settled",
        async () => Object.values(r.chain.status().writer.inFlight).every((n) => n === 0),
        120_000,
      );
      await rpcCall(node.url, "evm_mine");
      const top = await head();
      await r.chain.indexer.syncTo(top, 60_000);
      expect(r.chain.status().indexer.reorgs, "reorgs the index followed").to.be.at.least(1);
      expect(r.chain.status().indexer.halted).to.equal(null);

      // Every answered write on the canonical chain exactly once (and nothing twice).
      const onChain = await groupsOnChain(master);
      const counts = new Map<string, number>();
      for (const g of onChain) counts.set(g.name, (counts.get(g.name) ?? 0) + 1);
      for (const name of answered.keys()) expect(counts.get(name) ?? 0, `copies of ${name} on chain`).to.equal(1);
      expect([...counts.values()].every((n) => n === 1), "a group on chain twice").to.equal(true);

      // The live index equals a fresh rebuild from the chain, row by row.
      const rebuilt = await rebuildIndex(node.url, d.diamondAddress, d.deployBlock);
      try {
        const live = await dumpIndex(r.store);
        const fresh = await dumpIndex(rebuilt.store);
        for (const table of Object.keys(fresh)) expect(live[table], `index table ${table}`).to.deep.equal(fresh[table]);
      } finally {
        await rebuilt.cleanup();
      }
      // And list_groups says what the chain says.
      const listed: { id: string; name: string }[] = [];
      for (let page = 0; ; page++) {
        const res = await inject("GET", `/core/v1/list_groups?page_number=${page}&page_size=100`, apiKey);
        expect(res.statusCode, res.body).to.equal(200);
        const rows = res.json() as { id: string; name: string }[];
        listed.push(...rows.map((g) => ({ id: String(g.id), name: g.name })));
        if (rows.length < 100) break;
      }
      expect(listed).to.deep.equal(onChain);

      // Billing: one write charge per applied write, nothing charged twice or left charged for a lost write.
      const billed = await r.store.db.one<{ n: number; cents: number }>(
        "SELECT COUNT(*) AS n, COALESCE(SUM(amount_cents), 0) AS cents FROM billing_ledger WHERE reason IN ('write', 'refund')",
      );
      expect(Number(billed?.cents), "net write charges (cents)").to.equal(-answered.size);
      expect(Number(billed?.n), "ledger rows of writes").to.equal(answered.size);
      expect(onChain.length).to.equal(answered.size);
    });
  }
});
