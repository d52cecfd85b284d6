import { expect } from "chai";
import fc from "fast-check";
import { seeded } from "../../fixtures/seed";
import {
  BatchLimits,
  BatchingWriter,
  batchBytes,
  diamondInterface,
  encodeBatchCalls,
  nodeLimitOf,
  type BatchTarget,
} from "../../../src/relayer/chain";
import { classifyBroadcastError } from "../../../src/relayer/chain/writer/broadcaster";
import { ServiceError, fromBackendError } from "../../../src/relayer/services/errors";
import { WriteTooLargeError, type DecodedEvent, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import { DIAMOND, busyThen, groupCallData, groupRequest, preflightAllOk } from "./batch-front-support";

const ev = (name: string, args: DecodedEvent["args"] = {}): DecodedEvent => ({ name, args });
const done = (n: number): DecodedEvent[] =>
  Array.from({ length: n }, (_, i) => [ev("Done", { i: String(i) }), ev("BatchCallResult", { index: String(i), success: true, revertData: "0x" })]).flat();

/** A BatchTarget that records each write's calls and answers a batch as `batchOutcome` says. */
class ScriptedTarget implements BatchTarget {
  readonly payers = ["0x" + "22".repeat(20)];
  /** Per write: its calls' calldata (one for a write alone). */
  readonly writes: string[][] = [];
  /** The writes that were not refused. */
  readonly applied: string[][] = [];
  batchOutcome: (calls: string[]) => Error | null = () => null;
  gate: Promise<void> = Promise.resolve();
  async write(request: WriteRequest): Promise<WriteReceipt> {
    const calls = request.method === "batchCalls" ? (request.args[0] as string[]) : [diamondInterface.encodeFunctionData(request.method, request.args)];
    this.writes.push(calls);
    await this.gate;
    if (request.method !== "batchCalls") {
      this.applied.push(calls);
      return { txHash: "0xsingle", blockNumber: 1, gasUsed: "1", events: [ev("Single")] };
    }
    const refused = this.batchOutcome(calls);
    if (refused) throw refused;
    this.applied.push(calls);
    return { txHash: "0xbatch", blockNumber: 2, gasUsed: "100", events: done(calls.length) };
  }
}


describe("batch size limits", () => {
  describe("BatchLimits.take", () => {
    const hexCall = fc.uint8Array({ minLength: 4, maxLength: 400 }).map((b) => ({ calldata: `0x${Buffer.from(b).toString("hex")}` }));

    it("counts a batch's calldata bytes exactly as encodeBatchCalls lays them out (property)", () => {
      fc.assert(
        fc.property(fc.array(hexCall, { maxLength: 10 }), (calls) => {
          const data = encodeBatchCalls(calls.map((c) => c.calldata));
          expect(batchBytes(calls.map((c) => c.calldata))).to.equal((data.length - 2) / 2);
        }),
        seeded(200),
      );
    });

    it("takes the longest prefix within the call count and byte budget, and a single oversized call alone (property)", () => {
      fc.assert(
        fc.property(fc.array(hexCall, { maxLength: 30 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 68, max: 4000 }), (calls, maxCalls, maxBytes) => {
          const n = new BatchLimits(maxCalls, maxBytes).take(calls);
          const bytesOf = (k: number): number => batchBytes(calls.slice(0, k).map((c) => c.calldata));
          if (calls.length === 0) {
            expect(n).to.equal(0);
            return;
          }
          expect(n).to.be.within(1, Math.min(maxCalls, calls.length));
          if (n > 1) expect(bytesOf(n)).to.be.at.most(maxBytes);
          // closed only by a limit: the next call would pass the count or the bytes
          if (n < calls.length) expect(n === maxCalls || bytesOf(n + 1) > maxBytes).to.equal(true);
        }),
        seeded(300),
      );
    });

    it("narrows to half a refused batch's bytes or gas and never widens again", () => {
      const l = new BatchLimits(32, 96 * 1024, 8_000_000n);
      expect(l.narrow("TransactionSize", 20_000, 1_000_000n)).to.equal(10_000);
      expect(l.narrow("TransactionSize", 60_000, 1_000_000n)).to.equal(10_000);
      expect(l.gasBudget).to.equal(8_000_000n);
      expect(l.narrow("GasCap", 5_000, 6_000_000n)).to.equal(3_000_000n);
      expect(l.maxBytes).to.equal(10_000);
    });
  });

  describe("node refusals for size or gas cap", () => {
    // As the clients word them (src/relayer/chain/writer/node-limits.ts).
    const size = [
      "oversized data",
      "oversized data: transaction size 140123, limit 131072",
      "MaxTxSizeExceeded, max tx size: 131072",
      "exceeds transaction size limit",
    ];
    const gas = [
      "exceeds block gas limit",
      "transaction gas limit too high (cap: 16777216, tx: 20000000)",
      "transaction's gas limit 40000000 exceeds block's gas limit 30000000",
      "transaction's gas limit 20000000 exceeds maximum transaction gas limit 16777216",
      "transaction gas limit (20000000) is greater than the cap (16777216)",
      "caller gas limit exceeds the block gas limit",
      "GasLimitExceeded, Gas limit: 30000000, gas limit of rejected tx: 40000000",
      "TxGasLimitCapExceeded: Gas limit 20000000 exceeded cap of 16777216.",
      "Transaction gas limit is 31000000 and exceeds block gas limit of 30000000",
      "EXCEEDS_BLOCK_GAS_LIMIT",
      "intrinsic gas too high",
    ];
    const others = [
      "intrinsic gas too low",
      "insufficient gas for floor data gas cost",
      "tx fee (1.50 ether) exceeds the configured cap (1.00 ether)",
      "nonce too high",
      "replacement transaction underpriced",
      "insufficient funds for gas * price + value",
    ];

    it("names the size limit for the size refusals of geth, op-geth, reth and Nethermind", () => {
      expect(size.map(nodeLimitOf)).to.deep.equal(size.map(() => "TransactionSize"));
    });

    it("names the gas cap for the gas-limit refusals of geth, reth, revm, Nethermind, Hardhat/EDR and Besu", () => {
      expect(gas.map(nodeLimitOf)).to.deep.equal(gas.map(() => "GasCap"));
    });

    it("names no limit for refusals about too little gas, fees, nonces or funds", () => {
      expect(others.map(nodeLimitOf)).to.deep.equal(others.map(() => null));
    });

    it("classes every size or gas-cap refusal as failed (filled nonce), never as retry", () => {
      const err = (m: string): Error => Object.assign(new Error(m), { code: -32000 });
      expect([...size, ...gas].map((m) => classifyBroadcastError(err(m), m))).to.deep.equal([...size, ...gas].map(() => "failed"));
    });

    it("answers a write too large for the node as WriteTooLarge (400), nothing applied", () => {
      const mapped = fromBackendError(new WriteTooLargeError("GasCap", "transaction rejected by the node: gas limit too high"));
      expect(mapped).to.be.instanceOf(ServiceError);
      expect(mapped).to.deep.include({ kind: "InvalidValue", code: "WriteTooLarge" });
    });
  });

  describe("the batching front", () => {
    it("closes a batch when the next call would take its calldata past the byte budget", async () => {
      const t = new ScriptedTarget();
      const maxBytes = batchBytes([groupCallData(1), groupCallData(2)]);
      const w = new BatchingWriter(t, preflightAllOk, { diamondAddress: DIAMOND, maxInFlight: 1, maxBytes });
      const receipts = await Promise.all(await busyThen(w, t, 5));
      expect(receipts).to.have.length(6);
      expect(t.writes.map((calls) => calls.length)).to.deep.equal([1, 2, 2, 1]);
      for (const calls of t.writes.filter((c) => c.length > 1)) expect(batchBytes(calls)).to.be.at.most(maxBytes);
      expect(w.stats()).to.deep.include({ batches: 2, batchedCalls: 4, single: 2 });
    });

    it("sends the calls of a batch the node refused as oversized again in smaller batches, all applied", async () => {
      const t = new ScriptedTarget();
      const limit = batchBytes([groupCallData(1), groupCallData(2), groupCallData(3)]);
      t.batchOutcome = (calls) =>
        batchBytes(calls) > limit ? new WriteTooLargeError("TransactionSize", "transaction rejected by the node: oversized data") : null;
      const w = new BatchingWriter(t, preflightAllOk, { diamondAddress: DIAMOND, maxInFlight: 1 });
      const receipts = await Promise.all(await busyThen(w, t, 8));
      expect(receipts.every((r) => r.events.length === 1)).to.equal(true);
      expect(t.writes[1], "the first batch carried all 8 and was refused").to.have.length(8);
      expect(t.applied.flat(), "every call applied, once").to.have.members([groupCallData(0), ...t.writes[1]]);
      for (const calls of t.applied) expect(calls.length === 1 || batchBytes(calls) <= limit).to.equal(true);
      expect(t.applied.length, "in smaller batches, not one by one").to.be.lessThan(9);
    });

    it("answers a call the node refuses alone for its gas cap with WriteTooLargeError", async () => {
      const t = new ScriptedTarget();
      const refused = new WriteTooLargeError("GasCap", "transaction rejected by the node: transaction gas limit too high");
      t.write = async () => {
        throw refused;
      };
      const w = new BatchingWriter(t, preflightAllOk, { diamondAddress: DIAMOND, maxInFlight: 1 });
      const err = await w.write(groupRequest(1)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).to.equal(refused);
    });
  });
});
