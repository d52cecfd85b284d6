/**
 * The ethers v5 that actions see as `ethers` (docs/lit-action-runtime.md, "Warm isolates"): the
 * CommonJS build of ethers v5 and its @ethersproject packages (under node_modules as the `ethers-v5`
 * alias), bundled at worker start by lazy-modules.ts so that a module is compiled and evaluated only
 * when an action first uses it (`ethers.utils.keccak256` evaluates bytes, logger and keccak256, not
 * bn.js, elliptic, scrypt or the providers). Same API and results as ethers v5's browser bundle, with
 * changes for speed only:
 *
 * - ENS normalisation tables are decoded on first use instead of when the module loads (ethers'
 *   own "@TODO: This should be lazily loaded");
 * - SigningKey's public key, signDigest, recoverPublicKey (and so Wallet, signMessage,
 *   verifyMessage, recoverAddress) and keccak256 call the worker's native versions
 *   (native-crypto.ts) through `__lit_native`, a callback the host sets on the global object before
 *   the bundle runs; the bundle takes it into its own scope and deletes the global. (elliptic keeps
 *   the precomputed secp256k1 table its Node package ships, for what still uses it.)
 *
 * Each change replaces a text that must occur exactly once in its file; another ethers version
 * fails here, loudly, when a worker starts (and in the tests), never silently.
 *
 * Loaded by sandbox workers: imports only Node built-ins and files of this folder.
 */
import * as path from "path";
import { type ModulePatch, lazyBundle } from "./lazy-modules";

/** `source` with the one occurrence of `from` replaced by `to`. */
export function replaceOnce(source: string, from: string, to: string, what: string): string {
  const at = source.indexOf(from);
  if (at < 0 || source.indexOf(from, at + 1) >= 0)
    throw new Error(`ethers bundle: the text to change for ${what} is not found exactly once (a different ethers v5 version?)`);
  return source.slice(0, at) + to + source.slice(at + from.length);
}

const ENS_DATA = "var r = (0, include_js_1.getData)();\n";
const ENS_EAGER =
  "var VALID = new Set((0, decoder_js_1.read_member_array)(r));\n" +
  "var IGNORED = new Set((0, decoder_js_1.read_member_array)(r));\n" +
  "var MAPPED = (0, decoder_js_1.read_mapped_map)(r);\n" +
  "var EMOJI_ROOT = (0, decoder_js_1.read_emoji_trie)(r);\n";
const ENS_LAZY =
  "var VALID, IGNORED, MAPPED, EMOJI_ROOT;\n" +
  "function ensTables() {\n  if (VALID !== undefined) return;\n  var r = (0, include_js_1.getData)();\n" +
  "  VALID = new Set((0, decoder_js_1.read_member_array)(r));\n  IGNORED = new Set((0, decoder_js_1.read_member_array)(r));\n" +
  "  MAPPED = (0, decoder_js_1.read_mapped_map)(r);\n  EMOJI_ROOT = (0, decoder_js_1.read_emoji_trie)(r);\n}\n";
/** The only user of the tables (ens_normalize calls it; consume_emoji_reversed runs inside it). */
const ENS_USER = "function normalize(name, emoji_filter) {\n";

const PUBLIC_KEY_JS =
  "        var keyPair = getCurve().keyFromPrivate((0, bytes_1.arrayify)(this.privateKey));\n" +
  '        (0, properties_1.defineReadOnly)(this, "publicKey", "0x" + keyPair.getPublic(false, "hex"));\n' +
  '        (0, properties_1.defineReadOnly)(this, "compressedPublicKey", "0x" + keyPair.getPublic(true, "hex"));\n';
const PUBLIC_KEY_NATIVE =
  '        var keys = __litNative("publicKey", this.privateKey).split(",");\n' +
  '        (0, properties_1.defineReadOnly)(this, "publicKey", "0x" + keys[0]);\n' +
  '        (0, properties_1.defineReadOnly)(this, "compressedPublicKey", "0x" + keys[1]);\n';
const SIGN_KEY_PAIR =
  "        var keyPair = getCurve().keyFromPrivate((0, bytes_1.arrayify)(this.privateKey));\n        var digestBytes";
