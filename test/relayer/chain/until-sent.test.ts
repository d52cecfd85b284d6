/**
 * A call sent again by the writer itself (writer/until-sent.ts): refusals that store nothing are
 * tried again after a doubling, capped back-off; anything else (or a row stored under the key)
 * ends the attempts; stop() ends them too, without a further attempt. The attempts are a scripted
 * sequence of outcomes; the waits are the writer's own RowEvents timers (shortened back-off).
 */
import { expect } from "chai";
import fc from "fast-check";
import { seeded } from "../../fixtures/seed";
import { silentLogger } from "../../../src/relayer/chain/log";
import { RowEvents } from "../../../src/relayer/chain/writer/context";
import { sendUntilSent } from "../../../src/relayer/chain/writer/until-sent";
import { ChainUnavailableError, PayersUnavailableError, RevertError, type WriteReceipt } from "../../../src/relayer/ports";

type Step = "payers" | "down" | "downStored" | "queued" | "revert" | "ok";

const RECEIPT: WriteReceipt = { txHash: "0x01", blockNumber: 1, gasUsed: "1", events: [] };

/** Runs sendUntilSent over `steps` (the last one is used again if it runs out); what it did. */
async function run(steps: readonly Step[], opts: { stopAfter?: number } = {}) {
  const rows = new RowEvents();
  const waits: number[] = [];
  const waitFor = rows.waitFor.bind(rows);
  rows.waitFor = (id, ms) => {
    waits.push(ms);
    return waitFor(id, ms);
  };
  let attempts = 0;
  let stored = false;
  let stopped = false;
  const result = await sendUntilSent({ log: silentLogger, rows }, {
    send: async () => {
      const step = steps[Math.min(attempts, steps.length - 1)];
      attempts++;
      if (opts.stopAfter !== undefined && attempts >= opts.stopAfter) {
        stopped = true;
        rows.notifyAll();
      }
      if (step === "ok") return RECEIPT;
      if (step === "revert") throw new RevertError("GroupNotFound", [], "pre-flight");
      if (step === "payers") throw new PayersUnavailableError("PayersUnfunded", "short of funds", []);
      if (step === "queued") throw new ChainUnavailableError("stored, not mined yet", true);
      stored = step === "downStored";
      throw new ChainUnavailableError("node down", false);
    },
    stored: async () => stored,
    stopped: () => stopped,
    waitOn: 7,
    about: {},
    backoff: { firstMs: 1, maxMs: 8 },
  });
  return { result, attempts, waits };
}

describe("relayer writer: a call sent again until it is sent (until-sent.ts)", function () {
  it("tries again after each refusal that stored nothing, stops at the first other outcome, and waits 1, 2, 4, then at most 8 ms (property)", async () => {
    const refusal = fc.constantFrom<Step>("payers", "down");
    const end = fc.constantFrom<Step>("downStored", "queued", "revert", "ok");
    await fc.assert(
      fc.asyncProperty(fc.array(refusal, { maxLength: 8 }), end, async (refusals, last) => {
        const { result, attempts, waits } = await run([...refusals, last]);
        expect(attempts, "one attempt per refusal, one for the end").to.equal(refusals.length + 1);
        expect(waits).to.deep.equal(refusals.map((_, i) => Math.min(2 ** i, 8)));
        expect(result.sent, "ended by a row or an answer").to.equal(true);
        expect(result.sent && result.ok).to.equal(last === "ok");
      }),
      seeded(40),
    );
  });

  it("makes no attempt after the relayer stops, and reports the call as not sent (queued for the next start)", async () => {
    const { result, attempts } = await run(["payers"], { stopAfter: 3 });
    expect(attempts).to.equal(3);
    expect(result.sent).to.equal(false);
    expect(!result.sent && result.error.queued).to.equal(true);
  });

  it("is woken from a long wait by stop() (RowEvents.notifyAll) instead of sleeping it out", async () => {
    const rows = new RowEvents();
    let stopped = false;
    const began = Date.now();
    const pending = sendUntilSent({ log: silentLogger, rows }, {
      send: async () => {
        throw new PayersUnavailableError("PayersNotRegistered", "not registered", []);
      },
      stored: async () => false,
      stopped: () => stopped,
      waitOn: 1,
      about: {},
      backoff: { firstMs: 60_000, maxMs: 60_000 },
    });
    await new Promise((r) => setTimeout(r, 20));
    stopped = true;
    rows.notifyAll();
    const result = await pending;
    expect(result.sent).to.equal(false);
    expect(Date.now() - began).to.be.lessThan(5_000);
  });
});
