/** The writer's own Keccak-256 (chain/keccak.ts) against ethers' keccak256. */
import { expect } from "chai";
import fc from "fast-check";
import { keccak256 } from "ethers";
import { keccak256Bytes, keccak256Hex } from "../../../src/relayer/chain/keccak";

describe("relayer chain: keccak256", function () {
  it("hashes the empty input to the known Keccak-256 digest (not SHA3-256's)", () => {
    expect(keccak256Hex(new Uint8Array(0))).to.equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  });

  it("gives ethers' keccak256 for any input, around every block boundary included", () => {
    const lengths = fc.oneof(fc.integer({ min: 0, max: 600 }), fc.constantFrom(135, 136, 137, 271, 272, 273, 4096));
    fc.assert(
      fc.property(lengths.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })), (data) => {
        expect(keccak256Hex(data)).to.equal(keccak256(data));
      }),
      { numRuns: 500 },
    );
  });

  it("returns the same 32 bytes as the hex form", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(`0x${keccak256Bytes(data).toString("hex")}`).to.equal(keccak256Hex(data));
      }),
    );
  });
});
