/**
 * The ethers v5 bundle actions see (ethers-bundle.ts) gives the results of the unchanged bundle:
 * lazy ENS tables, the restored secp256k1 table and the native secp256k1 / keccak256 calls
 * (native-crypto.ts) change speed, not answers. Compared on random keys, digests and data
 * (fast-check), each bundle in its own isolate.
 */
import { expect } from "chai";
import fc from "fast-check";
import * as fs from "fs";
import ivm from "isolated-vm";
import { API, POLYFILLS } from "../../../src/relayer/lit-runtime/bootstrap";
import { ethersBundle, replaceOnce } from "../../../src/relayer/lit-runtime/ethers-bundle";
import { nativeCallback } from "../../../src/relayer/lit-runtime/prepared-isolates";

/** secp256k1's group order: private keys are 1 .. N-1. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("lit runtime: the ethers bundle", function () {
  this.timeout(300_000);
  const isolates: ivm.Isolate[] = [];
  let patched: ivm.Context;
  let original: ivm.Context;

  /** A context with the bootstrap and `bundle` loaded (ethers on the global object). */
  function load(bundle: string, native: boolean): ivm.Context {
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    isolates.push(isolate);
    const context = isolate.createContextSync();
    isolate.compileScriptSync(`${POLYFILLS}\n${API}`).runSync(context);
    if (native) context.global.setSync("__lit_native", nativeCallback());
    isolate.compileScriptSync(bundle).runSync(context);
    return context;
  }

  before(() => {
    patched = load(ethersBundle(), true);
    original = load(fs.readFileSync(require.resolve("ethers-v5/dist/ethers.umd.min.js"), "utf8"), false);
  });
  after(() => {
    for (const i of isolates) i.dispose();
  });

  const both = (code: string): [unknown, unknown] => [patched.evalSync(code, { copy: true }), original.evalSync(code, { copy: true })];

  it("signs, derives public keys and recovers exactly as the unchanged bundle", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: N - 1n }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (key, digest) => {
        const k = `0x${key.toString(16).padStart(64, "0")}`;
        const d = `0x${Buffer.from(digest).toString("hex")}`;
        const [a, b] = both(`(() => {
          const key = new ethers.utils.SigningKey("${k}");
          const sig = ethers.utils.joinSignature(key.signDigest("${d}"));
          return JSON.stringify([key.publicKey, key.compressedPublicKey, sig, ethers.utils.recoverPublicKey("${d}", sig),
            ethers.utils.computePublicKey("${k}", true), ethers.utils.recoverAddress("${d}", sig)]);
        })()`);
        expect(a).to.equal(b);
      }),
      { numRuns: 25 },
    );
  });

  it("hashes, signs messages and normalises ENS names exactly as the unchanged bundle", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 40 }), (data, text) => {
        const hex = `0x${Buffer.from(data).toString("hex")}`;
        const [a, b] = both(`(() => {
          const w = new ethers.Wallet("0x" + "42".repeat(32));
          const signed = ethers.utils.joinSignature(w._signingKey().signDigest(ethers.utils.hashMessage(${JSON.stringify(text)})));
          return JSON.stringify([ethers.utils.keccak256("${hex}"), ethers.utils.id(${JSON.stringify(text)}), signed,
            ethers.utils.verifyMessage(${JSON.stringify(text)}, signed), ethers.utils.namehash("vitalik.eth"), w.address]);
        })()`);
        expect(a).to.equal(b);
      }),
      { numRuns: 25 },
    );
    const [a, b] = both(`(() => { let e1, e2; try { ethers.utils.namehash("a..b"); } catch (e) { e1 = e.message.slice(0, 40); }
      try { new ethers.utils.SigningKey("0x1234"); } catch (e) { e2 = e.message.slice(0, 40); } return JSON.stringify([e1, e2]); })()`);
    expect(a).to.equal(b);
  });

  it("takes the native callback into its own scope: no global is left behind", () => {
    expect(patched.evalSync("typeof __lit_native + typeof __litNative")).to.equal("undefinedundefined");
  });

  it("a different bundle fails loudly instead of running unchanged", () => {
    expect(() => replaceOnce("abc", "x", "y", "a change")).to.throw(/a change is not found exactly once/);
    expect(() => replaceOnce("xx", "x", "y", "a change")).to.throw(/not found exactly once/);
    expect(replaceOnce("axc", "x", "y", "a change")).to.equal("ayc");
  });
});
