import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { seeded } from "../../fixtures/seed";
import {
  BatchingWriter,
  decodeBatchResult,
  diamondInterface,
  encodeBatchCalls,
  splitBatchEvents,
  type BatchTarget,
  type Chain,
} from "../../../src/relayer/chain";
import {
  ChainUnavailableError,
  RevertError,
  type DecodedEvent,
  type WriteReceipt,
  type WriteRequest,
} from "../../../src/relayer/ports";
import { FlakyRpc, h, hardhatRpc, rejectionOf, start, chainPerTest } from "../support";

const newAccount = (f: DiamondFixture, label: string): WriteRequest => ({
  method: "newAccount",
  args: [h(label), true, label, "", f.users[0].address],
});
const addGroup = (account: string, name: string, cids: string[] = []): WriteRequest => ({
  method: "addGroup",
  args: [account, name, "", cids, []],
});

/** Settled outcome of a write: "ok" or the decoded error name. */
async function outcome(p: Promise<WriteReceipt>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return e instanceof RevertError ? e.errorName : `other: ${(e as Error).message}`;
  }
}

const ev = (name: string, args: DecodedEvent["args"] = {}): DecodedEvent => ({ name, args });
const result = (index: number, success: boolean, revertData = "0x"): DecodedEvent =>
  ev("BatchCallResult", { index: String(index), success, revertData });

