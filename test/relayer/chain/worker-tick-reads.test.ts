/**
 * What the outbox worker's tick reads (chain/writer/index.ts, store/outbox-in-flight.ts;
 * docs/relayer-latency.md, "Eighth pass"): the heads of the in-flight rows, then the full rows of
 * only those it may act on.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import type { Chain } from "../../../src/relayer/chain";
import type { OutboxPort } from "../../../src/relayer/ports";
import type { Store } from "../../../src/relayer/store";
import { BACKENDS, FlakyRpc, h, hardhatRpc, makeStore, mine, setAutomine, skipUnlessAvailable, start, until, type TestStore } from "../support";

/** The outbox's in-flight reads, by method, with the ids asked for in full. */
interface Reads {
  inFlight: number;
  inFlightHeads: number;
  byIds: number[][];
}

/** `store` with its outbox counting the in-flight reads into `reads`. */
function counting(store: Store, reads: Reads): Store {
  const outbox = new Proxy(store.outbox, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        if (prop === "inFlight") reads.inFlight++;
        if (prop === "inFlightHeads") reads.inFlightHeads++;
        if (prop === "inFlightByIds") reads.byIds.push([...(args[0] as number[])]);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { ...store, outbox };
}

const noReads = (): Reads => ({ inFlight: 0, inFlightHeads: 0, byIds: [] });

for (const backend of BACKENDS) {
  describe(`outbox worker tick reads (${backend})`, function () {
    let ts: TestStore | null = null;
    let chain: Chain | null = null;
    let f: DiamondFixture;

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
      f = await loadFixture(deployDiamond);
      ts = await makeStore(backend);
    });

    afterEach(async () => {
      await chain?.stop();
      chain = null;
      await setAutomine(true);
      await ts?.cleanup();
      ts = null;
    });

    const newAccount = (label: string) => ({ method: "newAccount", args: [h(label), true, label, "", f.users[0].address] });

    /** A queued row of a pool payer (its write() still signing it) and a signed row of a payer outside the pool. */
    async function rowsNotDue(outbox: OutboxPort, poolPayer: string): Promise<number[]> {
      const foreign = ethers.Wallet.createRandom().address.toLowerCase();
      const base = { kind: "call" as const, requestHash: "0x", method: "m", to: f.diamondAddress.toLowerCase(), calldata: "0x", gasLimit: "1" };
      const queued = await outbox.insert({ ...base, payer: poolPayer });
      await outbox.reconcileNonce(foreign, 0);
      const [signed] = await outbox.insertSignedBatch([{ ...base, payer: foreign }], async () => ({
        rawTx: "0x01",
        hash: ethers.id("foreign"),
        maxFeePerGas: "2",
        maxPriorityFeePerGas: "1",
        gasPrice: null,
      }));
      return [queued?.id ?? -1, signed?.id ?? -1];
    }

    it("reads no full row while every in-flight row is held by its write, another payer's, or still being signed", async () => {
      const reads = noReads();
      const rpc = new FlakyRpc(hardhatRpc());
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      let hold = false;
      rpc.before = async (method) => {
        if (hold && method === "eth_sendRawTransaction") await held;
      };
      const store = ts!.store;
      chain = await start(counting(store, reads), f.diamondAddress, { provider: rpc, pollIntervalMs: 60_000 });
      await chain.writer.write(newAccount("warm"));
      hold = true;
      const writing = chain.writer.write(newAccount("held"));
      await until(async () => (await store.outbox.list()).some((r) => r.status === "signed"), 10_000, "the held write's row");
      const notDue = await rowsNotDue(store.outbox, chain.payers[0].toLowerCase());
      expect((await store.outbox.inFlight()).length).to.equal(3);

      Object.assign(reads, noReads());
      await chain.writer.tick();
      expect(reads).to.deep.equal({ inFlight: 0, inFlightHeads: 1, byIds: [] });

      release();
      const done = await writing;
      expect(done.events.map((e) => e.name)).to.include("AccountCreated");
      expect((await store.outbox.inFlight()).map((r) => r.id)).to.have.members(notDue);
    });

    it("reads in full only the in-flight rows it acts on, and records their receipts", async () => {
      const reads = noReads();
      const store = ts!.store;
      chain = await start(counting(store, reads), f.diamondAddress, { pollIntervalMs: 60_000 });
      await chain.writer.write(newAccount("warm"));
      const notDue = await rowsNotDue(store.outbox, chain.payers[0].toLowerCase());
      await setAutomine(false);
      const writing = chain.writer.write(newAccount("sent"));
      await until(async () => (await store.outbox.list()).some((r) => r.status === "sent"), 10_000, "the write's row sent");
      const sent = (await store.outbox.list()).filter((r) => r.status === "sent").map((r) => r.id);

      Object.assign(reads, noReads());
      await chain.writer.tick(); // not mined yet: the row stays sent
      expect(reads).to.deep.equal({ inFlight: 0, inFlightHeads: 1, byIds: [sent] });
      expect((await store.outbox.get(sent[0]))?.status).to.equal("sent");

      await mine();
      Object.assign(reads, noReads());
      await chain.writer.tick();
      expect(reads.byIds).to.deep.equal([sent]);
      expect((await store.outbox.get(sent[0]))?.status).to.equal("mined");
      expect((await writing).events.map((e) => e.name)).to.include("AccountCreated");
      expect((await store.outbox.inFlight()).map((r) => r.id)).to.have.members(notDue);
    });
  });
}
