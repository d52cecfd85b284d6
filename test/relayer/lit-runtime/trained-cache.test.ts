/**
 * The trained code cache of the ethers bundle (trained-cache.ts): made by Node's `vm` in the worker,
 * accepted by isolated-vm's isolates, and changing nothing but compile time: the same results as
 * the bundle compiled without it, and a fresh global state in every isolate built with it.
 */
import { expect } from "chai";
import ivm from "isolated-vm";
import { API, POLYFILLS } from "../../../src/relayer/lit-runtime/bootstrap";
import { ethersBundle } from "../../../src/relayer/lit-runtime/ethers-bundle";
import { nativeCallback } from "../../../src/relayer/lit-runtime/prepared-isolates";
import { trainedBootstrapCache, trainedCodeCache } from "../../../src/relayer/lit-runtime/trained-cache";

describe("lit runtime: the trained code cache of ethers", function () {
  this.timeout(120_000);
  const bootstrap = `${POLYFILLS}\n${API}`;
  let ethers: string;
  let cache: ivm.ExternalCopy<ArrayBuffer>;
  const isolates: ivm.Isolate[] = [];

  before(() => {
    ethers = ethersBundle();
    cache = trainedCodeCache(bootstrap, ethers, "ethers.js");
  });
  after(() => {
    for (const i of isolates) i.dispose();
  });

  /** A context with the bootstrap and the bundle (compiled with `cachedData` when given); whether V8 rejected the cache. */
  function load(cachedData?: ivm.ExternalCopy<ArrayBuffer>, text = ethers): { context: ivm.Context; rejected: boolean | undefined } {
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    isolates.push(isolate);
    const context = isolate.createContextSync();
    isolate.compileScriptSync(bootstrap).runSync(context);
    context.global.setSync("__lit_native", nativeCallback());
    const script = isolate.compileScriptSync(text, { filename: "ethers.js", cachedData }) as ivm.Script & { cachedDataRejected?: boolean };
    script.runSync(context);
    return { context, rejected: script.cachedDataRejected };
  }

  const WORK = `(async () => {
    const w = new ethers.Wallet("0x" + "5a".repeat(32));
    const iface = new ethers.utils.Interface(["function transfer(address to, uint256 amount)"]);
    return JSON.stringify([await w.signMessage("trained"), ethers.utils.keccak256(ethers.utils.arrayify("0xabcdef")),
      ethers.utils.formatEther(ethers.BigNumber.from(10).pow(18).mul(3)), iface.encodeFunctionData("transfer", [w.address, 7]),
      typeof trained, Object.keys(globalThis).filter((k) => k.startsWith("__")).join(",")]);
  })()`;

  it("is accepted by isolated-vm's isolates, and the bundle gives the same results as without it", async () => {
    const trained = load(cache);
    expect(trained.rejected).to.equal(false);
    const plain = load();
    const a = String(await trained.context.eval(WORK, { promise: true, copy: true }));
    const b = String(await plain.context.eval(WORK, { promise: true, copy: true }));
    expect(a).to.equal(b);
    // Nothing of the training (its global `trained`, the native callback) is in an isolate built with
    // the cache: the only __ name is the bootstrap's own, there until a run installs its callbacks.
    expect((JSON.parse(a) as string[]).slice(4)).to.deep.equal(["undefined", "__lit_install"]);
  });

  it("a cache made for another text is rejected and the script still runs", () => {
    const other = `${ethers}\n;globalThis.changed = 1;`;
    const { context, rejected } = load(cache, other);
    expect(rejected).to.equal(true);
    expect(context.evalSync("typeof ethers.utils.keccak256 + globalThis.changed")).to.equal("function1");
  });

  it("the bootstrap's trained cache is accepted, and an isolate built with it has only the bootstrap's globals", () => {
    const iso = new ivm.Isolate({ memoryLimit: 128 });
    isolates.push(iso);
    const context = iso.createContextSync();
    const globals = "JSON.stringify(Object.getOwnPropertyNames(globalThis).sort())";
    const script = iso.compileScriptSync(bootstrap, { filename: "lit-bootstrap.js", cachedData: trainedBootstrapCache(bootstrap, "lit-bootstrap.js") }) as ivm.Script & {
      cachedDataRejected?: boolean;
    };
    expect(script.cachedDataRejected).to.equal(false);
    script.runSync(context);
    const plain = iso.createContextSync();
    iso.compileScriptSync(bootstrap).runSync(plain);
    expect(context.evalSync(globals)).to.equal(plain.evalSync(globals));
    expect(context.evalSync("typeof main + typeof trained + typeof jsParams")).to.equal("undefinedundefinedundefined");
  });
});
