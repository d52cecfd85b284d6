/**
 * create_wallet's address derivation skips ethers' computeAddress (its checksum and hex round trips;
 * docs/relayer-latency.md, "Read path CPU"): the same address for any key. The fixed vectors of
 * test/core/key-derivation.vectors.test.ts pin the derivation itself. The derived bytes are HKDF
 * through two HMACs instead of Node's hkdfSync: the same bytes.
 */
import { expect } from "chai";
import { hkdfSync } from "crypto";
import { computeAddress, hexlify, randomBytes } from "ethers";
import { deriveBytes, pkpAddress, pkpPrivateKey } from "../../../src/core";

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


describe("derived key bytes", () => {
  it("are Node's hkdfSync (HKDF-SHA256, RFC 5869) for random roots, labels, contexts and counters", () => {
    const labels = ["pkp", "pkp-aes", "lit-action", "payer", "admin-payer"] as const;
    for (let i = 0; i < 200; i++) {
      const root = randomBytes(32 + (i % 3) * 8);
      const label = labels[i % labels.length];
      const context = randomBytes(i % 70);
      const counter = i % 4;
      const info = Buffer.concat([Buffer.from(label), Buffer.from([0, counter]), context]);
      const want = hexlify(new Uint8Array(hkdfSync("sha256", root, "accountconfig/key-derivation/v1", info, 32)));
      expect(hexlify(deriveBytes(root, label, context, counter))).to.equal(want);
    }
  });
});
