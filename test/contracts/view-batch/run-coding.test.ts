/**
 * The batcher's hand-rolled ABI coding of ViewBatch.run (test/fixtures/view-batch.ts) agrees with
 * ethers' encoder and decoder, so the batched views see the calldata and results ethers would.
 */
import { expect } from "chai";
import fc from "fast-check";
import { Interface } from "ethers";
import { decodeRun, encodeRun } from "../../fixtures/view-batch";
import { seeded } from "../../fixtures/seed";

const RUN = new Interface(["function run(address target, bytes[] calls) view returns (bool[] oks, bytes[] rets)"]);
const hexOf = (b: Uint8Array): string => `0x${Buffer.from(b).toString("hex")}`;
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hexOf);
const payloads = fc.array(fc.uint8Array({ maxLength: 200 }).map(hexOf), { maxLength: 12 });

describe("ViewBatch run() coding", () => {
  it("encodes run(target, calls) to the calldata ethers encodes", () => {
    fc.assert(
      fc.property(address, payloads, (target, calls) => {
        expect(encodeRun(target, calls)).to.equal(RUN.encodeFunctionData("run", [target, calls]));
      }),
      seeded(300),
    );
  });

  it("decodes run's (oks, rets) to the flags and bytes ethers decodes", () => {
    fc.assert(
      fc.property(
        payloads.chain((rets) => fc.tuple(fc.array(fc.boolean(), { minLength: rets.length, maxLength: rets.length }), fc.constant(rets))),
        ([oks, rets]) => {
          const raw = RUN.encodeFunctionResult("run", [oks, rets]);
          const decoded = decodeRun(raw, rets.length);
          expect(decoded.oks).to.deep.equal(oks);
          expect(decoded.rets.map(hexOf)).to.deep.equal(rets);
        },
      ),
      seeded(300),
    );
  });

  it("refuses a result with another number of entries than calls sent", () => {
    const raw = RUN.encodeFunctionResult("run", [[true], ["0x01"]]);
    expect(() => decodeRun(raw, 2)).to.throw(/expected 2 results/);
  });
});