describe("relayer write batching", function () {
  describe("splitBatchEvents", () => {
    it("gives each call the events between the previous BatchCallResult and its own", () => {
      const out = splitBatchEvents([ev("A"), ev("B"), result(0, true), result(1, false, "0x1234"), ev("C"), result(2, true)]);
      expect([...out.keys()]).to.deep.equal([0, 1, 2]);
      expect(out.get(0)).to.deep.equal({ success: true, revertData: "0x", events: [ev("A"), ev("B")] });
      expect(out.get(1)).to.deep.equal({ success: false, revertData: "0x1234", events: [] });
      expect(out.get(2)?.events).to.deep.equal([ev("C")]);
    });

    it("returns nothing for a receipt without BatchCallResult events", () => {
      expect(splitBatchEvents([ev("GroupAdded")]).size).to.equal(0);
    });
  });

  describe("batchCalls encoding", () => {
    const hexBytes = fc.uint8Array({ maxLength: 200 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);

    it("encodes batchCalls calldata exactly as ethers does (property)", () => {
      fc.assert(
        fc.property(fc.array(hexBytes, { maxLength: 12 }), (calls) => {
          expect(encodeBatchCalls(calls)).to.equal(diamondInterface.encodeFunctionData("batchCalls", [calls]));
        }),
        seeded(200),
      );
    });

    it("decodes batchCalls results exactly as ethers does (property)", () => {
      const entry = fc.record({ ok: fc.boolean(), data: hexBytes, gas: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }) });
      fc.assert(
        fc.property(fc.array(entry, { maxLength: 12 }), (entries) => {
          const raw = diamondInterface.encodeFunctionResult("batchCalls", [entries.map((e) => e.ok), entries.map((e) => e.data), entries.map((e) => e.gas)]);
          expect(decodeBatchResult(raw)).to.deep.equal({
            success: entries.map((e) => e.ok),
            results: entries.map((e) => e.data),
            gasUsed: entries.map((e) => e.gas),
          });
        }),
        seeded(200),
      );
    });

    it("refuses malformed calls and results instead of misreading them", () => {
      expect(() => encodeBatchCalls(["0x123"])).to.throw(/even-length/);
      const good = diamondInterface.encodeFunctionResult("batchCalls", [[true], ["0xabcd"], [7n]]);
      expect(() => decodeBatchResult(good.slice(0, good.length - 64))).to.throw(/out of bounds/);
      expect(() => decodeBatchResult("0x" + "ff".repeat(96))).to.throw(/out of bounds/);
      expect(() => decodeBatchResult("0xzz")).to.throw(/not hex/);
    });
  });

  describe("with a scripted writer and node", () => {
    const diamond = "0x" + "11".repeat(20);
    const errorData = diamondInterface.encodeErrorResult("AccountDoesNotExist", [5n]);

    /** A BatchTarget that records calls and answers a batch with the given per-call outcomes. */
    class ScriptedTarget implements BatchTarget {
      readonly payers = ["0x" + "22".repeat(20)];
      readonly writes: { request: WriteRequest; gasLimit?: bigint }[] = [];
      batchOutcome: (calls: string[]) => DecodedEvent[] | Error = (calls) => calls.flatMap((_, i) => [ev("Done", { i: String(i) }), result(i, true)]);
      gate: Promise<void> = Promise.resolve();
      async write(request: WriteRequest, known?: { gasLimit: bigint }): Promise<WriteReceipt> {
        this.writes.push({ request, ...(known ? { gasLimit: known.gasLimit } : {}) });
        await this.gate;
        if (request.method !== "batchCalls") return { txHash: "0xsingle", blockNumber: 1, gasUsed: "1", events: [ev("Single")] };
        const events = this.batchOutcome(request.args[0] as string[]);
        if (events instanceof Error) throw events;
        return { txHash: "0xbatch", blockNumber: 2, gasUsed: "100", events };
      }
    }

    /** eth_call of batchCalls answered with per-call outcomes chosen by `answer`. */
    const node = (answer: (calls: string[]) => { ok: boolean; data: string; gas: bigint }[]) => ({
      calls: 0,
      async send(method: string, params: unknown[]): Promise<unknown> {
        if (method !== "eth_call") throw new Error(`unexpected ${method}`);
        this.calls++;
        const data = (params[0] as { data: string }).data;
        const [calls] = diamondInterface.decodeFunctionData("batchCalls", data) as unknown as [string[]];
        const res = answer([...calls]);
        return diamondInterface.encodeFunctionResult("batchCalls", [res.map((r) => r.ok), res.map((r) => r.data), res.map((r) => r.gas)]);
      },
    });
    const allOk = node((calls) => calls.map(() => ({ ok: true, data: "0x", gas: 50_000n })));
    const req = (i: number): WriteRequest => addGroup(h("acct"), `g${i}`);

    /** Holds the target busy with one write so that the next ones queue up. */
    async function busyThen(w: BatchingWriter, t: ScriptedTarget, n: number): Promise<Promise<WriteReceipt>[]> {
      let open!: () => void;
      t.gate = new Promise((r) => (open = r));
      const first = w.write(req(0));
      await new Promise((r) => setImmediate(r));
      const rest = Array.from({ length: n }, (_, i) => w.write(req(i + 1)));
      await new Promise((r) => setImmediate(r));
      open();
      return [first, ...rest];
    }

    it("sends a call alone when the front has room (no pre-flight of its own)", async () => {
      const t = new ScriptedTarget();
      const rpc = node(() => []);
      const w = new BatchingWriter(t, rpc, { diamondAddress: diamond, maxInFlight: 1 });
      const r = await w.write(req(1));
      expect(r.txHash).to.equal("0xsingle");
      expect(rpc.calls).to.equal(0);
      expect(t.writes.map((x) => x.request.method)).to.deep.equal(["addGroup"]);
      expect(w.stats()).to.deep.include({ single: 1, batches: 0 });
    });

    it("sends the calls that queued while the front was full as one batchCalls write with a computed gas limit", async () => {
      const t = new ScriptedTarget();
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      const receipts = await Promise.all(await busyThen(w, t, 3));
      expect(t.writes.map((x) => x.request.method)).to.deep.equal(["addGroup", "batchCalls"]);
      const batch = t.writes[1];
      expect((batch.request.args[0] as string[]).length).to.equal(3);
      // 3 calls x 50 000 (x 64/63) + overheads, x 1.25, plus the intrinsic cost
      expect(batch.gasLimit).to.be.a("bigint");
      expect(Number(batch.gasLimit)).to.be.within(3 * 50_000 * 1.25 + 21_000, 3 * 50_000 * 1.25 + 21_000 + 150_000);
      expect(receipts.slice(1).map((r) => r.events)).to.deep.equal([[ev("Done", { i: "0" })], [ev("Done", { i: "1" })], [ev("Done", { i: "2" })]]);
      expect(receipts.slice(1).every((r) => r.txHash === "0xbatch" && r.gasUsed === "50000")).to.equal(true);
      expect(w.stats()).to.deep.include({ single: 1, batches: 1, batchedCalls: 3 });
    });

    it("rejects a call that fails the batch pre-flight with its decoded error and sends the others", async () => {
      const t = new ScriptedTarget();
      const rpc = node((calls) => calls.map((_, i) => (i === 1 ? { ok: false, data: errorData, gas: 1n } : { ok: true, data: "0x", gas: 1n })));
      const w = new BatchingWriter(t, rpc, { diamondAddress: diamond, maxInFlight: 1 });
      const ps = await busyThen(w, t, 3);
      const outcomes = await Promise.all(ps.map(outcome));
      expect(outcomes).to.deep.equal(["ok", "ok", "AccountDoesNotExist", "ok"]);
      expect((t.writes[1].request.args[0] as string[]).length).to.equal(2);
      expect(((await rejectionOf(ps[2])) as RevertError).errorArgs).to.deep.equal(["5"]);
      expect(w.stats().rejected).to.equal(1);
    });

    it("sends alone a call that failed the pre-flight without revert data (the writer's own pre-flight judges it)", async () => {
      const t = new ScriptedTarget();
      const rpc = node((calls) => calls.map((_, i) => (i === 0 ? { ok: false, data: "0x", gas: 1n } : { ok: true, data: "0x", gas: 1n })));
      const w = new BatchingWriter(t, rpc, { diamondAddress: diamond, maxInFlight: 1 });
      await Promise.all(await busyThen(w, t, 3));
      expect(t.writes.map((x) => x.request.method).sort()).to.deep.equal(["addGroup", "addGroup", "batchCalls"]);
      expect(w.stats()).to.deep.include({ retriedAlone: 1, batchedCalls: 2 });
    });

    it("sends the last passing call alone when the others failed the pre-flight", async () => {
      const t = new ScriptedTarget();
      const rpc = node((calls) => calls.map((_, i) => (i === 0 ? { ok: true, data: "0x", gas: 1n } : { ok: false, data: errorData, gas: 1n })));
      const w = new BatchingWriter(t, rpc, { diamondAddress: diamond, maxInFlight: 1 });
      const outcomes = await Promise.all((await busyThen(w, t, 2)).map(outcome));
      expect(outcomes).to.deep.equal(["ok", "ok", "AccountDoesNotExist"]);
      expect(t.writes.map((x) => x.request.method)).to.deep.equal(["addGroup", "addGroup"]);
    });

    it("rejects a call that failed on-chain after passing the pre-flight with the error its BatchCallResult carries", async () => {
      const t = new ScriptedTarget();
      t.batchOutcome = () => [ev("Done"), result(0, true), result(1, false, errorData)];
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      const outcomes = await Promise.all((await busyThen(w, t, 2)).map(outcome));
      expect(outcomes).to.deep.equal(["ok", "ok", "AccountDoesNotExist"]);
    });

    it("sends a batch at once, without a pre-flight, when every call's gas is cached from an earlier batch", async () => {
      const t = new ScriptedTarget();
      const rpc = node((calls) => calls.map(() => ({ ok: true, data: "0x", gas: 50_000n })));
      const w = new BatchingWriter(t, rpc, { diamondAddress: diamond, maxInFlight: 1 });
      await Promise.all(await busyThen(w, t, 2));
      expect(rpc.calls, "the first batch is pre-flighted").to.equal(1);
      const receipts = await Promise.all(await busyThen(w, t, 3));
      expect(rpc.calls, "the second one is not").to.equal(1);
      const batch = t.writes.at(-1);
      expect(batch?.request.method).to.equal("batchCalls");
      expect(Number(batch?.gasLimit)).to.be.within(3 * 50_000 * 1.25 + 21_000, 3 * 50_000 * 1.25 + 21_000 + 150_000);
      expect(receipts.slice(1).every((r) => r.txHash === "0xbatch" && r.gasUsed === "50000")).to.equal(true);
      expect(w.stats()).to.deep.include({ batches: 2, cachedGas: 1 });
    });

    it("answers a call that fails on-chain in a batch sent from cached gas with its decoded custom error, and applies the others", async () => {
      const t = new ScriptedTarget();
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      await Promise.all(await busyThen(w, t, 2));
      t.batchOutcome = (calls) => calls.flatMap((_, i) => (i === 1 ? [result(i, false, errorData)] : [ev("Done"), result(i, true)]));
      const ps = await busyThen(w, t, 3);
      expect(await Promise.all(ps.map(outcome))).to.deep.equal(["ok", "ok", "AccountDoesNotExist", "ok"]);
      expect(((await rejectionOf(ps[2])) as RevertError).errorArgs).to.deep.equal(["5"]);
      expect(w.stats()).to.deep.include({ cachedGas: 1, retriedAlone: 0 });
    });

    it("pre-flights a shape again after a call of it failed without revert data in a batch sent from cached gas", async () => {
      const t = new ScriptedTarget();
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      await Promise.all(await busyThen(w, t, 2));
      // Out of gas inside the batch (no revert data): the call is retried alone, through the writer.
      t.batchOutcome = (calls) => calls.flatMap((_, i) => (i === 0 ? [result(i, false)] : [ev("Done"), result(i, true)]));
      expect(await Promise.all((await busyThen(w, t, 2)).map(outcome))).to.deep.equal(["ok", "ok", "ok"]);
      expect(w.stats()).to.deep.include({ cachedGas: 1, retriedAlone: 1 });
      t.batchOutcome = (calls) => calls.flatMap((_, i) => [ev("Done"), result(i, true)]);
      const before = allOk.calls;
      await Promise.all(await busyThen(w, t, 2));
      expect(allOk.calls, "the next batch of that shape is pre-flighted").to.equal(before + 1);
    });

    it("retries every call alone when the batch transaction reverts as a whole", async () => {
      const t = new ScriptedTarget();
      t.batchOutcome = () => new RevertError("TransactionReverted", []);
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      const outcomes = await Promise.all((await busyThen(w, t, 3)).map(outcome));
      expect(outcomes).to.deep.equal(["ok", "ok", "ok", "ok"]);
      expect(t.writes.map((x) => x.request.method)).to.deep.equal(["addGroup", "batchCalls", "addGroup", "addGroup", "addGroup"]);
      expect(w.stats().retriedAlone).to.equal(3);
    });

    /**
     * A ScriptedTarget that stores every batch as outbox row 7 and answers that row's final outcome
     * (finalOutcome) only once the test settles it: the batch re-mined by a reorg, or final as it was.
     */
    class FinalTarget extends ScriptedTarget {
      readonly finalAsked: number[] = [];
      private settleFinal: (outcome: DecodedEvent[] | Error) => void = () => undefined;
      private readonly final = new Promise<DecodedEvent[] | Error>((r) => (this.settleFinal = r));
      settle(outcome: DecodedEvent[] | Error): void {
        this.settleFinal(outcome);
      }
      override async write(request: WriteRequest, known?: { gasLimit: bigint }, progress?: { onRow?(id: number): void }): Promise<WriteReceipt> {
        if (request.method === "batchCalls") progress?.onRow?.(7);
        return super.write(request, known);
      }
      async finalOutcome(id: number): Promise<WriteReceipt> {
        this.finalAsked.push(id);
        const o = await this.final;
        if (o instanceof Error) throw o;
        return { txHash: "0xfinal", blockNumber: 3, gasUsed: "100", events: o };
      }
    }
    const settledSoFar = async (ps: Promise<WriteReceipt>[]): Promise<(string | undefined)[]> => {
      const seen: (string | undefined)[] = ps.map(() => undefined);
      ps.forEach((p, i) => void outcome(p).then((o) => (seen[i] = o)));
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      return seen;
    };
    const allSucceed = (n: number): DecodedEvent[] => Array.from({ length: n }, (_, i) => [ev("Again", { i: String(i) }), result(i, true)]).flat();

    it("retries the calls of a batch that reverted as a whole alone only once its row is final", async () => {
      const t = new FinalTarget();
      t.batchOutcome = () => new RevertError("BatchCallOutOfGas", ["0"]);
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      const ps = await busyThen(w, t, 2);
      expect(await settledSoFar(ps)).to.deep.equal(["ok", undefined, undefined]);
      expect(t.writes.map((x) => x.request.method), "nothing retried before the batch is final").to.deep.equal(["addGroup", "batchCalls"]);
      expect(t.finalAsked).to.deep.equal([7]);
      t.settle(new RevertError("BatchCallOutOfGas", ["0"]));
      expect(await Promise.all(ps.map(outcome))).to.deep.equal(["ok", "ok", "ok"]);
      expect(t.writes.map((x) => x.request.method)).to.deep.equal(["addGroup", "batchCalls", "addGroup", "addGroup"]);
      expect(w.stats().retriedAlone).to.equal(2);
    });

    it("answers the calls of a reverted batch from the batch, retrying none, when a reorg re-mined it with success before it was final", async () => {
      const t = new FinalTarget();
      t.batchOutcome = () => new RevertError("BatchCallOutOfGas", ["1"]);
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      const ps = await busyThen(w, t, 2);
      await settledSoFar(ps);
      t.settle(allSucceed(2));
      const receipts = await Promise.all(ps);
      expect(receipts.slice(1).map((r) => [r.txHash, r.events])).to.deep.equal([
        ["0xfinal", [ev("Again", { i: "0" })]],
        ["0xfinal", [ev("Again", { i: "1" })]],
      ]);
      expect(t.writes.map((x) => x.request.method)).to.deep.equal(["addGroup", "batchCalls"]);
      expect(w.stats().retriedAlone).to.equal(0);
    });

    it("retries a call that failed without revert data in a mined batch only once the batch is final", async () => {
      const t = new FinalTarget();
      t.batchOutcome = (calls) => calls.flatMap((_, i) => (i === 0 ? [result(i, false)] : [ev("Done"), result(i, true)]));
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      const ps = await busyThen(w, t, 2);
      expect(await settledSoFar(ps)).to.deep.equal(["ok", undefined, "ok"]);
      expect(t.writes).to.have.length(2);
      t.settle([result(0, false), ev("Done"), result(1, true)]);
      expect(await Promise.all(ps.map(outcome))).to.deep.equal(["ok", "ok", "ok"]);
      expect(t.writes.map((x) => x.request.method)).to.deep.equal(["addGroup", "batchCalls", "addGroup"]);
    });

    it("answers a call that failed in a batch sent from cached gas only once the batch is final, with the final outcome", async () => {
      const t = new FinalTarget();
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      await Promise.all(await busyThen(w, t, 2));
      t.batchOutcome = (calls) => calls.flatMap((_, i) => (i === 1 ? [result(i, false, errorData)] : [ev("Done"), result(i, true)]));
      const ps = await busyThen(w, t, 2);
      expect(await settledSoFar(ps), "the failure is not answered before the batch is final").to.deep.equal(["ok", "ok", undefined]);
      expect(w.stats().cachedGas).to.equal(1);
      // A reorg re-mined the batch and the call succeeded on the new branch: that is the answer.
      t.settle(allSucceed(2));
      expect((await ps[2]).events).to.deep.equal([ev("Again", { i: "1" })]);
      expect(w.stats().retriedAlone).to.equal(0);
    });

    it("answers a call that failed in a pre-flighted batch with its error at once, without waiting for the batch to be final", async () => {
      const t = new FinalTarget();
      t.batchOutcome = () => [ev("Done"), result(0, true), result(1, false, errorData)];
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      const ps = await busyThen(w, t, 2);
      expect(await settledSoFar(ps)).to.deep.equal(["ok", "ok", "AccountDoesNotExist"]);
      expect(t.finalAsked).to.deep.equal([]);
    });

    it("applies each call of a batch at most once, and answers the ones left open with the final chain's outcome, whatever the batch's first and final outcomes (property)", async () => {
      type Call = "ok" | "data" | "nodata";
      const calls = fc.array(fc.constantFrom<Call>("ok", "data", "nodata"), { minLength: 3, maxLength: 3 });
      const batch = fc.oneof(fc.constant("reverted" as const), calls);
      const events = (o: readonly Call[]): DecodedEvent[] =>
        o.flatMap((x, i) => (x === "ok" ? [ev("Done", { i: String(i) }), result(i, true)] : [result(i, false, x === "data" ? errorData : "0x")]));
      const asTarget = (b: "reverted" | Call[]): DecodedEvent[] | Error => (b === "reverted" ? new RevertError("BatchCallOutOfGas", ["0"]) : events(b));
      await fc.assert(
        fc.asyncProperty(fc.boolean(), batch, batch, async (fromCache, first, final) => {
          const t = new FinalTarget();
          const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
          if (fromCache) await Promise.all(await busyThen(w, t, 3));
          t.batchOutcome = () => asTarget(first);
          const before = t.writes.length;
          const ps = (await busyThen(w, t, 3)).slice(1);
          await settledSoFar(ps);
          t.settle(asTarget(final));
          const answers = await Promise.all(ps.map(async (p) => ({ outcome: await outcome(p), tx: await p.then((r) => r.txHash, () => null) })));
          expect(w.stats().cachedGas).to.equal(fromCache ? 1 : 0);
          for (let i = 0; i < 3; i++) {
            const name = `g${i + 1}`;
            const alone = t.writes.slice(before).filter((x) => x.request.method === "addGroup" && x.request.args[1] === name).length;
            const atInclusion = first !== "reverted" && (first[i] === "ok" || (first[i] === "data" && !fromCache));
            const appliedByFinalBatch = final !== "reverted" && final[i] === "ok";
            if (atInclusion) {
              expect(alone, `call ${i} answered at inclusion is never sent alone`).to.equal(0);
              continue;
            }
            expect(alone + (appliedByFinalBatch ? 1 : 0), `call ${i} applied at most once`).to.be.at.most(1);
            const expected =
              final === "reverted" || final[i] === "nodata"
                ? { outcome: "ok", tx: "0xsingle" }
                : final[i] === "ok"
                  ? { outcome: "ok", tx: "0xfinal" }
                  : { outcome: "AccountDoesNotExist", tx: null };
            expect(answers[i], `call ${i}: first ${String(first)}, final ${String(final)}, cached ${fromCache}`).to.deep.equal(expected);
            expect(alone).to.equal(expected.tx === "0xsingle" ? 1 : 0);
          }
        }),
        seeded(80),
      );
    });

    it("passes a queued-outage error of the batch to every call (the batch is stored and will be applied)", async () => {
      const t = new ScriptedTarget();
      t.batchOutcome = () => new ChainUnavailableError("stored", true);
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      const ps = await busyThen(w, t, 2);
      const errs = await Promise.all(ps.slice(1).map(rejectionOf));
      expect(errs.every((e) => e instanceof ChainUnavailableError && e.queued)).to.equal(true);
    });

    it("answers 'chain unavailable, nothing queued' to every call when the pre-flight cannot reach the node", async () => {
      const t = new ScriptedTarget();
      const rpc = new FlakyRpc(allOk);
      rpc.down = true;
      const w = new BatchingWriter(t, rpc, { diamondAddress: diamond, maxInFlight: 1 });
      const ps = await busyThen(w, t, 2);
      const errs = await Promise.all(ps.slice(1).map(rejectionOf));
      expect(errs.every((e) => e instanceof ChainUnavailableError && !e.queued)).to.equal(true);
      expect(t.writes).to.have.length(1);
    });

    it("sends the calls alone, and keeps batching on, when a batch pre-flight fails for another reason", async () => {
      const t = new ScriptedTarget();
      const rpc = {
        async send(): Promise<unknown> {
          throw Object.assign(new Error("execution reverted"), { data: diamondInterface.encodeErrorResult("InvalidRequest", ["odd"]) });
        },
      };
      const w = new BatchingWriter(t, rpc, { diamondAddress: diamond, maxInFlight: 1 });
      const outcomes = await Promise.all((await busyThen(w, t, 3)).map(outcome));
      expect(outcomes).to.deep.equal(["ok", "ok", "ok", "ok"]);
      expect(t.writes.map((x) => x.request.method)).to.deep.equal(["addGroup", "addGroup", "addGroup", "addGroup"]);
      expect(w.stats().enabled).to.equal(true);
    });

    it("takes only the calls that fit the gas budget; the rest go in the next transaction", async () => {
      const t = new ScriptedTarget();
      const rpc = node((calls) => calls.map(() => ({ ok: true, data: "0x", gas: 400_000n })));
      const w = new BatchingWriter(t, rpc, { diamondAddress: diamond, maxInFlight: 1, gasBudget: 1_000_000n });
      const outcomes = await Promise.all((await busyThen(w, t, 5)).map(outcome));
      expect(outcomes.every((o) => o === "ok")).to.equal(true);
      const sizes = t.writes.map((x) => (x.request.method === "batchCalls" ? (x.request.args[0] as string[]).length : 1));
      expect(sizes).to.deep.equal([1, 2, 2, 1]);
    });

    it("never batches a call with an Idempotency-Key, and never more than maxCalls together", async () => {
      const t = new ScriptedTarget();
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1, maxCalls: 2 });
      const ps = await busyThen(w, t, 4);
      const keyed = w.write({ ...req(9), idempotencyKey: "k", idempotencyScope: "s" });
      await Promise.all([...ps, keyed]);
      const sizes = t.writes.map((x) => (x.request.method === "batchCalls" ? (x.request.args[0] as string[]).length : 1));
      expect(sizes.sort()).to.deep.equal([1, 1, 2, 2]);
      expect(t.writes.filter((x) => x.request.idempotencyKey === "k").map((x) => x.request.method)).to.deep.equal(["addGroup"]);
    });

    it("sends a full batch at once even while the front is busy", async () => {
      const t = new ScriptedTarget();
      let open!: () => void;
      t.gate = new Promise((r) => (open = r));
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1, maxCalls: 3 });
      const ps = Array.from({ length: 8 }, (_, i) => w.write(req(i)));
      for (let i = 0; i < 5 && t.writes.length < 3; i++) await new Promise((r) => setImmediate(r));
      // one lot of 3 took the only slot; the next full lot of 3 did not wait for it; 2 wait
      expect(t.writes.map((x) => (x.request.args[0] as string[]).length)).to.deep.equal([3, 3]);
      open();
      await Promise.all(ps);
      expect(w.stats()).to.deep.include({ batches: 3, batchedCalls: 8 });
    });

    it("frees the slots of the transactions under way when a reorg is reported: a call arriving then leaves at once", async () => {
      const t = new ScriptedTarget();
      let open!: () => void;
      t.gate = new Promise((r) => (open = r));
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1, maxCalls: 8 });
      const first = w.write(req(0));
      for (let i = 0; i < 5 && t.writes.length < 1; i++) await new Promise((r) => setImmediate(r));
      const second = w.write(req(1));
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      expect(t.writes, "the second call waits for the only slot").to.have.length(1);
      w.noteReorg(10);
      for (let i = 0; i < 5 && t.writes.length < 2; i++) await new Promise((r) => setImmediate(r));
      expect(t.writes, "the second call left without waiting for the first").to.have.length(2);
      open();
      await Promise.all([first, second]);
      // The freed slot is not given back twice: the front is back to one transaction at a time.
      t.gate = new Promise((r) => (open = r));
      const third = w.write(req(2));
      for (let i = 0; i < 5 && t.writes.length < 3; i++) await new Promise((r) => setImmediate(r));
      const fourth = w.write(req(3));
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      expect(t.writes).to.have.length(3);
      open();
      await Promise.all([third, fourth]);
    });

    it("does not batch at all with maxCalls 1", async () => {
      const t = new ScriptedTarget();
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1, maxCalls: 1 });
      await Promise.all(await busyThen(w, t, 3));
      expect(t.writes.map((x) => x.request.method)).to.deep.equal(["addGroup", "addGroup", "addGroup", "addGroup"]);
      expect(w.stats().enabled).to.equal(false);
    });

    it("rejects a call whose arguments do not encode, without touching the others", async () => {
      const t = new ScriptedTarget();
      const w = new BatchingWriter(t, allOk, { diamondAddress: diamond, maxInFlight: 1 });
      const err = await rejectionOf(w.write({ method: "addGroup", args: ["not a number"] }));
      expect(err.message).to.match(/invalid|missing argument/i);
      expect(t.writes).to.have.length(0);
    });
  });

  describe("on the diamond", function () {
    const t = chainPerTest("sqlite");
    let f: DiamondFixture;

    beforeEach(async () => {
      f = await loadFixture(deployDiamond);
    });

    const begin = async (extra: Parameters<typeof start>[2] = {}): Promise<Chain> => {
      return t.keep(await start(t.store(), f.diamondAddress, { batchMaxInFlight: 1, ...extra }));
    };

    it("applies concurrent writes in shared transactions, each with its own events, indexed when it resolves", async () => {
      const c = await begin();
      const A = h("batch-a");
      await c.writes.write(newAccount(f, "batch-a"));
      const receipts = await Promise.all(Array.from({ length: 12 }, (_, i) => c.writes.write(addGroup(A, `g${i}`, [h(`cid${i}`)]))));
      const ids = receipts.map((r) => r.events.find((e) => e.name === "GroupAdded")?.args.groupId);
      expect(new Set(ids).size).to.equal(12);
      expect(receipts.every((r) => r.events.filter((e) => e.name === "GroupAdded").length === 1)).to.equal(true);
      expect(new Set(receipts.map((r) => r.txHash)).size).to.be.lessThan(12);
      expect(c.writes.stats().batches).to.be.greaterThan(0);
      const groups = await t.store().index.listGroups(A, { pageNumber: 0, pageSize: 100 });
      expect(groups.map((g) => g.name).sort()).to.deep.equal(Array.from({ length: 12 }, (_, i) => `g${i}`).sort());
      // every outbox row (singles and batches) mined; one row per transaction
      const rows = await t.store().outbox.list();
      expect(rows.every((r) => r.status === "mined")).to.equal(true);
      expect(rows.length).to.equal(new Set(receipts.map((r) => r.txHash)).size + 1);
    });

    it("rejects the failing call of a batch with its decoded custom error and applies the rest", async () => {
      const c = await begin();
      const A = h("batch-b");
      await c.writes.write(newAccount(f, "batch-b"));
      const missing = h("no-such-account");
      const requests = [addGroup(A, "x0"), addGroup(A, "x1"), addGroup(missing, "bad"), addGroup(A, "x2"), addGroup(A, "x3")];
      const outcomes = await Promise.all(requests.map((r) => outcome(c.writes.write(r))));
      expect(outcomes).to.deep.equal(["ok", "ok", "AccountDoesNotExist", "ok", "ok"]);
      const groups = await t.store().index.listGroups(A, { pageNumber: 0, pageSize: 100 });
      expect(groups.map((g) => g.name).sort()).to.deep.equal(["x0", "x1", "x2", "x3"]);
      expect(c.writes.stats()).to.deep.include({ batches: 1, rejected: 1 });
      // nothing of the failing call reached the chain
      const rows = await t.store().outbox.list();
      expect(rows.every((r) => r.status === "mined")).to.equal(true);
    });

    it("answers the failing call of a batch sent from cached gas with its custom error, applies the rest and loses no row", async () => {
      const c = await begin();
      const A = h("batch-cached");
      await c.writes.write(newAccount(f, "batch-cached"));
      // A first burst pre-flights the addGroup shape and caches its gas.
      await Promise.all(Array.from({ length: 4 }, (_, i) => c.writes.write(addGroup(A, `w${i}`))));
      const first = c.writes.stats();
      expect(first.batches).to.be.greaterThan(0);
      // Same shape on an account that does not exist: it passes no pre-flight, it fails on-chain.
      const requests = [addGroup(A, "y0"), addGroup(A, "y1"), addGroup(h("gone-account"), "bad"), addGroup(A, "y2")];
      const outcomes = await Promise.all(requests.map((r) => outcome(c.writes.write(r))));
      expect(outcomes).to.deep.equal(["ok", "ok", "AccountDoesNotExist", "ok"]);
      expect(c.writes.stats().cachedGas).to.be.greaterThan(first.cachedGas);
      const groups = await t.store().index.listGroups(A, { pageNumber: 0, pageSize: 100 });
      expect(groups.map((g) => g.name).sort()).to.deep.equal(["w0", "w1", "w2", "w3", "y0", "y1", "y2"]);
      // Every transaction was mined (the batch carrying the failing call too): no row lost or stuck.
      const rows = await t.store().outbox.list();
      expect(rows.every((r) => r.status === "mined")).to.equal(true);
    });

    it("gives a batch a gas limit that covers its use without gross waste", async () => {
      const c = await begin();
      const A = h("batch-gas");
      await c.writes.write(newAccount(f, "batch-gas"));
      // calls of different sizes: 0..5 cids each
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => c.writes.write(addGroup(A, `g${i}`, Array.from({ length: i % 6 }, (_, j) => h(`c${i}-${j}`))))),
      );
      const batches = (await t.store().outbox.list()).filter((r) => r.method === "batchCalls");
      expect(batches.length).to.be.greaterThan(0);
      for (const b of batches) {
        const used = BigInt(b.gasUsed ?? "0");
        expect(used > 0n && used <= BigInt(b.gasLimit)).to.equal(true);
        expect(Number(b.gasLimit) / Number(used)).to.be.lessThan(1.6);
      }
    });

    it("sends each call alone, with batching turned off, when the diamond has no batchCalls", async () => {
      const selector = diamondInterface.getFunction("batchCalls")!.selector;
      const cut = await ethers.getContractAt("DiamondCutFacet", f.diamondAddress);
      await cut.connect(f.owner).diamondCut([{ facetAddress: ethers.ZeroAddress, action: 2, functionSelectors: [selector] }], ethers.ZeroAddress, "0x");
      const c = await begin();
      const A = h("batch-old");
      await c.writes.write(newAccount(f, "batch-old"));
      const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) => outcome(c.writes.write(addGroup(A, `o${i}`)))));
      expect(outcomes.every((o) => o === "ok")).to.equal(true);
      expect(c.writes.stats()).to.deep.include({ enabled: false, batches: 0 });
    });

    it("gives every call the same outcome as sending the calls one by one (property)", async function () {
      this.timeout(120_000);
      const c = await begin();
      const A = h("batch-prop");
      await c.writes.write(newAccount(f, "batch-prop"));
      const unknown = h("batch-prop-unknown");
      // A call is valid (addGroup on A), on an unknown account, or removes a group that does not exist.
      const call = fc.oneof(
        fc.constant<"add">("add"),
        fc.constant<"unknown">("unknown"),
        fc.constant<"remove-missing">("remove-missing"),
      );
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(call, { minLength: 2, maxLength: 10 }), async (kinds) => {
          const requests = kinds.map((k): WriteRequest => {
            n++;
            if (k === "add") return addGroup(A, `p${n}`);
            if (k === "unknown") return addGroup(unknown, `u${n}`);
            return { method: "removeGroup", args: [A, 1_000_000 + n] };
          });
          const expected = kinds.map((k) => (k === "add" ? "ok" : k === "unknown" ? "AccountDoesNotExist" : "GroupDoesNotExist"));
          const got = await Promise.all(requests.map((r) => outcome(c.writes.write(r))));
          expect(got).to.deep.equal(expected);
        }),
        seeded(12),
      );
      expect(c.writes.stats().batches).to.be.greaterThan(0);
    });

    it("keeps outbox durability for a batch: a batch stored while the node is down is sent when it returns", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      const c = await begin({ provider: rpc });
      const A = h("batch-outage");
      await c.writes.write(newAccount(f, "batch-outage"));
      // The node refuses broadcasts (pre-flight still answers): the batch row is stored signed and waits.
      rpc.failing.add("eth_sendRawTransaction");
      const ps = Array.from({ length: 6 }, (_, i) => c.writes.write(addGroup(A, `q${i}`)));
      const settled = await Promise.all(ps.map((p) => p.then(() => "ok", (e: unknown) => e)));
      expect(settled.every((s) => s instanceof ChainUnavailableError && s.queued)).to.equal(true);
      expect(c.writes.stats().batches).to.equal(1);
      rpc.failing.clear();
      const deadline = Date.now() + 15_000;
      for (;;) {
        const groups = await t.store().index.listGroups(A, { pageNumber: 0, pageSize: 100 });
        if (groups.length === 6) break;
        if (Date.now() > deadline) throw new Error(`only ${groups.length} of 6 groups applied`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await network.provider.send("evm_mine", []);
    });
  });
});
