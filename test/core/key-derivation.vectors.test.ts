/**
 * Known-answer vectors of the key derivation (src/core/keys.ts, docs/key-derivation.md): account
 * wallets and PKPs (signing key, address, AES key), Lit Action keys, api payers and the admin payer,
 * from fixed root secrets, asserted against the literal values in test/vectors/keys.json.
 *
 * Every other test computes its expected keys with the same functions it tests, so a changed salt,
 * label or context encoding would pass there while orphaning every wallet, payer and action key
 * already deployed. Here it fails, naming the key that moved. The vectors were written once and
 * checked against an independent HKDF implementation; their digest is pinned below, so updating
 * them takes two deliberate edits and a migration (docs/key-derivation.md "Changing the derivation").
 */
import { expect } from "chai";
import fs from "fs";
import path from "path";
import { SigningKey, computeAddress, getBytes, hexlify, keccak256, toUtf8Bytes } from "ethers";
import {
  adminPayerPrivateKey,
  derivePrivateKey,
  litActionPrivateKey,
  payerPrivateKey,
  pkpAddress,
  pkpAesKey,
  pkpPrivateKey,
} from "../../src/core";

interface KeyVectors {
  root_secret: string;
  wallets: { about: string; master_hash: string; derivation: string; private_key: string; address: string; aes_key: string }[];
  lit_actions: { cid: string; private_key: string; public_key: string; address: string }[];
  payers: { index: number; private_key: string; address: string }[];
  admin_payer: { private_key: string; address: string };
}

const FILE = path.join(__dirname, "..", "vectors", "keys.json");
const TEXT = fs.readFileSync(FILE, "utf8");
const VECTORS = (JSON.parse(TEXT) as { vectors: KeyVectors[] }).vectors;
/** keccak256 of test/vectors/keys.json as committed. */
const PINNED_DIGEST = "0xbb0e7ef0ba69b7206660a212fcf10b0503c579e7e38a02b091f8cb31e23dca2f";

const MOVED =
  "the key derivation changed: every wallet, payer and Lit Action key already deployed would be orphaned. " +
  "A deliberate change needs a migration (docs/key-derivation.md)";

describe("key derivation: known-answer vectors (test/vectors/keys.json)", () => {
  it("the vector file is the one committed (its digest is pinned)", () => {
    expect(keccak256(toUtf8Bytes(TEXT)), "test/vectors/keys.json was edited: see docs/key-derivation.md").to.equal(PINNED_DIGEST);
    expect(VECTORS.length).to.equal(2);
  });

  for (const v of VECTORS) {
    const root = getBytes(v.root_secret);
    const of = `root secret ${v.root_secret.slice(0, 10)}... (${root.length} bytes)`;

    describe(of, () => {
      it("account wallets and PKPs: signing key, address and AES key", () => {
        expect(v.wallets.length).to.be.greaterThan(0);
        for (const w of v.wallets) {
          const what = `${w.about}, derivation ${w.derivation.slice(0, 12)}`;
          expect(pkpPrivateKey(root, w.master_hash, w.derivation), `pkp key of ${what}: ${MOVED}`).to.equal(w.private_key);
          expect(pkpAddress(root, w.master_hash, BigInt(w.derivation)), `pkp address of ${what}: ${MOVED}`).to.equal(w.address);
          expect(hexlify(pkpAesKey(root, w.master_hash, w.derivation)), `pkp AES key of ${what}: ${MOVED}`).to.equal(w.aes_key);
          expect(w.aes_key, "the AES key is not the signing key").to.not.equal(w.private_key);
        }
      });

      it("Lit Action keys: private key, public key and address bound to the CID", () => {
        for (const a of v.lit_actions) {
          const key = litActionPrivateKey(root, a.cid);
          expect(key, `Lit Action key of ${a.cid}: ${MOVED}`).to.equal(a.private_key);
          expect(SigningKey.computePublicKey(key, true), `public key of ${a.cid}`).to.equal(a.public_key);
          expect(computeAddress(key).toLowerCase(), `address of ${a.cid}`).to.equal(a.address);
        }
      });

      it("api payers by index and the admin payer", () => {
        for (const p of v.payers) {
          const key = payerPrivateKey(root, p.index);
          expect(key, `payer ${p.index}: ${MOVED}`).to.equal(p.private_key);
          expect(computeAddress(key).toLowerCase(), `payer ${p.index} address`).to.equal(p.address);
        }
        const admin = adminPayerPrivateKey(root);
        expect(admin, `admin payer: ${MOVED}`).to.equal(v.admin_payer.private_key);
        expect(computeAddress(admin).toLowerCase(), "admin payer address").to.equal(v.admin_payer.address);
      });
    });
  }

  it("every label and context gives a distinct key (no two purposes share one)", () => {
    const all = VECTORS.flatMap((v) => [
      ...v.wallets.flatMap((w) => [w.private_key, w.aes_key]),
      ...v.lit_actions.map((a) => a.private_key),
      ...v.payers.map((p) => p.private_key),
      v.admin_payer.private_key,
    ]);
    expect(new Set(all).size).to.equal(all.length);
    // The same context under another label is another key.
    const root = getBytes(VECTORS[0].root_secret);
    expect(derivePrivateKey(root, "payer", new Uint8Array(32))).to.equal(payerPrivateKey(root, 0));
    expect(derivePrivateKey(root, "admin-payer", new Uint8Array(32))).to.not.equal(payerPrivateKey(root, 0));
  });
});
