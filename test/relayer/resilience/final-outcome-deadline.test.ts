/**
 * A batch's calls that wait for the batch to be final (docs/finality.md "A batch's calls through a
 * reorg") on a chain that stops mining (`hardhat node` child process, automine: no block comes
 * unless a transaction or evm_mine makes one): they are answered by the write timeout as any write
 * that cannot be confirmed in time is (ChainUnavailableError, queued: 503 ChainUnavailable), and
 * stay tracked: once blocks come and the batch is final, each call is settled as the final chain
 * says, exactly once, with no one left to answer.
 * The chain layer runs in this process (startChain, SQLite store) over HTTP to the node.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { startChain, type Chain, type ChainOptions } from "../../../src/relayer/chain";
import { ChainUnavailableError, RevertError, type OutboxRow, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import type { Store } from "../../../src/relayer/store";
import { h, makeStore, type TestStore } from "../support";
import { deployDiamondTo, devKey, expectGapFreeNonces, rpcCall, startChainNode, waitUntil, type ChainNode, type Deployed } from "./support";

const PAYER = new Wallet(devKey(4)).address.toLowerCase();
const TEN_CIDS = Array.from({ length: 10 }, (_, i) => h(`deadline-cid-${i}`));
const WRITE_TIMEOUT_MS = 1500;

/** What a client was answered: "ok", the error name, or "queued" (ChainUnavailableError, queued); undefined until answered. */
class Answer {
  value: string | undefined;
  count = 0;
  constructor(p: Promise<WriteReceipt>) {
    p.then(
      () => {
        this.count++;
        this.value = "ok";
      },
      (e: unknown) => {
        this.count++;
        if (e instanceof ChainUnavailableError) this.value = e.queued ? "queued" : "unavailable";
        else this.value = e instanceof RevertError ? e.errorName : `other: ${(e as Error).message}`;
      },
    );
  }
}

