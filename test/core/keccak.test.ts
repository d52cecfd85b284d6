/** src/core's pure Keccak-256 (core/keccak.ts) against ethers' keccak256, in each of its output forms. */
import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toUtf8Bytes } from "ethers";
import { keccak256Digest, keccak256Text, keccak256Utf8 } from "../../src/core/keccak";

describe("core: keccak256", function () {
  it("hashes the empty input to the known Keccak-256 digest (not SHA3-256's)", () => {
    expect(keccak256Text(new Uint8Array(0))).to.equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  });

  it("gives ethers' keccak256 as hex for any input, around every block boundary included", () => {
    const lengths = fc.oneof(fc.integer({ min: 0, max: 600 }), fc.constantFrom(135, 136, 137, 271, 272, 273, 4096));
    fc.assert(
      fc.property(lengths.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })), (data) => {
        expect(keccak256Text(data)).to.equal(keccak256(data));
      }),
      { numRuns: 300 },
    );
  });

  it("gives the digest's 32 bytes in the order of the hex form", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const hex = Array.from(keccak256Digest(data), (b) => b.toString(16).padStart(2, "0")).join("");
        expect(`0x${hex}`).to.equal(keccak256Text(data));
      }),
    );
  });

  it("hashes the UTF-8 bytes of any text as ethers' keccak256(toUtf8Bytes(text)) does", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.base64String()), (text) => {
        expect(keccak256Utf8(text)).to.equal(keccak256(toUtf8Bytes(text)));
      }),
      { numRuns: 300 },
    );
  });
});
