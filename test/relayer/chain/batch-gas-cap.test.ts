import { expect } from "chai";
import fc from "fast-check";
import { seeded } from "../../fixtures/seed";
import { BatchLimits, BatchingWriter, diamondInterface, type BatchTarget } from "../../../src/relayer/chain";
import type { DecodedEvent, WriteReceipt, WriteRequest } from "../../../src/relayer/ports";
import { DIAMOND, burst } from "./batch-front-support";

// The batch gas budget (8 M measured gas by default) is for the default 125 % gas-limit margin
// (the chain option gasLimitPercent). With a larger margin the gas limit of a batch that fits the budget may pass
// the per-transaction gas cap of EIP-7825 (2^24), which a node refuses; the budget is capped so
// that it never does (chain/batch-limits.ts gasBudgetCap).

/** EIP-7825: no transaction above 2^24 gas. */
const TX_GAS_CAP = 2n ** 24n;

const ev = (name: string, args: DecodedEvent["args"] = {}): DecodedEvent => ({ name, args });

/** Records the gas limit of each batchCalls write; answers every call as applied. */
class RecordingTarget implements BatchTarget {
  readonly payers = ["0x" + "22".repeat(20)];
  readonly batches: { calls: number; gasLimit: bigint }[] = [];
  single = 0;
  gate: Promise<void> = Promise.resolve();
  async write(request: WriteRequest, known?: { gasLimit: bigint; calldata: string }): Promise<WriteReceipt> {
    await this.gate;
    if (request.method !== "batchCalls") {
      this.single++;
      return { txHash: "0xsingle", blockNumber: 1, gasUsed: "1", events: [] };
    }
    const calls = (request.args[0] as string[]).length;
    this.batches.push({ calls, gasLimit: known?.gasLimit ?? 0n });
    const events = Array.from({ length: calls }, (_, i) => ev("BatchCallResult", { index: String(i), success: true, revertData: "0x" }));
    return { txHash: "0xbatch", blockNumber: 2, gasUsed: "1", events };
  }
}

/** A node whose batchCalls pre-flight passes every call at `gas` each. */
const preflightAt = (gas: bigint) => ({
  async send(method: string, params: unknown[]): Promise<unknown> {
    if (method !== "eth_call") throw new Error(`unexpected ${method}`);
    const [calls] = diamondInterface.decodeFunctionData("batchCalls", (params[0] as { data: string }).data) as unknown as [string[]];
    return diamondInterface.encodeFunctionResult("batchCalls", [calls.map(() => true), calls.map(() => "0x"), calls.map(() => gas)]);
  },
});


describe("batch gas budget under the per-transaction gas cap", () => {
  it("keeps every batch's gas limit within 2^24 with a 300 % gas-limit margin", async () => {
    const t = new RecordingTarget();
    const w = new BatchingWriter(t, preflightAt(1_500_000n), { diamondAddress: DIAMOND, maxInFlight: 1, gasLimitPercent: 300 });
    await burst(w, t, 16);
    expect(t.batches.length, "batches sent").to.be.greaterThan(0);
    for (const b of t.batches) expect(b.gasLimit <= TX_GAS_CAP, `a batch of ${b.calls} calls with gas limit ${b.gasLimit}`).to.equal(true);
    expect(t.batches.reduce((n, b) => n + b.calls, 0) + t.single, "every call sent").to.equal(17);
  });

  it("keeps every batch's gas limit within 2^24 whatever the margin, call gas and call count (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100, max: 1000 }),
        fc.bigInt({ min: 21_000n, max: 4_000_000n }),
        fc.integer({ min: 2, max: 40 }),
        async (percent, gas, n) => {
          const t = new RecordingTarget();
          const w = new BatchingWriter(t, preflightAt(gas), { diamondAddress: DIAMOND, maxInFlight: 1, gasLimitPercent: percent });
          await burst(w, t, n);
          for (const b of t.batches) expect(b.gasLimit <= TX_GAS_CAP, `${percent} %: ${b.calls} calls of ${gas} gas, limit ${b.gasLimit}`).to.equal(true);
        },
      ),
      seeded(60),
    );
  });

  it("leaves the default 8 M budget as it is at the default 125 % margin", () => {
    expect(new BatchLimits(32).gasBudget).to.equal(8_000_000n);
  });

  it("caps a configured budget that the margin would take past 2^24", () => {
    expect(new BatchLimits(32, 96 * 1024, 8_000_000n, 300).gasBudget < 8_000_000n).to.equal(true);
  });
});
