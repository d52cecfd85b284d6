import { expect } from "chai";
import fc from "fast-check";
import { HostRun } from "../../../src/relayer/lit-runtime/host-run";
import { DEFAULT_ACTION_LIMITS } from "../../../src/relayer/lit-runtime/limits";
import { LimitBreach } from "../../../src/relayer/lit-runtime/run-budget";

const LIMIT = 1000;
const limits = { ...DEFAULT_ACTION_LIMITS, maxFetchBytesInFlight: LIMIT };

describe("lit-runtime host run: fetch bytes budget", () => {
  it("a take that does not fit throws max_fetch_bytes_in_flight and takes nothing", () => {
    const run = new HostRun(limits);
    run.fetchBytes.take(600);
    let thrown: unknown;
    try {
      run.fetchBytes.take(401);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.be.instanceOf(LimitBreach);
    expect((thrown as LimitBreach).limit).to.equal("maxFetchBytesInFlight");
    // Nothing was taken by the failed call: exactly the rest still fits.
    run.fetchBytes.take(400);
  });

  it("the bytes held never exceed the limit, whatever the order of takes and gives (property)", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("take" as const), bytes: fc.integer({ min: 0, max: 700 }) }),
      fc.record({ kind: fc.constant("give" as const), index: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const run = new HostRun(limits);
        const held: number[] = [];
        for (const o of ops) {
          if (o.kind === "take") {
            const fits = held.reduce((a, b) => a + b, 0) + o.bytes <= LIMIT;
            let took = true;
            try {
              run.fetchBytes.take(o.bytes);
            } catch {
              took = false;
            }
            expect(took, `take ${o.bytes} with ${held.join("+") || 0} held`).to.equal(fits);
            if (took) held.push(o.bytes);
          } else if (held.length > 0) {
            const [bytes] = held.splice(o.index % held.length, 1);
            run.fetchBytes.give(bytes);
          }
        }
      }),
    );
  });
});
