/**
 * A Lit Action cannot starve the host's event loop (http-api.md §10, docs/lit-action-runtime.md):
 * the delay of the relayer's event loop while four hostile actions run at once (loops on
 * setResponse with 100 KB, loops on crypto.getRandomValues) stays close to its delay while four
 * harmless busy loops run. The bound is relative to that baseline, measured in the same test on the
 * same machine, so it holds on a slow or loaded machine too; the absolute figure (p99 < 50 ms) is
 * printed by `npm run bench:actions`.
 */
import { expect } from "chai";
import { prepareSandbox } from "../../../src/relayer/lit-runtime/sandbox";
import { BUSY_LOOPS, HOSTILE_ACTIONS, eventLoopDelayDuring } from "./hostile-actions";

describe("lit actions: the host event loop under hostile actions", function () {
  this.timeout(300_000);
  before(() => prepareSandbox());

  it("four hostile actions at once delay the event loop about as much as four harmless busy loops", async () => {
    const baseline = await eventLoopDelayDuring(BUSY_LOOPS, 2000);
    const hostile = await eventLoopDelayDuring(HOSTILE_ACTIONS, 2000);
    const bound = 3 * baseline.p99 + 30;
    expect(hostile.p99, `hostile p99 ${hostile.p99.toFixed(1)} ms (max ${hostile.max.toFixed(1)}, ${hostile.runs} runs) vs busy loops p99 ${baseline.p99.toFixed(1)} ms`).to.be.at.most(bound);
  });
});
