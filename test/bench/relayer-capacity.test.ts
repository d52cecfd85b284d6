/**
 * The capacity behind bench:relayer's latency-target line (bench/relayer/targets.ts capacityOf):
 * the least of what the node, the relayer process and both together on the machine's cores allow.
 */
import { expect } from "chai";
import fc from "fast-check";
import { capacityOf } from "../../bench/relayer/targets";

const ms = fc.double({ min: 0.01, max: 50, noNaN: true });

describe("bench:relayer capacity (bench/relayer/targets.ts)", () => {
  it("is bound by the node alone when the relayer process is not measured", () => {
    const cap = capacityOf(2, null, 2);
    expect(cap.bound).to.equal(500);
    expect(cap.limit).to.equal("the node");
    expect(cap.relayer).to.equal(null);
    expect(cap.both).to.equal(null);
  });

  it("names the relayer process when it needs more CPU per write than the node and a core is left for each", () => {
    const cap = capacityOf(1, 2, 4);
    expect(cap.bound).to.equal(500);
    expect(cap.limit).to.equal("the relayer process");
  });

  it("names both processes when their CPU per write together exceeds the machine's cores", () => {
    // 1 ms each: 1000 writes/s each alone, 500 together on one core.
    const cap = capacityOf(1, 1, 1);
    expect(cap.bound).to.equal(500);
    expect(cap.limit).to.equal("both processes on the machine's cores");
  });

  it("is never above what any of the three allows, and equals the one it names", () => {
    fc.assert(
      fc.property(ms, ms, fc.integer({ min: 1, max: 64 }), (nodeMs, relayerMs, cores) => {
        const cap = capacityOf(nodeMs, relayerMs, cores);
        const all = { "the node": cap.node, "the relayer process": cap.relayer ?? Infinity, "both processes on the machine's cores": cap.both ?? Infinity };
        expect(cap.bound).to.equal(Math.min(...Object.values(all)));
        expect(all[cap.limit]).to.equal(cap.bound);
      }),
    );
  });
});
