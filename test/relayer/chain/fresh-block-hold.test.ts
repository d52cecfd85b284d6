import { expect } from "chai";
import fc from "fast-check";
import { FreshBlockHold } from "../../../src/relayer/chain/fresh-block-hold";

const GRACE = 200;

/** A hold on a clock the test moves. */
function held(): { hold: FreshBlockHold; at: (ms: number) => void } {
  let now = 1_000_000;
  return { hold: new FreshBlockHold(GRACE, () => now), at: (ms) => (now = ms) };
}

describe("chain: fresh blocks left to their receipts (FreshBlockHold)", () => {
  it("fetches up to the head when no own block came from a receipt within the grace period", () => {
    const { hold, at } = held();
    expect(hold.limit(10, 5)).to.equal(10);
    hold.ownApplied();
    at(1_000_000 + GRACE);
    expect(hold.limit(12, 5)).to.equal(12);
  });

  it("while own blocks come from receipts, holds fresh blocks for the grace period, then fetches those seen that long", () => {
    const { hold, at } = held();
    hold.ownApplied();
    expect(hold.limit(10, 8), "first seen").to.equal(8);
    at(1_000_000 + GRACE - 1);
    hold.ownApplied();
    expect(hold.limit(12, 8), "not yet").to.equal(8);
    at(1_000_000 + GRACE);
    expect(hold.limit(12, 8), "block 9 and 10 seen a grace period ago; 11, 12 not").to.equal(10);
    at(1_000_000 + 2 * GRACE);
    hold.ownApplied();
    expect(hold.limit(12, 10)).to.equal(12);
  });

  it("holds nothing once the receipts took the fresh blocks (cursor at the head)", () => {
    const { hold, at } = held();
    hold.ownApplied();
    expect(hold.limit(10, 8)).to.equal(8);
    at(1_000_000 + 50);
    hold.ownApplied();
    expect(hold.limit(10, 10)).to.equal(10);
    expect(hold.limit(11, 10), "block 11: a new grace period").to.equal(10);
  });

  it("polls at most once per grace period while own blocks come from receipts", () => {
    const { hold, at } = held();
    expect(hold.pollEvery(25)).to.equal(25);
    hold.ownApplied();
    expect(hold.pollEvery(25)).to.equal(GRACE);
    expect(hold.pollEvery(1000)).to.equal(1000);
    at(1_000_000 + GRACE);
    expect(hold.pollEvery(25)).to.equal(25);
  });

  it("property: the limit stays within [cursor, head], and a block seen above the cursor is fetched by the first round a grace period later", () => {
    type Op = { kind: "wait"; ms: number } | { kind: "own" } | { kind: "round"; head: number; applied: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 3 * GRACE }) }),
      fc.record({ kind: fc.constant("own" as const) }),
      fc.record({ kind: fc.constant("round" as const), head: fc.integer({ min: 0, max: 40 }), applied: fc.integer({ min: 0, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let now = 0;
        const hold = new FreshBlockHold(GRACE, () => now);
        let cursor = 0;
        let lastOwn = Number.NEGATIVE_INFINITY;
        /** First time a round saw each block above the cursor. */
        const firstSeen = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === "wait") now += o.ms;
          else if (o.kind === "own") {
            hold.ownApplied();
            lastOwn = now;
          } else {
            // the receipt path applies up to `applied` blocks above the cursor meanwhile
            const head = Math.max(o.head, cursor);
            cursor = Math.min(head, cursor + o.applied);
            for (let b = cursor + 1; b <= head; b++) if (!firstSeen.has(b)) firstSeen.set(b, now);
            const limit = hold.limit(head, cursor);
            expect(limit).to.be.within(cursor, head);
            if (now - lastOwn >= GRACE) expect(limit).to.equal(head);
            for (let b = cursor + 1; b <= head; b++) {
              if (now - (firstSeen.get(b) ?? now) >= GRACE) expect(limit, `block ${b}`).to.be.gte(b);
            }
            cursor = limit; // the round applied them
            for (const b of [...firstSeen.keys()]) if (b <= cursor) firstSeen.delete(b);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
