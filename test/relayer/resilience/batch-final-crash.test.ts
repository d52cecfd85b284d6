/**
 * A relayer that stops (or crashes) while a batch waits to be final (docs/finality.md "A crash
 * while a batch waits to be final"), on a real chain (`hardhat node` child process, automine;
 * reorganised with evm_snapshot / evm_revert): the relayer started again on the same outbox
 * settles the batch's calls once it is final, as the final chain says: a call the batch did not
 * apply is sent alone exactly once, and none is sent alone when a reorg re-mined the batch with
 * success meanwhile. The first relayer is stopped with stop(): it writes nothing more to the outbox
 * than a SIGKILL would let it (its clients are answered 503 queued and no call is sent alone).
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
const WRITE_TIMEOUT_MS = 60_000;

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

describe("a relayer restarted while a batch waits to be final (hardhat node)", function () {
  let node: ChainNode;
  let d: Deployed;
  let ts: TestStore | null = null;
  let chain: Chain | null = null;
  let first: Chain | null = null;
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
    account = h("batch crash account");
    const owner = (await d.owner.getAddress()).toLowerCase();
    await (await d.diamond.connect(d.owner).newAccount(account, true, "batch-crash", "", owner)).wait();
  });

  after(async () => {
    d?.provider.destroy();
    await node?.stop();
  });

  beforeEach(async () => {
    ts = await makeStore("sqlite");
  });

  afterEach(async () => {
    await first?.stop();
    first = null;
    await chain?.stop();
    chain = null;
    await ts?.cleanup();
    ts = null;
  });

  it("sends alone, exactly once, the calls of a batch that reverted once it is final, when the relayer that sent it stopped before", async () => {
    first = await start();
    const group = await newGroup(first, "crash-1");
    await warmGasCache(first, group);
    await (await asOwner().updateGroup(account, group, "grown", "", TEN_CIDS, [])).wait();
    const from = await lastId();
    const update = new Answer(first.writes.write(updateGroup(group, "crash-updated")));
    const add = new Answer(first.writes.write(addGroup("crash-once")));
    const reverted = await waitUntil("the batch reverted on chain", async () => {
      const r = await batchRow(from);
      return r && r.status === "reverted" ? r : undefined;
    }, 30_000);
    expect(reverted.errorName).to.equal("BatchCallOutOfGas");
    await first.stop();
    first = null;
    await waitUntil("both clients answered", async () => update.value !== undefined && add.value !== undefined, 10_000);
    expect([update.value, add.value], "answered 503 queued on stop").to.deep.equal(["queued", "queued"]);
    expect((await store().outbox.list()).filter((r) => r.id > reverted.id), "nothing sent alone").to.deep.equal([]);

    const c = await start();
    await mine(4); // the batch is final reverted
    await waitUntil("the calls applied alone", async () => (await onChain("crash-once")) === 1, 30_000);
    await mine(4);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    await c.indexer.syncTo(await head(), 30_000);
    expect(await onChain("crash-once"), "on chain").to.equal(1);
    expect(await inIndex("crash-once"), "in the index").to.equal(1);
    expect((await d.diamond.listGroups(account, 0, 100)).find((g) => String(g.id) === group)?.name).to.equal("crash-updated");
    const alone = (await store().outbox.list()).filter((r) => r.id > reverted.id && r.kind === "call");
    expect(alone.map((r) => `${r.method} ${r.idemScope} ${r.idemKey}`).sort(), "each call sent alone once, keyed by the batch row").to.deep.equal([
      `addGroup batch-retry ${reverted.id}:1`,
      `updateGroup batch-retry ${reverted.id}:0`,
    ]);
    await expectGapFreeNonces(node.url, [PAYER]);
  });

  it("sends none of the calls alone when a reorg re-mined the reverted batch with success while the relayer that sent it was stopped", async () => {
    first = await start();
    const group = await newGroup(first, "crash-2");
    await warmGasCache(first, group);
    const snap = await snapshot();
    await (await asOwner().updateGroup(account, group, "grown", "", TEN_CIDS, [])).wait();
    const from = await lastId();
    const update = new Answer(first.writes.write(updateGroup(group, "crash-remined")));
    const add = new Answer(first.writes.write(addGroup("crash-remined-once")));
    const reverted = await waitUntil("the batch reverted on chain", async () => {
      const r = await batchRow(from);
      return r && r.status === "reverted" ? r : undefined;
    }, 30_000);
    await first.stop();
    first = null;
    await waitUntil("both clients answered", async () => update.value !== undefined && add.value !== undefined, 10_000);

    // The reorg drops the owner's transaction and the batch's block; the restarted relayer's index
    // follows it, re-sends the batch, which fits its gas on the new branch.
    await revert(snap);
    await mine(2);
    const c = await start();
    await waitUntil("the batch mined again on the new branch", async () => {
      const r = await store().outbox.get(reverted.id);
      return r?.status === "mined" ? r : undefined;
    }, 30_000);
    await mine(4);
    await waitUntil("the batch final", async () => (await store().outbox.get(reverted.id))?.final === true, 30_000);
    await mine(4);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    await c.indexer.syncTo(await head(), 30_000);
    expect(await onChain("crash-remined-once"), "on chain").to.equal(1);
    expect(await inIndex("crash-remined-once"), "in the index").to.equal(1);
    expect((await d.diamond.listGroups(account, 0, 100)).find((g) => String(g.id) === group)?.name).to.equal("crash-remined");
    expect((await store().outbox.list()).filter((r) => r.id > reverted.id && r.kind === "call"), "nothing sent alone").to.deep.equal([]);
    await expectGapFreeNonces(node.url, [PAYER]);
  });
});
