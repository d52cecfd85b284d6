/**
 * The relayer's secp256k1 signatures (src/relayer/util/ecdsa.ts): libsecp256k1 where its binding
 * loads, ethers' signer otherwise, the same bytes either way; signTx over it byte for byte ethers'
 * Wallet.signTransaction for any key (r and s with leading zero bytes included); a one-use key's
 * signature (a PKP's, Lit Actions' signEcdsa) byte for byte ethers' `Signature.serialized`.
 */
import { expect } from "chai";
import fc from "fast-check";
import { SigningKey, Wallet, hexlify } from "ethers";
import { jsSignDigest, nativeSignDigest, serializeSignature, signDigest, signDigestWithKey } from "../../../src/relayer/util/ecdsa";
import { signTx } from "../../../src/relayer/chain/sign";

/** A valid secp256k1 private key: 32 bytes, not zero (fast-check's values below the order with overwhelming odds). */
const privateKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((b) => b.some((x) => x !== 0) && b[0] < 0xff);
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));

describe("relayer: secp256k1 signatures (util/ecdsa.ts)", () => {
  it("signs with libsecp256k1 on Linux x64 (the package's prebuilt binding)", function () {
    if (process.platform !== "linux" || process.arch !== "x64") this.skip();
    expect(nativeSignDigest).to.not.equal(null);
    expect(signDigest).to.equal(nativeSignDigest);
  });

  it("libsecp256k1 and ethers give the same r, s and recovery bit for any key and digest", () => {
    if (nativeSignDigest === null) return;
    const nativeSign = nativeSignDigest;
    fc.assert(
      fc.property(privateKey, digest, (k, d) => {
        const key = new SigningKey(hexlify(k));
        const a = nativeSign(key, d);
        const b = jsSignDigest(key, d);
        expect([a.r.toString("hex"), a.s.toString("hex"), a.yParity]).to.deep.equal([b.r.toString("hex"), b.s.toString("hex"), b.yParity]);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a digest that is not 32 bytes", () => {
    const key = Wallet.createRandom().signingKey;
    expect(() => signDigest(key, Buffer.alloc(31))).to.throw(/32 bytes, got 31/);
    expect(() => jsSignDigest(key, Buffer.alloc(33))).to.throw(/32 bytes, got 33/);
  });

  it("signTx is byte for byte Wallet.signTransaction for any key, nonce and calldata (EIP-1559 and legacy)", async () => {
    await fc.assert(
      fc.asyncProperty(privateKey, fc.nat({ max: 2 ** 32 }), fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (k, nonce, data, eip1559) => {
        const wallet = new Wallet(hexlify(k));
        const base = { chainId: 84532n, nonce, to: "0x00000000000000000000000000000000000000aa", data: hexlify(data), value: 0n, gasLimit: 250_000n };
        const tx = eip1559 ? { ...base, type: 2, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n } : { ...base, type: 0, gasPrice: 1_000_000_000n };
        expect(signTx(wallet.signingKey, tx).rawTx).to.equal(await wallet.signTransaction(tx));
      }),
      { numRuns: 300 },
    );
  });

  it("a one-use key's signature, serialized, is byte for byte ethers' SigningKey.sign(...).serialized", () => {
    fc.assert(
      fc.property(privateKey, digest, (k, d) => {
        const hex = hexlify(k);
        expect(serializeSignature(signDigestWithKey(hex, d))).to.equal(new SigningKey(hex).sign(d).serialized);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a one-use key that is not 0x and 64 hex digits, and a digest that is not 32 bytes", () => {
    expect(() => signDigestWithKey("0x1234", Buffer.alloc(32, 1))).to.throw();
    expect(() => signDigestWithKey(hexlify(new Uint8Array(32).fill(7)), Buffer.alloc(31))).to.throw(/32 bytes, got 31/);
  });

  it("a digest at or above the curve order signs as ethers does (RFC 6979 takes the digest mod n for its nonce)", () => {
    // libsecp256k1 feeds the digest's bytes unreduced to its nonce function; ethers (noble) reduces
    // them first, as RFC 6979 says. Uniform random digests land here with odds of 2^-128, so the
    // range is drawn on its own.
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const atOrAboveN = fc
      .bigInt({ min: n, max: 2n ** 256n - 1n })
      .map((x) => Buffer.from(x.toString(16).padStart(64, "0"), "hex"));
    const edges = [n, n + 1n, 2n ** 256n - 1n].map((x) => Buffer.from(x.toString(16), "hex"));
    fc.assert(
      fc.property(privateKey, fc.oneof(fc.constantFrom(...edges), atOrAboveN), (k, d) => {
        const hex = hexlify(k);
        const expected = new SigningKey(hex).sign(d).serialized;
        expect(serializeSignature(signDigestWithKey(hex, d))).to.equal(expected);
        expect(serializeSignature(signDigest(new SigningKey(hex), d))).to.equal(expected);
      }),
      { numRuns: 200 },
    );
  });
});
