/**
 * The outbox worker's in-flight reads (store/outbox-in-flight.ts): the heads of the rows in flight,
 * and the full rows of chosen ids, agree with inFlight() (docs/relayer-latency.md, "Eighth pass").
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { BACKENDS, storePerTest } from "../support";
import type { OutboxRow, Store } from "../../../src/relayer/store";

const PAYERS = ["0x" + "a1".repeat(20), "0x" + "b2".repeat(20)];

/**
 * 600 rows over two payers (more ids than one statement takes): signed, sent, queued, mined and
 * reverted, in a fixed pseudo-random mix.
 */
async function mixedRows(store: Store): Promise<OutboxRow[]> {
  const { outbox } = store;
  for (const p of PAYERS) await outbox.reconcileNonce(p, 0);
  const base = { kind: "call" as const, requestHash: "0x", method: "m", to: PAYERS[0], calldata: "0x1234", gasLimit: "21000" };
  const news = Array.from({ length: 600 }, (_, i) => ({ ...base, payer: PAYERS[i % 2] }));
  const rows = await outbox.insertSignedBatch(news, async (_row, nonce) => ({
    rawTx: `0x${nonce.toString(16).padStart(4, "0")}`,
    hash: ethers.id(`tx ${nonce} ${_row.payer}`),
    maxFeePerGas: "2",
    maxPriorityFeePerGas: "1",
    gasPrice: null,
  }));
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 5;
  const outcome = { blockNumber: 3, blockHash: "0x" + "03".repeat(32), final: false, minedHash: "0x" + "04".repeat(32), gasUsed: "21000" };
  for (const r of rows) {
    if (r === null) throw new Error("row not stored");
    const pick = next();
    if (pick === 1) await outbox.markSent(r.id, r.attempts);
    if (pick === 2) await outbox.markMined(r.id, { ...outcome, result: "{}" });
    if (pick === 3) await outbox.markReverted(r.id, { ...outcome, errorName: "E", errorArgs: [], message: "reverted" });
  }
  for (let i = 0; i < 5; i++) await outbox.insert({ ...base, payer: PAYERS[i % 2] });
  return outbox.list();
}

for (const backend of BACKENDS) {
  describe(`outbox in-flight reads (${backend})`, function () {
    this.timeout(120_000);
    const testStore = storePerTest(backend);

    it("lists the heads of the rows in flight, in inFlight()'s order, with inFlight()'s fields", async () => {
      const store = testStore().store;
      await mixedRows(store);
      const full = await store.outbox.inFlight();
      expect(full.length).to.be.greaterThan(100);
      expect(new Set(full.map((r) => r.status))).to.deep.equal(new Set(["queued", "signed", "sent"]));
      const heads = await store.outbox.inFlightHeads();
      expect(heads).to.deep.equal(
        full.map((r) => ({ id: r.id, kind: r.kind, payer: r.payer, status: r.status, createdAt: r.createdAt, updatedAt: r.updatedAt, sentAt: r.sentAt })),
      );
    });

    it("reads the full rows of the ids asked for that are still in flight, in the order asked, past 500 ids", async () => {
      const store = testStore().store;
      const all = await mixedRows(store);
      const inFlight = new Map((await store.outbox.inFlight()).map((r) => [r.id, r]));
      // every row (terminal ones too) and ids of no row, newest first
      const ids = [...all.map((r) => r.id), 10_001, 10_002].reverse();
      const got = await store.outbox.inFlightByIds(ids);
      expect(got).to.deep.equal(ids.filter((id) => inFlight.has(id)).map((id) => inFlight.get(id)));
      expect(await store.outbox.inFlightByIds([])).to.deep.equal([]);
    });
  });
}
