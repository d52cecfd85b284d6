/**
 * bench:relayer's resource accounting (bench/relayer/usage.ts measureFrom): the event-loop delay
 * monitor, whose 1 ms timer costs the benchmark process about 25-40 ms of CPU per second by itself
 * (docs/relayer-latency.md, "Ninth pass: an idle relayer's CPU"), is on for a measured run and
 * off for a segment that asks so (the idle relayer's figure).
 */
import { expect } from "chai";
import { HttpRpc } from "../../src/relayer/chain";
import { CountingRpc, measureFrom } from "../../bench/relayer/usage";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("bench:relayer measureFrom", () => {
  // No call is made: the counter only needs an HttpRpc to wrap.
  const rpc = new CountingRpc(new HttpRpc("http://127.0.0.1:9"));

  it("measures the event-loop delay of a segment by default", async () => {
    const end = measureFrom(rpc, undefined);
    await sleep(20);
    expect(end().loopDelay).to.have.length(1);
  });

  it("leaves the event-loop delay monitor off for a segment measured with loopDelay false", async () => {
    const end = measureFrom(rpc, undefined, { loopDelay: false });
    await sleep(20);
    expect(end().loopDelay).to.deep.equal([]);
  });
});
