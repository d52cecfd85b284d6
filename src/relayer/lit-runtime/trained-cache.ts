/**
 * A V8 code cache of the ethers bundle that holds the bytecode of the functions actions commonly
 * run (docs/lit-action-runtime.md, "Warm isolates"). In a fresh isolate almost all the time of an
 * ethers action went into compiling ethers' functions on their first call (a Wallet signing a
 * message: about 11 ms of CPU compiling, 1 ms running). isolated-vm produces a cache only when it
 * compiles a script, before anything ran, so it holds the top level and nothing of the functions
 * compiled lazily afterwards. Node's `vm.Script#createCachedData` can be called after running, so
 * the worker runs the bundle once in a throwaway `vm` context with a fixed workload (TRAINING: no
 * action's code, keys or data; the context is dropped), takes the cache, and every isolate compiles
 * the bundle with it. The cache is bytecode only (V8 checks source, version and flags, and rejects
 * a cache that does not match: then functions compile lazily as before), so an isolate built with it
 * still starts from a fresh heap.
 *
 * Loaded by sandbox workers: imports only Node built-ins, isolated-vm and files of this folder.
 */
import ivm from "isolated-vm";
import * as vm from "vm";
import { nativeCrypto } from "./native-crypto";

/**
 * What the cache is trained on: what actions do with ethers most (the hosted service's examples and
 * this project's benchmark): Wallet signing messages and transactions, hashing, bytes and strings,
 * BigNumber and units, ABI and contract-call encoding, addresses, signature recovery.
 */
export const TRAINING = `(async function () {
  var u = ethers.utils;
  var wallet = new ethers.Wallet("0x" + "42".repeat(32));
  var signature = await wallet.signMessage("hello");
  u.verifyMessage("hello", signature);
  u.recoverAddress(u.hashMessage("hello"), signature);
  await wallet.signTransaction({ to: wallet.address, value: u.parseEther("1"), gasLimit: 21000, nonce: 0, chainId: 1, maxFeePerGas: 1, maxPriorityFeePerGas: 1, type: 2 });
  u.joinSignature(new u.SigningKey("0x" + "24".repeat(32)).signDigest(u.keccak256("0x1234")));
  u.keccak256(u.arrayify("0x1234567890abcdef"));
  u.hexlify(u.concat([u.toUtf8Bytes("a"), u.zeroPad("0x01", 32)]));
  u.toUtf8String(u.toUtf8Bytes("héllo"));
  u.solidityKeccak256(["address", "uint256", "string"], [wallet.address, 1, "x"]);
  u.id("Transfer(address,address,uint256)");
  u.sha256("0x1234");
  var big = ethers.BigNumber.from("1234567890123456789").mul(3).add(1).div(7);
  u.formatEther(big); u.formatUnits(big, 6); u.parseUnits("1.5", 6); big.toHexString(); big.toString();
  var coder = ethers.utils.defaultAbiCoder;
  coder.decode(["uint256", "string", "address[]", "bytes32"], coder.encode(["uint256", "string", "address[]", "bytes32"], [big, "x", [wallet.address], u.id("x")]));
  var iface = new u.Interface(["function transfer(address to, uint256 amount) returns (bool)", "event Transfer(address indexed from, address indexed to, uint256 value)"]);
  iface.decodeFunctionData("transfer", iface.encodeFunctionData("transfer", [wallet.address, big]));
  iface.getEventTopic("Transfer");
  u.getAddress(wallet.address.toLowerCase()); u.isAddress(wallet.address);
  globalThis.trained = signature;
})()`;

/**
 * A code cache of `ethers` (the bundle's exact text) after TRAINING ran with `bootstrap` (bootstrap.ts)
 * before it. Synchronous: the context runs its promise jobs before each evaluation returns.
 */
export function trainedCodeCache(bootstrap: string, ethers: string, filename: string): ivm.ExternalCopy<ArrayBuffer> {
  const context = vm.createContext({}, { microtaskMode: "afterEvaluate" }) as { __lit_native?: unknown; trained?: unknown };
  new vm.Script(bootstrap).runInContext(context);
  context.__lit_native = nativeCrypto;
  const script = new vm.Script(ethers, { filename });
  script.runInContext(context);
  const run = new vm.Script(TRAINING).runInContext(context) as Promise<unknown>;
  run.catch(() => undefined);
  if (typeof context.trained !== "string") throw new Error("ethers bundle: the code cache's training did not complete");
  return toExternalCopy(script.createCachedData());
}

/**
 * What the bootstrap's cache is trained on: a run as isolate-run.ts drives it (its callbacks set,
 * `__lit_install`, the runner), with host callbacks that only hand out ids, and an action using the
 * globals of http-api.md §5 most actions use: console, fetch with Headers and Response, a key
 * request, getRandomValues, setResponse. Settled from outside (BOOTSTRAP_SETTLE), like the host does.
 */
const BOOTSTRAP_RUN = `(function () {
  var g = globalThis, next = 0;
  g.__lit_log = function () {}; g.__lit_fatal = function () { throw new Error("limit"); };
  g.__lit_call = function () { return ++next; }; g.__lit_fetch = function () { return ++next; };
  g.__lit_random = function (n) { return new ArrayBuffer(n); }; g.__lit_loadEthers = function () {};
  g.__lit_meta = JSON.stringify({ headers: { "x-request-id": "r" }, params: JSON.stringify({ n: 1 }), maxResponseLength: 102400 });
  g.__lit_install();
  var settle = g.__lit_settle, run = g.__lit_run;
  delete g.__lit_settle; delete g.__lit_run;
  g.main = async function (p) {
    console.log("n", p.n, { a: [1] });
    var res = await fetch("http://127.0.0.1/ping", { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" });
    var text = await res.text();
    var signature = await Lit.Actions.signEcdsa({ pkpId: "0x01", toSign: new Uint8Array(32) });
    crypto.getRandomValues(new Uint8Array(16));
    Lit.Actions.setResponse({ response: { text: text, ok: res.ok, type: res.headers.get("content-type"), signature: signature } });
    return text;
  };
  run().then(function (r) { g.trained = r; });
  return settle;
})()`;
const FETCH_META = JSON.stringify({ url: "http://127.0.0.1/ping", status: 200, statusText: "OK", headers: [["content-type", "text/plain"]], redirected: false });

/** A code cache of `bootstrap` (bootstrap.ts) after a run of BOOTSTRAP_RUN in a throwaway context. */
export function trainedBootstrapCache(bootstrap: string, filename: string): ivm.ExternalCopy<ArrayBuffer> {
  const context = vm.createContext({}, { microtaskMode: "afterEvaluate" }) as { settle?: (...args: unknown[]) => void; trained?: unknown };
  const script = new vm.Script(bootstrap, { filename });
  script.runInContext(context);
  context.settle = new vm.Script(BOOTSTRAP_RUN).runInContext(context) as (...args: unknown[]) => void;
  new vm.Script(`settle(1, true, ${JSON.stringify(FETCH_META)}, new Uint8Array([112, 111, 110, 103]).buffer);`).runInContext(context);
  new vm.Script('settle(2, true, "0x" + "ab".repeat(65));').runInContext(context);
  if (context.trained !== "Rpong") throw new Error(`lit bootstrap: the code cache's training did not complete (${String(context.trained)})`);
  return toExternalCopy(script.createCachedData());
}

function toExternalCopy(cache: Buffer): ivm.ExternalCopy<ArrayBuffer> {
  return new ivm.ExternalCopy(cache.buffer.slice(cache.byteOffset, cache.byteOffset + cache.byteLength) as ArrayBuffer);
}
