/**
 * How many batches the batching front (chain/batcher.ts) keeps under way: a queue filling at least
 * half a batch takes one more slot per slot of the front (up to twice maxInFlight), fewer calls
 * wait for a slot (docs/relayer-latency.md, fifth pass).
 */
import { expect } from "chai";
import { BatchingWriter, type BatchTarget } from "../../../src/relayer/chain";
import type { WriteReceipt, WriteRequest } from "../../../src/relayer/ports";
import { DIAMOND, groupRequest, preflightAllOk } from "./batch-front-support";

/** Records the calls of each write it is handed (1 for a call alone) and holds them at `gate`. */
class GatedTarget implements BatchTarget {
  readonly payers = ["0x" + "22".repeat(20)];
  readonly sent: number[] = [];
  gate: Promise<void> = Promise.resolve();
  async write(request: WriteRequest): Promise<WriteReceipt> {
    const calls = request.method === "batchCalls" ? (request.args[0] as string[]).length : 1;
    this.sent.push(calls);
    await this.gate;
    const events = Array.from({ length: calls }, (_, i) => ({ name: "BatchCallResult", args: { index: String(i), success: true, revertData: "0x" } }));
    return { txHash: "0xtx", blockNumber: 1, gasUsed: "1", events: request.method === "batchCalls" ? events : [] };
  }
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe("batching front: batches under way", () => {
  it("sends half a batch waiting behind a busy front at once, on a second slot", async () => {
    const t = new GatedTarget();
    let open!: () => void;
    t.gate = new Promise((r) => (open = r));
    const w = new BatchingWriter(t, preflightAllOk, { diamondAddress: DIAMOND, maxInFlight: 1, maxCalls: 8 });
    const first = w.write(groupRequest(0));
    await turns(3);
    const half = Array.from({ length: 4 }, (_, i) => w.write(groupRequest(i + 1)));
    await turns(6);
    expect(t.sent, "the 4 calls did not wait for the first write").to.deep.equal([1, 4]);
    open();
    await Promise.all([first, ...half]);
  });

  it("keeps fewer than half a batch waiting for a slot of a busy front", async () => {
    const t = new GatedTarget();
    let open!: () => void;
    t.gate = new Promise((r) => (open = r));
    const w = new BatchingWriter(t, preflightAllOk, { diamondAddress: DIAMOND, maxInFlight: 1, maxCalls: 8 });
    const first = w.write(groupRequest(0));
    await turns(3);
    const few = Array.from({ length: 3 }, (_, i) => w.write(groupRequest(i + 1)));
    await turns(6);
    expect(t.sent).to.deep.equal([1]);
    open();
    await Promise.all([first, ...few]);
    expect(t.sent).to.deep.equal([1, 3]);
  });

  it("never has more than twice maxInFlight transactions under way for batches short of full", async () => {
    const t = new GatedTarget();
    let open!: () => void;
    t.gate = new Promise((r) => (open = r));
    const w = new BatchingWriter(t, preflightAllOk, { diamondAddress: DIAMOND, maxInFlight: 1, maxCalls: 8 });
    const first = w.write(groupRequest(0));
    await turns(3);
    const writes: Promise<WriteReceipt>[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) writes.push(w.write(groupRequest(10 * round + i + 1)));
      await turns(6);
    }
    // the first write alone and a batch of 4 on the second slot; the next 4 (half a batch too) wait
    expect(t.sent).to.deep.equal([1, 4]);
    open();
    await Promise.all([first, ...writes]);
    expect(t.sent).to.deep.equal([1, 4, 4]);
  });
});
