/**
 * The capacity behind bench:relayer's latency-target line (bench/relayer/targets.ts capacityOf):
 * the least of what the node, the relayer process, the client process and the three together on
 * the machine's cores allow.
 */
import { expect } from "chai";
import fc from "fast-check";
import { capacityOf, type Capacity } from "../../bench/relayer/targets";

const ms = fc.double({ min: 0.01, max: 50, noNaN: true });

describe("bench:relayer capacity (bench/relayer/targets.ts)", () => {
  it("is bound by the node alone when neither the relayer nor the client process is measured", () => {
    const cap = capacityOf({ nodeMs: 2, relayerMs: null, clientsMs: null }, 2);
    expect(cap.bound).to.equal(500);
    expect(cap.limit).to.equal("the node");
    expect(cap.relayer).to.equal(null);
    expect(cap.clients).to.equal(null);
    expect(cap.together).to.equal(null);
  });

  it("names the relayer process when it needs more CPU per write than the others and a core is left for each", () => {
    const cap = capacityOf({ nodeMs: 1, relayerMs: 2, clientsMs: 0.5 }, 4);
    expect(cap.bound).to.equal(500);
    expect(cap.limit).to.equal("the relayer process");
  });

  it("names the client process when it needs more CPU per write than the others and a core is left for each", () => {
    const cap = capacityOf({ nodeMs: 1, relayerMs: 0.5, clientsMs: 2 }, 4);
    expect(cap.bound).to.equal(500);
    expect(cap.limit).to.equal("the client process");
  });

  it("names the processes together when their CPU per write exceeds the machine's cores", () => {
    // 1 ms each: 1000 writes/s each alone, 2000 / 3 together on two cores.
    const cap = capacityOf({ nodeMs: 1, relayerMs: 1, clientsMs: 1 }, 2);
    expect(cap.bound).to.be.closeTo(2000 / 3, 1e-9);
    expect(cap.limit).to.equal("the processes together on the machine's cores");
  });

  it("counts the client process's CPU in what the cores carry together", () => {
    const without = capacityOf({ nodeMs: 1, relayerMs: 1, clientsMs: null }, 1);
    const withClients = capacityOf({ nodeMs: 1, relayerMs: 1, clientsMs: 1 }, 1);
    expect(without.together).to.equal(500);
    expect(withClients.together).to.be.closeTo(1000 / 3, 1e-9);
  });

  it("is never above what any process or all together allow, and equals the one it names", () => {
    fc.assert(
      fc.property(ms, fc.option(ms), fc.option(ms), fc.integer({ min: 1, max: 64 }), (nodeMs, relayerMs, clientsMs, cores) => {
        const cap = capacityOf({ nodeMs, relayerMs, clientsMs }, cores);
        const all: Record<Capacity["limit"], number> = {
          "the node": cap.node,
          "the relayer process": cap.relayer ?? Infinity,
          "the client process": cap.clients ?? Infinity,
          "the processes together on the machine's cores": cap.together ?? Infinity,
        };
        expect(cap.bound).to.equal(Math.min(...Object.values(all)));
        expect(all[cap.limit]).to.equal(cap.bound);
      }),
    );
  });
});
