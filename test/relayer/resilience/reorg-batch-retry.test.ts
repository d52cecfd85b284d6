/**
 * A batch's calls through a reorg, on a real chain (`hardhat node` child process, reorganised
 * with evm_snapshot / evm_revert): a batch sent from cached gas meets state that makes one of its
 * calls cost more (or fail), and a reorg then drops that state and the batch's block, so the
 * re-sent batch has another outcome on the new branch. Each call must be applied exactly once
 * (on chain and in the index) and its client answered once, with what the final chain says
 * (docs/finality.md "A reverted batch and its calls").
 * The chain layer runs in this process (startChain, SQLite store) over HTTP to the node.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { startChain, type Chain, type ChainOptions } from "../../../src/relayer/chain";
import { RevertError, type OutboxRow, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import { chainPerTest, h } from "../support";
import { devKey, expectGapFreeNonces, nodeControls, nodeWithAccountPerDescribe, reorgChainOptions, rpcCall, waitUntil } from "./support";

const PAYER = new Wallet(devKey(4)).address.toLowerCase();
/** Ten actions: a group that lists them makes updateGroup clear ten entries (far more gas). */
const TEN_CIDS = Array.from({ length: 10 }, (_, i) => h(`reorg-batch-cid-${i}`));

/** What a client was answered: "ok" or the error name; undefined until answered. */
class Answer {
  value: string | undefined;
  count = 0;
  receipt: WriteReceipt | null = null;
  constructor(p: Promise<WriteReceipt>) {
    p.then(
      (r) => {
        this.count++;
        this.receipt = r;
        this.value = "ok";
      },
      (e: unknown) => {
        this.count++;
        this.value = e instanceof RevertError ? e.errorName : `other: ${(e as Error).message}`;
      },
    );
  }
}

