/**
 * The ethers v5 bundle actions see (ethers-bundle.ts) gives the results of ethers v5's unchanged
 * browser bundle: modules evaluated on first use (lazy-modules.ts), lazy ENS tables and the native
 * secp256k1 / keccak256 calls (native-crypto.ts) change speed, not names nor answers. Compared on
 * random keys, digests and data (fast-check), each bundle in its own isolate.
 */
import { expect } from "chai";
import { Wallet as WalletV6 } from "ethers";
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

  it("has the names of the unchanged bundle: ethers, utils, constants, providers, wordlists, errors, version", () => {
    const [a, b] = both(`JSON.stringify([ethers, ethers.utils, ethers.constants, ethers.providers, ethers.wordlists, ethers.errors]
      .map((o) => Object.keys(o).sort()).concat([[ethers.version, typeof ethers.Wallet, typeof ethers.Contract, typeof ethers.ethers.utils.id]]))`);
    expect(a).to.equal(b);
    expect((JSON.parse(String(a)) as string[][])[1].length).to.be.greaterThan(90);
  });

  it("encodes ABI data and contract calls, formats units and does BigNumber arithmetic exactly as the unchanged bundle", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.bigInt({ min: 1n, max: 2n ** 128n }), fc.string({ maxLength: 30 }), (x, y, text) => {
        const [a, b] = both(`(() => {
          const X = ethers.BigNumber.from("${x}"), Y = ethers.BigNumber.from("${y}");
          const coder = ethers.utils.defaultAbiCoder;
          const data = coder.encode(["uint256", "string", "address[]", "bytes"], [X, ${JSON.stringify(text)}, [ethers.constants.AddressZero], "0x0102"]);
          const iface = new ethers.utils.Interface(["function transfer(address to, uint256 amount) returns (bool)", "event Ping(uint256 indexed n)"]);
          return JSON.stringify([data, coder.decode(["uint256", "string", "address[]", "bytes"], data).map(String),
            X.add(Y).toHexString(), X.div(Y).toString(), X.mod(Y).toString(), X.mul(Y).toString(), X.gt(Y), Y.pow(1).toString(),
            ethers.utils.formatEther(X), ethers.utils.formatUnits(Y, 6), ethers.utils.parseEther("1.5").toString(),
            iface.encodeFunctionData("transfer", [ethers.constants.AddressZero, Y]), iface.getEventTopic("Ping"),
            new ethers.utils.AbiCoder().encode(["bytes32"], [ethers.utils.keccak256(ethers.utils.toUtf8Bytes(${JSON.stringify(text)}))]),
            ethers.utils.getAddress(ethers.utils.hexDataSlice(ethers.utils.keccak256(ethers.utils.arrayify(X.toHexString())), 12))]);
        })()`);
        expect(a).to.equal(b);
      }),
      { numRuns: 25 },
    );
  });

  it("a Wallet from a key signs a message with the signature ethers v6 gives", async () => {
    const keys = fc.sample(fc.bigInt({ min: 1n, max: N - 1n }), 10).map((k) => `0x${k.toString(16).padStart(64, "0")}`);
    const code = `Promise.all(${JSON.stringify(keys)}.map((k) => new ethers.Wallet(k).signMessage("hello")))`;
    const signed = await patched.eval(code, { promise: true, copy: true });
    expect(signed).to.deep.equal(keys.map((k) => new WalletV6(k).signMessageSync("hello")));
  });

  it("evaluates only the modules an action uses: keccak256 runs without bn.js, elliptic, scrypt or the providers", () => {
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    isolates.push(isolate);
    const context = isolate.createContextSync();
    isolate.compileScriptSync(`${POLYFILLS}\n${API}`).runSync(context);
    context.global.setSync("__lit_native", nativeCallback());
    isolate.compileScriptSync(ethersBundle("__loaded")).runSync(context);
    const loaded = () => JSON.parse(String(context.evalSync("JSON.stringify(globalThis.__loaded)"))) as string[];
    expect(context.evalSync('ethers.utils.keccak256(ethers.utils.arrayify("0x1234567890abcdef"))')).to.equal(
      "0xed8ab4fde4c4e2749641d9d89de3d920f9845e086abd71e6921319f41f0e784f",
    );
    const afterKeccak = loaded();
    expect(afterKeccak.some((m) => m.includes("keccak256/lib"))).to.equal(true);
    expect(afterKeccak.filter((m) => /bn\.js|elliptic|scrypt|aes-js|providers|js-sha3/.test(m))).to.deep.equal([]);
    expect(afterKeccak.length).to.be.lessThan(12);
    context.evalSync('ethers.BigNumber.from(1).add(2).toString()');
    expect(loaded().some((m) => m.includes("bn.js"))).to.equal(true);
    expect(loaded().some((m) => m.includes("providers"))).to.equal(false);
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
