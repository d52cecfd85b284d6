/**
 * create_wallet's address derivation skips ethers' computeAddress (its checksum and hex round trips;
 * docs/relayer-latency.md, "Read path CPU"): the same address for any key. The fixed vectors of
 * test/core/key-derivation.vectors.test.ts pin the derivation itself.
 */
import { expect } from "chai";
import { computeAddress, hexlify, randomBytes } from "ethers";
import { pkpAddress, pkpPrivateKey } from "../../../src/core";

describe("PKP addresses", () => {
  it("are ethers' computeAddress of the PKP key, lowercase, for random roots, accounts and derivations", () => {
    for (let i = 0; i < 100; i++) {
      const root = randomBytes(32);
      const master = hexlify(randomBytes(32));
      const derivation = BigInt(hexlify(randomBytes(32))) || 1n;
      const want = computeAddress(pkpPrivateKey(root, master, derivation)).toLowerCase();
      expect(pkpAddress(root, master, derivation)).to.equal(want);
      expect(pkpAddress(root, master, derivation.toString())).to.equal(want);
    }
  });
});