const SIGN_JS = "var signature = keyPair.sign(digestBytes, { canonical: true });";
const SIGN_NATIVE =
  'var parts = __litNative("sign", this.privateKey, (0, bytes_1.hexlify)(digestBytes)).split(",");' +
  " var signature = { recoveryParam: Number(parts[0]), r: { toString: function () { return parts[1]; } }," +
  " s: { toString: function () { return parts[2]; } } };";
const RECOVER_JS = 'return "0x" + getCurve().recoverPubKey((0, bytes_1.arrayify)(digest), rs, sig.recoveryParam).encode("hex", false);';
const RECOVER_NATIVE =
  'return "0x" + __litNative("recover", (0, bytes_1.hexlify)((0, bytes_1.arrayify)(digest)), (0, bytes_1.hexlify)(rs.r),' +
  " (0, bytes_1.hexlify)(rs.s), String(sig.recoveryParam));";
const KECCAK_JS = "return '0x' + js_sha3_1.default.keccak_256((0, bytes_1.arrayify)(data));";
const KECCAK_NATIVE = 'return "0x" + __litNative("keccak256", (0, bytes_1.hexlify)((0, bytes_1.arrayify)(data)));';

/** The bundle runs inside a function that holds the native callback; `this` stays the global object. */
const NATIVE_PROLOGUE = "(function (__litNative) {\nglobalThis.ethers = ";
const NATIVE_EPILOGUE = ";\n}).call(globalThis, globalThis.__lit_native);\ndelete globalThis.__lit_native;\n";

/** Where the CommonJS files of `pkg` (an @ethersproject package of ethers v5) are. */
function packageDir(pkg: string, from: string): string {
  return path.dirname(require.resolve(`${pkg}/package.json`, { paths: [from] }));
}

/** The patches above, by file. */
function patches(ethersDir: string): Map<string, ModulePatch> {
  const signingKey = path.join(packageDir("@ethersproject/signing-key", ethersDir), "lib", "index.js");
  const keccak = path.join(packageDir("@ethersproject/keccak256", ethersDir), "lib", "index.js");
  const ens = path.join(packageDir("@ethersproject/hash", ethersDir), "lib", "ens-normalize", "lib.js");
  return new Map<string, ModulePatch>([
    [
      signingKey,
      (s) => {
        s = replaceOnce(s, PUBLIC_KEY_JS, PUBLIC_KEY_NATIVE, "native public keys");
        s = replaceOnce(s, SIGN_KEY_PAIR, "        var digestBytes", "native signatures (key pair)");
        s = replaceOnce(s, SIGN_JS, SIGN_NATIVE, "native signatures");
        return replaceOnce(s, RECOVER_JS, RECOVER_NATIVE, "native recovery");
      },
    ],
    [keccak, (s) => replaceOnce(s, KECCAK_JS, KECCAK_NATIVE, "native keccak256")],
    [
      ens,
      (s) => {
        s = replaceOnce(s, ENS_DATA, "", "lazy ENS tables (data)");
        s = replaceOnce(s, ENS_EAGER, ENS_LAZY, "lazy ENS tables");
        return replaceOnce(s, ENS_USER, `${ENS_USER}    ensTables();\n`, "lazy ENS tables (first use)");
      },
    ],
  ]);
}

/** The script that defines `ethers` on the global object (modules evaluated on first use; `trace`: see lazy-modules.ts). */
export function ethersBundle(trace?: string): string {
  const ethersDir = path.dirname(require.resolve("ethers-v5/package.json"));
  const tsOutput = (file: string) =>
    file.startsWith(path.join(ethersDir, "lib") + path.sep) || file.split(path.sep).includes("@ethersproject");
  // ethers' browser bundle has the English wordlist only (its build swaps the module; no browser field says so).
  const wordlists = path.join(packageDir("@ethersproject/wordlists", ethersDir), "lib");
  const source = lazyBundle({
    entry: path.join(ethersDir, "lib", "index.js"),
    lazyImports: tsOutput,
    aliases: new Map([[path.join(wordlists, "wordlists.js"), path.join(wordlists, "browser-wordlists.js")]]),
    patches: patches(ethersDir),
    trace,
  });
  return NATIVE_PROLOGUE + source + NATIVE_EPILOGUE;
}
