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
  const cache = script.createCachedData();
  return new ivm.ExternalCopy(cache.buffer.slice(cache.byteOffset, cache.byteOffset + cache.byteLength) as ArrayBuffer);
}
