/**
 * The indexer's background poll after an own block (docs/relayer-latency.md): a block the writer
 * applied from its receipt, with the head's header fetched in the same round trip, is an
 * observation of the head as fresh as a poll; the loop waits a full poll interval after it instead
 * of asking the node again, and polls as before once no such block comes.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { Indexer } from "../../../src/relayer/chain";
import { FlakyRpc, hardhatRpc, makeStore, until, type TestStore } from "../support";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("indexer: background polls while own blocks keep the index at the head", function () {
  this.timeout(60_000);
  let ts: TestStore | null = null;
  let ix: Indexer | null = null;

  afterEach(async () => {
    await ix?.stop();
    ix = null;
    await ts?.cleanup();
    ts = null;
  });

  async function started(pollIntervalMs: number): Promise<{ indexer: Indexer; rpc: FlakyRpc; head: number }> {
    ts = await makeStore("sqlite");
    const rpc = new FlakyRpc(hardhatRpc());
    const head = await ethers.provider.getBlockNumber();
    const indexer = new Indexer(rpc, ts.store.index, {
      diamondAddress: "0x00000000000000000000000000000000000000d1",
      startBlock: head,
      pollIntervalMs,
    });
    ix = indexer;
    indexer.start();
    await until(() => indexer.status().indexedBlock >= head, 20_000, "first round");
    return { indexer, rpc, head };
  }

  const heads = (rpc: FlakyRpc): number => rpc.calls.filter((m) => m === "eth_blockNumber").length;

  it("does not poll the node while own blocks arrive more often than the poll interval", async () => {
    const { indexer, rpc, head } = await started(300);
    const before = heads(rpc);
    const end = Date.now() + 1500; // 5 intervals (a round still runs every 8)
    while (Date.now() < end) {
      indexer.noteApplied(head, 0);
      await sleep(50);
    }
    expect(heads(rpc) - before).to.equal(0);
  });

  it("still runs a round every 8 poll intervals while own blocks keep coming", async () => {
    const { indexer, rpc, head } = await started(100);
    const before = heads(rpc);
    const end = Date.now() + 2500;
    while (Date.now() < end) {
      indexer.noteApplied(head, 0);
      await sleep(20);
    }
    const polls = heads(rpc) - before;
    expect(polls, "about one round per 800 ms, not one per 100 ms").to.be.within(1, 6);
  });

  it("polls again once no own block comes for a poll interval", async () => {
    const { indexer, rpc, head } = await started(300);
    indexer.noteApplied(head, 0);
    const before = heads(rpc);
    await until(() => heads(rpc) > before, 5_000, "a poll after the last own block");
  });

  it("keeps polling on schedule when an own block is noted after a reorg it has not seen (stale report)", async () => {
    const { indexer, rpc, head } = await started(100);
    const before = heads(rpc);
    const end = Date.now() + 1000;
    while (Date.now() < end) {
      indexer.noteApplied(head, 1); // one reorg more than the indexer knows of: ignored
      await sleep(25);
    }
    expect(heads(rpc) - before).to.be.greaterThan(3);
  });
});