describe("a batch's calls waiting for it to be final, on a chain that stops mining (hardhat node)", function () {
  let node: ChainNode;
  let d: Deployed;
  let ts: TestStore | null = null;
  let chain: Chain | null = null;
  let account: string;

  const store = (): Store => {
    if (!ts) throw new Error("no store");
    return ts.store;
  };
  const head = async (): Promise<number> => Number(await rpcCall(node.url, "eth_blockNumber"));
  const mine = async (n = 1): Promise<void> => {
    for (let i = 0; i < n; i++) await rpcCall(node.url, "evm_mine");
  };
  const addGroup = (name: string): WriteRequest => ({ method: "addGroup", args: [account, name, "", [], []] });
  const updateGroup = (group: string, name: string): WriteRequest => ({ method: "updateGroup", args: [account, group, name, "", [], []] });
  const onChain = async (name: string): Promise<number> =>
    (await d.diamond.listGroups(account, 0, 100)).filter((g) => g.name === name).length;
  const inIndex = async (name: string): Promise<number> => {
    const row = await store().db.one<{ n: number | string }>("SELECT COUNT(*) AS n FROM account_groups WHERE name = $1", [name]);
    return Number(row?.n ?? 0);
  };
  const batchRow = async (after: number): Promise<OutboxRow | undefined> =>
    (await store().outbox.list()).find((r) => r.id > after && r.method === "batchCalls");
  const asOwner = () => {
    d.owner.reset();
    return d.diamond.connect(d.owner);
  };
  const snapshot = async (): Promise<string> => (await rpcCall(node.url, "evm_snapshot")) as string;
  const revert = async (id: string): Promise<void> => {
    expect(await rpcCall(node.url, "evm_revert", [id])).to.equal(true);
  };
  const lastId = async (): Promise<number> => (await store().outbox.list()).at(-1)?.id ?? 0;

  async function start(extra: Partial<ChainOptions> = {}): Promise<Chain> {
    chain = await startChain(store(), {
      rpcUrl: node.url,
      diamondAddress: d.diamondAddress,
      payerKeys: [devKey(4)],
      adminPayerKey: devKey(3),
      startBlock: d.deployBlock,
      pollIntervalMs: 50,
      stuckAfterMs: 60_000,
      writeTimeoutMs: WRITE_TIMEOUT_MS,
      balanceCheckIntervalMs: 0,
      batchMaxInFlight: 1,
      confirmationDepth: 3,
      ...extra,
    });
    return chain;
  }

  async function newGroup(c: Chain, name: string): Promise<string> {
    const r = await c.writer.write(addGroup(name));
    const id = r.events.find((e) => e.name === "GroupAdded")?.args.groupId;
    if (typeof id !== "string") throw new Error("no GroupAdded event");
    return id;
  }

  /** One pre-flighted batch of [updateGroup, addGroup]: both call shapes' gas cached. */
  async function warmGasCache(c: Chain, group: string): Promise<void> {
    const before = c.status().batches.batches;
    await Promise.all([c.writes.write(updateGroup(group, "warm")), c.writes.write(addGroup("warm"))]);
    expect(c.status().batches.batches - before, "one pre-flighted batch").to.equal(1);
  }

  before(async function () {
    node = await startChainNode();
    d = await deployDiamondTo(node.url);
    account = h("deadline account");
    const owner = (await d.owner.getAddress()).toLowerCase();
    await (await d.diamond.connect(d.owner).newAccount(account, true, "deadline", "", owner)).wait();
  });

  after(async () => {
    d?.provider.destroy();
    await node?.stop();
  });

  beforeEach(async () => {
    ts = await makeStore("sqlite");
  });

  afterEach(async () => {
    await chain?.stop();
    chain = null;
    await ts?.cleanup();
    ts = null;
  });

  it("the calls of a batch that reverted are answered queued by the write timeout while no block comes, and sent alone exactly once when it is final", async () => {
    const c = await start();
    const group = await newGroup(c, "deadline-1");
    await warmGasCache(c, group);
    // updateGroup of a group listing ten actions costs far more than cached: the batch runs out of gas.
    await (await asOwner().updateGroup(account, group, "grown", "", TEN_CIDS, [])).wait();
    const from = await lastId();
    const update = new Answer(c.writes.write(updateGroup(group, "late-updated")));
    const add = new Answer(c.writes.write(addGroup("late-once")));
    const reverted = await waitUntil("the batch reverted on chain", async () => {
      const r = await batchRow(from);
      return r && r.status === "reverted" ? r : undefined;
    }, 30_000);
    expect(reverted.errorName).to.equal("BatchCallOutOfGas");
    const stopped = await head();

    await waitUntil("both clients answered while no block comes", async () => update.value !== undefined && add.value !== undefined, 20_000);
    expect([update.value, add.value]).to.deep.equal(["queued", "queued"]);
    expect(await head(), "no block was mined meanwhile").to.equal(stopped);
    expect((await store().outbox.get(reverted.id))?.final, "the batch is not final").to.equal(false);

    // Blocks come: the batch is final reverted, and its calls are sent alone, once each.
    await mine(4);
    await waitUntil("the calls applied alone", async () => (await onChain("late-once")) === 1, 30_000);
    await mine(4);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    await c.indexer.syncTo(await head(), 30_000);
    expect(await onChain("late-once"), "on chain").to.equal(1);
    expect(await inIndex("late-once"), "in the index").to.equal(1);
    expect((await d.diamond.listGroups(account, 0, 100)).find((g) => String(g.id) === group)?.name).to.equal("late-updated");
    expect([update.count, add.count], "each client answered once").to.deep.equal([1, 1]);
    const alone = (await store().outbox.list()).filter((r) => r.id > reverted.id && r.kind === "call");
    expect(alone.map((r) => r.method).sort(), "each call sent alone once").to.deep.equal(["addGroup", "updateGroup"]);
    await expectGapFreeNonces(node.url, [PAYER]);
  });

  it("a call that failed in a batch sent from cached gas is answered queued by the write timeout while no block comes, and is not sent again once final", async () => {
    const c = await start();
    const group = await newGroup(c, "deadline-2");
    await warmGasCache(c, group);
    await (await asOwner().removeGroup(account, group)).wait(); // updateGroup of it now fails on chain
    const from = await lastId();
    const cachedBefore = c.status().batches.cachedGas;
    const update = new Answer(c.writes.write(updateGroup(group, "gone")));
    const beside = new Answer(c.writes.write(addGroup("beside-2")));
    const mined = await waitUntil("the batch mined", async () => {
      const r = await batchRow(from);
      return r && r.status === "mined" ? r : undefined;
    }, 30_000);
    expect(c.status().batches.cachedGas - cachedBefore, "sent from cached gas").to.equal(1);
    const stopped = await head();

    await waitUntil("the failed call answered while no block comes", async () => update.value !== undefined, 20_000);
    expect(update.value).to.equal("queued");
    expect(beside.value, "the call that applied is answered on inclusion").to.equal("ok");
    expect(await head(), "no block was mined meanwhile").to.equal(stopped);

    await mine(4);
    await waitUntil("the batch final", async () => (await store().outbox.get(mined.id))?.final === true, 30_000);
    await mine(1);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    expect((await store().outbox.list()).filter((r) => r.id > mined.id && r.kind === "call"), "nothing sent alone").to.deep.equal([]);
    expect(await onChain("gone")).to.equal(0);
    expect(update.count).to.equal(1);
    await expectGapFreeNonces(node.url, [PAYER]);
  });
  it("the calls of a reverted batch answered queued by the write timeout are applied once, by the batch, when a reorg re-mines it with success before it is final", async () => {
    const c = await start();
    const group = await newGroup(c, "deadline-3");
    await warmGasCache(c, group);
    const snap = await snapshot();
    const fork = await head();
    await (await asOwner().updateGroup(account, group, "grown", "", TEN_CIDS, [])).wait();
    const from = await lastId();
    const update = new Answer(c.writes.write(updateGroup(group, "reorg-updated")));
    const add = new Answer(c.writes.write(addGroup("reorg-once")));
    const reverted = await waitUntil("the batch reverted on chain", async () => {
      const r = await batchRow(from);
      return r && r.status === "reverted" ? r : undefined;
    }, 30_000);
    await waitUntil("both clients answered while no block comes", async () => update.value !== undefined && add.value !== undefined, 20_000);
    expect([update.value, add.value]).to.deep.equal(["queued", "queued"]);

    // The reorg drops the owner's transaction and the batch's block; the re-sent batch fits its gas.
    await revert(snap);
    await mine(2);
    c.writer.noteReorg(fork + 1);
    await waitUntil("the batch mined again on the new branch", async () => {
      const r = await store().outbox.get(reverted.id);
      return r?.status === "mined" ? r : undefined;
    }, 30_000);
    await mine(4);
    await waitUntil("the batch final", async () => (await store().outbox.get(reverted.id))?.final === true, 30_000);
    await mine(4);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    await c.indexer.syncTo(await head(), 30_000);
    expect(await onChain("reorg-once"), "on chain").to.equal(1);
    expect(await inIndex("reorg-once"), "in the index").to.equal(1);
    expect((await d.diamond.listGroups(account, 0, 100)).find((g) => String(g.id) === group)?.name).to.equal("reorg-updated");
    expect((await store().outbox.list()).filter((r) => r.id > reverted.id && r.kind === "call"), "nothing sent alone").to.deep.equal([]);
    expect([update.count, add.count]).to.deep.equal([1, 1]);
    await expectGapFreeNonces(node.url, [PAYER]);
  });
});
