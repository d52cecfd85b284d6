/**
 * Crash test for batched writes: a child-process relayer (SQLite, real `hardhat node` mining a
 * block every 250 ms) with BATCH_MAX_IN_FLIGHT=1, so that concurrent writes share batchCalls
 * transactions, gets a burst of 40 add_group writes without Idempotency-Key (16 at a time). Once at
 * least 5 writes were answered, the node's mining is paused and, when its pool holds a batchCalls
 * transaction the relayer broadcast, the relayer is killed with SIGKILL (else mining resumes and
 * the kill is tried again). The payer transactions the node holds unmined are then dropped from its
 * pool, so only a rebroadcast from the outbox can bring them to the chain. Restarted on the same
 * DATA_DIR (mining resumes once it is ready), it must settle every batch it had stored and leave
 * nothing in flight. Then: every write answered before the crash is on-chain with its id; no
 * write is applied twice; every call carried by a mined outbox row is on-chain (nothing stored was
 * lost); every transaction caught unmined was mined as stored; the payers' nonces have no gaps,
 * nothing is pending or queued in the node's pool; one more write goes through.
 */
import path from "path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { diamondInterface } from "../../../src/relayer/chain";
import { groupNamesCarried, sigkillCrashRig } from "./sigkill-crash-rig";
import {
  dropFromPool,
  http,
  keyHash,
  expectGapFreeNonces,
  setMining,
  unminedTransactions,
  waitUntil,
  type PooledTx,
} from "./support";

const N = 40;
const CONCURRENCY = 16;
const KILL_AFTER = 5;
const MINING_MS = 250;
const BATCH_SELECTOR = diamondInterface.getFunction("batchCalls")!.selector;
const groupName = (i: number): string => `batch-crash-${String(i).padStart(2, "0")}`;

interface OutboxLook {
  id: number;
  status: string;
  method: string;
  calldata: string;
}

function outboxRows(dataDir: string): OutboxLook[] {
  const db = new Database(path.join(dataDir, "relayer.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT id, status, method, calldata FROM outbox ORDER BY id").all() as OutboxLook[];
  } finally {
    db.close();
  }
}

