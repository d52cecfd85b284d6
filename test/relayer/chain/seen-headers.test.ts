import { expect } from "chai";
import fc from "fast-check";
import { SeenHeaders } from "../../../src/relayer/chain/writer/seen-headers";

interface H {
  hash: string;
  number: number;
}

const header = (n: number): H => ({ hash: `0x${n.toString(16).padStart(64, "0")}`, number: n });

describe("chain: block headers the writer saw lately (SeenHeaders)", () => {
  it("answers a remembered header by its hash, and null for one never seen", () => {
    const seen = new SeenHeaders<H>();
    seen.remember(header(7));
    seen.remember(null);
    expect(seen.get(header(7).hash)).to.deep.equal(header(7));
    expect(seen.get(header(8).hash)).to.equal(null);
  });

  it("property: holds the last 64 headers it took in (one already held is not taken again), each as taken", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 50, maxLength: 400 }), (numbers) => {
        const seen = new SeenHeaders<H>();
        // model: the blocks held, oldest first
        let held: number[] = [];
        for (const n of numbers) {
          seen.remember(header(n));
          if (!held.includes(n)) held = [...held, n].slice(-64);
        }
        const wrong: number[] = [];
        for (let n = 0; n <= 150; n++) {
          const got = seen.get(header(n).hash);
          const want = held.includes(n) ? header(n) : null;
          if ((got === null) !== (want === null) || (got !== null && got.number !== n)) wrong.push(n);
        }
        expect(wrong, "blocks held or answered wrongly").to.deep.equal([]);
      }),
    );
  });
});