describe("a batch's calls through a reorg (hardhat node, evm_snapshot / evm_revert)", function () {
  const n = nodeWithAccountPerDescribe("reorg batch account", "reorg-batch");
  const t = chainPerTest("sqlite");

  const store = t.store;
  const { head, mine, snapshot, revert } = nodeControls(() => n.node.url);
  const addGroup = (name: string): WriteRequest => ({ method: "addGroup", args: [n.account, name, "", [], []] });
  /** Same calldata length whatever the (short) name: one call shape for the gas cache. */
  const updateGroup = (group: string, name: string): WriteRequest => ({ method: "updateGroup", args: [n.account, group, name, "", [], []] });
  const onChain = async (name: string): Promise<number> => {
    const groups = await n.d.diamond.listGroups(n.account, 0, 100);
    return groups.filter((g) => g.name === name).length;
  };
  const inIndex = async (name: string): Promise<number> => {
    const row = await store().db.one<{ n: number | string }>("SELECT COUNT(*) AS n FROM account_groups WHERE name = $1", [name]);
    return Number(row?.n ?? 0);
  };
  const batchRow = async (after: number): Promise<OutboxRow | undefined> =>
    (await store().outbox.list()).find((r) => r.id > after && r.method === "batchCalls");
  /** The diamond as its owner, nonce counter read again (an earlier test's evm_revert moved the chain's back). */
  const asOwner = () => {
    n.d.owner.reset();
    return n.d.diamond.connect(n.d.owner);
  };
  const lastId = async (): Promise<number> => (await store().outbox.list()).at(-1)?.id ?? 0;

  async function start(extra: Partial<ChainOptions>): Promise<Chain> {
    return t.keep(await startChain(store(), reorgChainOptions(n.node.url, n.d, extra)));
  }

  /** A new group of the account (through the relayer); its id. */
  async function newGroup(c: Chain, name: string): Promise<string> {
    const r = await c.writer.write(addGroup(name));
    const id = r.events.find((e) => e.name === "GroupAdded")?.args.groupId;
    if (typeof id !== "string") throw new Error("no GroupAdded event");
    return id;
  }

  /** Pre-flights one batch of [updateGroup, addGroup] so that both call shapes' gas is cached. */
  async function warmGasCache(c: Chain, group: string): Promise<void> {
    const before = c.status().batches;
    await Promise.all([c.writes.write(updateGroup(group, "warm")), c.writes.write(addGroup("warm"))]);
    const after = c.status().batches;
    expect(after.batches - before.batches, "one pre-flighted batch").to.equal(1);
    expect(after.cachedGas - before.cachedGas).to.equal(0);
  }

  /** What reorgedBatch leaves: the chain, the group, both clients' answers and the batch row as first sent. */
  interface ReorgedBatch {
    c: Chain;
    group: string;
    update: Answer;
    beside: Answer;
    first: OutboxRow;
  }

  /**
   * The steps both tests share: a group and a warm gas cache; a snapshot; the owner's own
   * transaction `ownerTx` on the group; [updateGroup(group, `updateName`), addGroup(`besideName`)]
   * sent from cached gas as one batch, which ends `firstStatus`; four tracker rounds (time for a
   * retry to go out, were it sent before the batch is final); then the reorg (the owner's
   * transaction and the batch's block are gone, noteReorg), the batch mined again on the new
   * branch, both clients answered, every row final and the index at the head.
   */
  async function reorgedBatch(opts: {
    groupName: string;
    ownerTx: (group: string) => Promise<{ wait(): Promise<unknown> }>;
    updateName: string;
    besideName: string;
    firstStatus: "reverted" | "mined";
  }): Promise<ReorgedBatch> {
    const c = await start({ confirmationDepth: 3 });
    const group = await newGroup(c, opts.groupName);
    await warmGasCache(c, group);
    const snap = await snapshot();
    const fork = await head();
    await (await opts.ownerTx(group)).wait();

    const from = await lastId();
    const cachedBefore = c.status().batches.cachedGas;
    const update = new Answer(c.writes.write(updateGroup(group, opts.updateName)));
    const beside = new Answer(c.writes.write(addGroup(opts.besideName)));
    const first = await waitUntil(`the batch ${opts.firstStatus} on chain`, async () => {
      const r = await batchRow(from);
      return r && r.status === opts.firstStatus ? r : undefined;
    }, 30_000);
    expect(c.status().batches.cachedGas - cachedBefore, "sent from cached gas").to.equal(1);
    const rounds = c.status().writer.finality.rounds;
    await waitUntil("four tracker rounds", async () => c.status().writer.finality.rounds >= rounds + 4, 30_000, 20);

    await revert(snap);
    await mine(2);
    c.writer.noteReorg(fork + 1);
    await waitUntil("the batch mined again on the new branch", async () => {
      const r = await store().outbox.get(first.id);
      return r?.status === "mined" && r.blockHash !== first.blockHash ? r : undefined;
    }, 30_000);
    await mine(4); // deep enough to be final
    await waitUntil("both clients answered", async () => update.value !== undefined && beside.value !== undefined, 30_000);
    await mine(4);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    await c.indexer.syncTo(await head(), 30_000);
    return { c, group, update, beside, first };
  }

  it("a batch that reverted for want of its cached gas, dropped by a reorg and fitting its gas on the new branch, applies its calls exactly once", async () => {
    // State that makes updateGroup cost far more than cached: the group lists ten actions. On the
    // new branch the group lists nothing, so the re-sent batch fits its gas.
    const { group, update, beside: dup, first: reverted } = await reorgedBatch({
      groupName: "target-1",
      ownerTx: (g) => asOwner().updateGroup(n.account, g, "grown", "", TEN_CIDS, []),
      updateName: "updated",
      besideName: "once",
      firstStatus: "reverted",
    });
    expect(reverted.errorName).to.equal("BatchCallOutOfGas");
    expect([update.value, dup.value]).to.deep.equal(["ok", "ok"]);
    expect([update.count, dup.count]).to.deep.equal([1, 1]);
    expect(await onChain("once"), "groups 'once' on chain").to.equal(1);
    expect(await inIndex("once"), "groups 'once' in the index").to.equal(1);
    expect((await n.d.diamond.listGroups(n.account, 0, 100)).find((g) => String(g.id) === group)?.name).to.equal("updated");
    const receipt = (await rpcCall(n.node.url, "eth_getTransactionReceipt", [dup.receipt?.txHash])) as { blockNumber: string } | null;
    expect(Number(receipt?.blockNumber), "the answer names the canonical transaction").to.equal(dup.receipt?.blockNumber);
    await expectGapFreeNonces(n.node.url, [PAYER]);
  });

  it("a call that failed in a batch sent from cached gas is answered with what the final chain says: a reorg that drops the state it failed on makes it succeed, and that is its answer", async () => {
    // The owner removes the group: updateGroup of it fails on chain. The reorg drops the removal:
    // on the new branch the re-sent batch's updateGroup succeeds.
    const { group, update, beside } = await reorgedBatch({
      groupName: "target-2",
      ownerTx: (g) => asOwner().removeGroup(n.account, g),
      updateName: "revived",
      besideName: "beside",
      firstStatus: "mined",
    });
    const name = (await n.d.diamond.listGroups(n.account, 0, 100)).find((g) => String(g.id) === group)?.name;
    expect(name, "the group on the final chain").to.equal("revived");
    expect(update.value, "the answer agrees with the final chain").to.equal("ok");
    expect([update.count, beside.count]).to.deep.equal([1, 1]);
    expect(await inIndex("revived")).to.equal(1);
    expect(await onChain("beside")).to.equal(1);
    await expectGapFreeNonces(n.node.url, [PAYER]);
  });
});