describe("relayer resilience: SIGKILL during batched writes, restart (sqlite)", function () {
  this.timeout(180_000);

  const rig = sigkillCrashRig({ label: "batch-crash", miningMs: MINING_MS, env: { BATCH_MAX_IN_FLIGHT: "1" } });
  let apiKey = "";
  const answered = new Map<string, string>(); // name -> group id, for writes answered 200 before the crash
  let caught: PooledTx[] = []; // payer transactions unmined at the kill (then dropped from the pool)

  before(async () => {
    const res = await http(rig.relayer.url, "POST", "/core/v1/new_account", { body: { account_name: "batch crash", account_description: "" } });
    expect(res.status, res.text).to.equal(200);
    apiKey = (res.body as { api_key: string }).api_key;
  });

  it("is killed with SIGKILL while a batch transaction it broadcast is unmined (retried until one is)", async () => {
    const r = rig.relayer;
    const url = rig.chain.url;
    const payers = rig.payers;
    let next = 0;
    let killed = false;
    let workersDone = false;
    let attempts = 0;
    const watcher = async (): Promise<void> => {
      while (!killed && !workersDone) {
        // A batch transaction seen in the pool: mining is paused (each change restarts the node's
        // interval, so only then) and, still there, it is caught by the kill; else mining resumes.
        const hasBatch = async () => (await unminedTransactions(url, payers)).some((t) => t.input.startsWith(BATCH_SELECTOR));
        if (answered.size >= KILL_AFTER && (await hasBatch())) {
          attempts++;
          await setMining(url, "paused");
          if (await hasBatch()) {
            killed = true;
            r.proc.kill("SIGKILL");
            return;
          }
          await setMining(url, { intervalMs: MINING_MS });
        }
        await new Promise((res) => setTimeout(res, 10));
      }
    };
    const worker = async (): Promise<void> => {
      while (!killed && next < N) {
        const i = next++;
        try {
          const res = await http(r.url, "POST", "/core/v1/add_group", {
            key: apiKey,
            body: { group_name: groupName(i), group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
          });
          if (res.status === 200) answered.set(groupName(i), (res.body as { group_id: string }).group_id);
        } catch {
          // cut by the crash
        }
      }
    };
    const workers = Promise.all(Array.from({ length: CONCURRENCY }, worker)).finally(() => {
      workersDone = true;
    });
    await Promise.all([watcher(), workers]);
    await r.stop("SIGKILL");
    expect(killed, `the burst finished before a kill caught an unmined batch transaction (${attempts} tries)`).to.equal(true);
    // Mining is still paused: what the node holds unmined now is what the dead relayer broadcast.
    caught = await unminedTransactions(url, payers);
    expect(caught.filter((t) => t.input.startsWith(BATCH_SELECTOR)).length, "batch transactions unmined at the kill").to.be.gte(1);
    await dropFromPool(url, caught.map((t) => t.hash));
    expect(await unminedTransactions(url, payers), "the pool after dropping them").to.deep.equal([]);
    const rows = outboxRows(rig.dataDir);
    expect(rows.filter((row) => row.method === "batchCalls").length, "batch rows stored").to.be.gte(1);
    const byStatus = new Map<string, number>();
    for (const row of rows) byStatus.set(`${row.method}:${row.status}`, (byStatus.get(`${row.method}:${row.status}`) ?? 0) + 1);
    console.log(
      `      crash (kill try ${attempts}): ${answered.size} answered; unmined at the kill and dropped from the pool: ` +
        `${caught.map((t) => `${t.from.slice(0, 8)}#${t.nonce}${t.input.startsWith(BATCH_SELECTOR) ? " (batch)" : ""}`).join(" ")}; ` +
        `outbox at crash: ${[...byStatus].map(([k, n]) => `${k}=${n}`).join(" ")}`,
    );
  });

  it("after a restart on the same DATA_DIR (mining resumed once it is ready), sends what it had stored and leaves nothing in flight", async () => {
    await rig.startRelayer();
    await setMining(rig.chain.url, { intervalMs: MINING_MS });
    await waitUntil("the outbox to drain", async () => outboxRows(rig.dataDir).every((row) => !["queued", "signed", "sent"].includes(row.status)), 120_000);
    const rows = outboxRows(rig.dataDir);
    expect(rows.filter((row) => row.status !== "mined").map((row) => `${row.id} ${row.status}`)).to.deep.equal([]);
  });

  it("mined every transaction the kill caught unmined, as stored (rebroadcast from the outbox)", async () => {
    await rig.expectMinedAsStored(caught);
  });

  it("applied every stored write exactly once, and every write answered before the crash with its id", async () => {
    const carried = outboxRows(rig.dataDir).flatMap((row) => groupNamesCarried(row.calldata));
    expect(new Set(carried).size, "a name carried by two mined rows").to.equal(carried.length);
    const onChain = (await rig.deployed.diamond.getFunction("listGroups")(keyHash(apiKey), 0, 100)) as { id: bigint; name: string }[];
    expect(onChain.map((g) => g.name).sort()).to.deep.equal([...carried].sort());
    for (const [name, id] of answered) {
      const g = onChain.find((x) => x.name === name);
      expect(g?.id.toString(), name).to.equal(id);
    }
  });

  it("leaves no nonce gap and nothing pending", async () => {
    await expectGapFreeNonces(rig.chain.url, rig.payers);
  });

  it("takes one more write", async () => {
    const res = await http(rig.relayer.url, "POST", "/core/v1/add_group", {
      key: apiKey,
      body: { group_name: "after-batch-crash", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
      timeoutMs: 10_000,
    });
    expect(res.status, res.text).to.equal(200);
  });
});
