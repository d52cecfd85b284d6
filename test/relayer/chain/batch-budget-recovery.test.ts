import { expect } from "chai";
import { BatchLimits, BatchingWriter, batchBytes, type BatchTarget } from "../../../src/relayer/chain";
import { WriteTooLargeError, type DecodedEvent, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import { DIAMOND, burst, groupCallData, preflightAllOk } from "./batch-front-support";

// A node that refused a batch as too large teaches the batching front a lower budget (half the
// refused batch). That limit may be a passing one (a node that failover has since left, a node
// restarted with other settings): accepted batches raise the budget back, slowly, up to the
// configured one (chain/batch-limits.ts BatchLimits.accepted).

const ev = (name: string, args: DecodedEvent["args"] = {}): DecodedEvent => ({ name, args });

/** Refuses a batch above `limit` bytes as oversized while `limit` is set; records the calls of each batch it takes. */
class NodeTarget implements BatchTarget {
  readonly payers = ["0x" + "22".repeat(20)];
  limit: number | null = null;
  readonly taken: number[] = [];
  gate: Promise<void> = Promise.resolve();
  async write(request: WriteRequest): Promise<WriteReceipt> {
    await this.gate;
    if (request.method !== "batchCalls") return { txHash: "0xsingle", blockNumber: 1, gasUsed: "1", events: [] };
    const calls = request.args[0] as string[];
    if (this.limit !== null && batchBytes(calls) > this.limit) {
      throw new WriteTooLargeError("TransactionSize", "transaction rejected by the node: oversized data");
    }
    this.taken.push(calls.length);
    const events = calls.map((_, i) => ev("BatchCallResult", { index: String(i), success: true, revertData: "0x" }));
    return { txHash: "0xbatch", blockNumber: 2, gasUsed: "1", events };
  }
}


describe("batch budget learned from a node refusal", () => {
  it("grows back to full batches once the node that refused a batch as oversized takes full batches again", async () => {
    const t = new NodeTarget();
    const w = new BatchingWriter(t, preflightAllOk, { diamondAddress: DIAMOND, maxInFlight: 1, maxCalls: 8 });
    t.limit = batchBytes([groupCallData(1), groupCallData(2), groupCallData(3)]);
    await burst(w, t, 8);
    const learned = Math.max(...t.taken);
    expect(learned, "smaller batches after the refusal").to.be.lessThan(8);

    t.limit = null; // the node takes any size now
    for (let i = 0; i < 40; i++) await burst(w, t, 8);
    expect(t.taken.at(-1), "the last batch is a full one again").to.equal(8);
  });

  it("raises a lowered budget only after that many accepted batches, and never above the configured one", () => {
    const l = new BatchLimits(32, 8000, 8_000_000n);
    l.narrow("TransactionSize", 4000, 1_000_000n);
    expect(l.maxBytes).to.equal(2000);
    let raised = 0;
    for (let i = 0; i < 15; i++) if (l.accepted()) raised++;
    expect([raised, l.maxBytes], "not yet").to.deep.equal([0, 2000]);
    expect(l.accepted()).to.equal(true);
    expect(l.maxBytes).to.equal(4000);
    for (let i = 0; i < 200; i++) l.accepted();
    expect(l.maxBytes).to.equal(8000);
    expect(l.gasBudget).to.equal(8_000_000n);
  });

  it("waits twice as long before raising again after each further refusal", () => {
    const l = new BatchLimits(32, 8000, 8_000_000n);
    l.narrow("TransactionSize", 4000, 1_000_000n);
    for (let i = 0; i < 16; i++) l.accepted();
    expect(l.maxBytes).to.equal(4000);
    l.narrow("TransactionSize", 4000, 1_000_000n); // refused again at that size
    let n = 0;
    while (!l.accepted()) n++;
    expect(n + 1).to.equal(32);
  });
});
