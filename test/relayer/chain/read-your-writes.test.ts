import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { FlakyRpc, h, hardhatRpc, start, chainPerTest } from "../support";
import { dumpIndex } from "../store/support";

describe("relayer writer: read-your-writes from the receipt", function () {
  this.timeout(120_000);
  const t = chainPerTest("sqlite");
  let f: DiamondFixture;

  beforeEach(async () => {
    f = await loadFixture(deployDiamond);
  });

  const newAccount = (label: string) => ({ method: "newAccount", args: [h(label), true, label, "", f.users[0].address] });

  it("answers a write whose block holds only its transaction without an indexer round", async () => {
    const rpc = new FlakyRpc(hardhatRpc());
    const store = t.store();
    const chain = t.keep(await start(store, f.diamondAddress, { provider: rpc, startIndexer: false }));
    await chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    const before = rpc.calls.length;
    const receipt = await chain.writer.write(newAccount("own-block"));
    const during = rpc.calls.slice(before);
    expect(during, "no eth_getLogs for the write's own block").to.not.include("eth_getLogs");
    expect(await store.index.indexedBlock()).to.equal(receipt.blockNumber);
    expect(await store.index.account(h("own-block"))).to.not.equal(null);
  });

  it("takes the block from the receipt also when another block was mined before the header asked for with it (read by hash)", async () => {
    const rpc = new FlakyRpc(hardhatRpc());
    const store = t.store();
    const chain = t.keep(await start(store, f.diamondAddress, { provider: rpc, startIndexer: false }));
    await chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    // Another block lands between the write's receipt and the latest header of its broadcast.
    let interpose = true;
    rpc.before = async (method, params) => {
      if (interpose && method === "eth_getBlockByNumber" && params[0] === "latest") {
        interpose = false;
        await network.provider.send("evm_mine", []);
      }
    };
    const before = rpc.calls.length;
    const receipt = await chain.writer.write(newAccount("read by hash"));
    const during = rpc.calls.slice(before);
    expect(interpose, "a block was mined in between").to.equal(false);
    expect(during).to.include("eth_getBlockByHash");
    expect(during, "no eth_getLogs for the write's own block").to.not.include("eth_getLogs");
    expect(await store.index.indexedBlock()).to.equal(receipt.blockNumber);
    expect(await store.index.account(h("read by hash"))).to.not.equal(null);
  });

  it("asks once more at once for a receipt its broadcast's batch did not bring yet, and takes the block from it", async () => {
    const rpc = new FlakyRpc(hardhatRpc());
    const store = t.store();
    const chain = t.keep(await start(store, f.diamondAddress, { provider: rpc, startIndexer: false }));
    await chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    // The first receipt look-up (the broadcast's) answers "not mined yet", as Hardhat may when it
    // answers a batch's calls side by side.
    let receipts = 0;
    rpc.before = async (method) => {
      if (method !== "eth_getTransactionReceipt") return;
      if (++receipts === 1) rpc.fake.set(method, null);
      else rpc.fake.delete(method);
    };
    const before = rpc.calls.length;
    const receipt = await chain.writer.write(newAccount("asked again"));
    const during = rpc.calls.slice(before);
    expect(during.filter((m) => m === "eth_getTransactionReceipt")).to.have.length(2);
    expect(during, "no eth_getLogs for the write's own block").to.not.include("eth_getLogs");
    expect(await store.index.indexedBlock()).to.equal(receipt.blockNumber);
    expect(await store.index.account(h("asked again"))).to.not.equal(null);
  });

  it("asks only for the receipt again when the header its broadcast brought already lists the transaction", async () => {
    const rpc = new FlakyRpc(hardhatRpc());
    const store = t.store();
    const chain = t.keep(await start(store, f.diamondAddress, { provider: rpc, startIndexer: false }));
    await chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    // The broadcast's receipt look-up answers "not mined yet" (Hardhat answering the batch's calls
    // side by side), while its latest header, read after the send, is the transaction's block.
    let receipts = 0;
    const asked: string[] = [];
    rpc.before = async (method, params) => {
      asked.push(method === "eth_getBlockByNumber" ? `${method}(${String(params[0])})` : method);
      if (method !== "eth_getTransactionReceipt") return;
      if (++receipts === 1) rpc.fake.set(method, null);
      else rpc.fake.delete(method);
    };
    const receipt = await chain.writer.write(newAccount("header known"));
    expect(asked.filter((m) => m === "eth_getTransactionReceipt"), "receipt look-ups").to.have.length(2);
    expect(asked.filter((m) => m === "eth_getBlockByNumber(latest)"), "latest headers").to.have.length(1);
    expect(asked, "no header read by hash").to.not.include("eth_getBlockByHash");
    expect(asked, "no eth_getLogs for the write's own block").to.not.include("eth_getLogs");
    expect(await store.index.indexedBlock()).to.equal(receipt.blockNumber);
    expect(await store.index.account(h("header known"))).to.not.equal(null);
  });

  it("reads no header by hash for a write's block that another write's broadcast brought as its latest header", async () => {
    const rpc = new FlakyRpc(hardhatRpc());
    const store = t.store();
    const chain = t.keep(await start(store, f.diamondAddress, { provider: rpc, startIndexer: false }));
    await chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    // Write A is mined in block N. Before its latest header is read, write B (the other payer) is
    // mined in N + 1, and B's latest header is N (a node answering B's batch side by side may read
    // it before mining B's transaction). A's latest header is then N + 1: not its block.
    let latest = 0;
    let second: Promise<unknown> | null = null;
    const byHash: string[] = [];
    let previous = "";
    rpc.before = async (method, params) => {
      const after = previous;
      previous = method;
      rpc.fake.delete("eth_getBlockByNumber"); // B's stale header answers that one call only
      if (method === "eth_getBlockByHash") byHash.push(String(params[0]));
      // a broadcast's latest header: asked for right behind its receipt (not the fee look-up's)
      if (method !== "eth_getBlockByNumber" || params[0] !== "latest" || after !== "eth_getTransactionReceipt") return;
      latest++;
      if (latest === 1) {
        second = chain.writer.write(newAccount("B"));
        await second;
      } else if (latest === 2) {
        const n = (await ethers.provider.getBlockNumber()) - 1;
        rpc.fake.set(method, await network.provider.send("eth_getBlockByNumber", [ethers.toQuantity(n), false]));
      }
    };
    const a = await chain.writer.write(newAccount("A"));
    expect(second, "B was written while A waited").to.not.equal(null);
    const blockA = await ethers.provider.getBlock(a.blockNumber);
    expect(byHash, "A's block header read by hash").to.not.include(blockA?.hash?.toLowerCase());
    expect(await store.index.indexedBlock()).to.equal(a.blockNumber + 1);
    expect(await store.index.account(h("A"))).to.not.equal(null);
    expect(await store.index.account(h("B"))).to.not.equal(null);
  });

  it("a background round leaves a block that just appeared to the receipts while own blocks come from them; a write waiting for it is not held", async () => {
    const rpc = new FlakyRpc(hardhatRpc());
    const store = t.store();
    const chain = t.keep(await start(store, f.diamondAddress, { provider: rpc, startIndexer: false, freshBlockGraceMs: 60_000 }));
    await chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    await chain.writer.write(newAccount("own")); // its block came from its receipt
    // a transaction of someone else: a block no receipt of ours brings
    await (await f.diamond.connect(f.payer).newAccount(h("foreign"), true, "foreign", "", f.users[0].address)).wait();
    const foreign = await ethers.provider.getBlockNumber();
    const before = rpc.calls.length;
    await chain.indexer.catchUp(); // a background round
    expect(rpc.calls.slice(before), "the fresh block is not read").to.not.include("eth_getLogs");
    expect(await store.index.indexedBlock()).to.equal(foreign - 1);
    await chain.indexer.syncTo(foreign); // as a write waiting for that block
    expect(await store.index.indexedBlock()).to.equal(foreign);
    expect(await store.index.account(h("foreign"))).to.not.equal(null);
  });

  it("answers a write whose block it applied from the receipt without reading the index cursor again", async () => {
    const store = t.store();
    const chain = t.keep(await start(store, f.diamondAddress, { startIndexer: false }));
    await chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    const index = store.index;
    const read = index.indexedBlock.bind(index);
    let reads = 0;
    index.indexedBlock = () => {
      reads++;
      return read();
    };
    try {
      const receipt = await chain.writer.write(newAccount("no-reread"));
      expect(reads, "indexedBlock() reads during the write").to.equal(0);
      expect(await read()).to.equal(receipt.blockNumber);
    } finally {
      index.indexedBlock = read;
    }
  });

  it("leaves nothing for the indexer to apply twice: its own round finds the block known", async () => {
    const store = t.store();
    const chain = t.keep(await start(store, f.diamondAddress, { startIndexer: false }));
    await chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    const receipt = await chain.writer.write(newAccount("twice"));
    const after = await dumpIndex(store);
    await chain.indexer.catchUp();
    expect(await store.index.indexedBlock()).to.equal(receipt.blockNumber);
    expect(await dumpIndex(store)).to.deep.equal(after);
  });
});
