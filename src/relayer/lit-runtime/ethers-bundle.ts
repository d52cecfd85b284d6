/**
 * The ethers v5 browser bundle that actions see as `ethers`, with two changes that keep its API and
 * results and make a fresh isolate cheap to prepare (docs/lit-action-runtime.md, "Warm isolates"):
 *
 * - ENS normalisation tables are decoded on first use instead of when the bundle loads (ethers'
 *   own "@TODO: This should be lazily loaded"): about three quarters of the bundle's start-up
 *   time and two thirds of its heap, for a feature actions rarely use (namehash, ENS names);
 * - the secp256k1 base-point tables that ethers' browser build leaves out (every fresh isolate then
 *   recomputes them on its first signature) are put back: the precomputed table shipped with the
 *   `elliptic` package that ethers' signing-key package itself depends on;
 * - SigningKey's public key, signDigest, recoverPublicKey (and so Wallet, signMessage,
 *   verifyMessage, recoverAddress) and keccak256 call the worker's native versions
 *   (native-crypto.ts) through `__lit_native`, a callback the host sets on the global object before
 *   the bundle runs; the bundle takes it into its own scope and deletes the global.
 *
 * Each change replaces a text that must occur exactly once in the bundle; a different ethers build
 * fails here, loudly, when a worker starts (and in the tests), never silently.
 *
 * Loaded by sandbox workers: imports only packages.
 */
import * as fs from "fs";
import * as path from "path";

/** `source` with the one occurrence of `from` replaced by `to`. */
export function replaceOnce(source: string, from: string, to: string, what: string): string {
  const at = source.indexOf(from);
  if (at < 0 || source.indexOf(from, at + 1) >= 0)
    throw new Error(`ethers bundle: the text to change for ${what} is not found exactly once (a different ethers v5 build?)`);
  return source.slice(0, at) + to + source.slice(at + from.length);
}

const ENS_EAGER =
  "var r=(0,include.getData)();var VALID=new Set((0,decoder.read_member_array)(r));" +
  "var IGNORED=new Set((0,decoder.read_member_array)(r));var MAPPED=(0,decoder.read_mapped_map)(r);" +
  "var EMOJI_ROOT=(0,decoder.read_emoji_trie)(r);";
const ENS_LAZY =
  "var VALID,IGNORED,MAPPED,EMOJI_ROOT;function ensTables(){if(VALID!==undefined)return;" +
  "var r=(0,include.getData)();VALID=new Set((0,decoder.read_member_array)(r));" +
  "IGNORED=new Set((0,decoder.read_member_array)(r));MAPPED=(0,decoder.read_mapped_map)(r);" +
  "EMOJI_ROOT=(0,decoder.read_emoji_trie)(r)}";
/** The only user of the tables (ens_normalize calls it; consume_emoji_reversed runs inside it). */
const ENS_USER = "function normalize(name,emoji_filter){";
const SECP_MISSING = "var pre;try{pre=null.crash()}catch(e){pre=undefined}";

const PUBLIC_KEY_JS =
  'var keyPair=getCurve().keyFromPrivate((0,lib$1.arrayify)(this.privateKey));(0,lib$3.defineReadOnly)(this,"publicKey","0x"+keyPair.getPublic(false,"hex"));' +
  '(0,lib$3.defineReadOnly)(this,"compressedPublicKey","0x"+keyPair.getPublic(true,"hex"));';
const PUBLIC_KEY_NATIVE =
  'var keys=__litNative("publicKey",this.privateKey).split(",");(0,lib$3.defineReadOnly)(this,"publicKey","0x"+keys[0]);' +
  '(0,lib$3.defineReadOnly)(this,"compressedPublicKey","0x"+keys[1]);';
const SIGN_JS =
  "var keyPair=getCurve().keyFromPrivate((0,lib$1.arrayify)(this.privateKey));var digestBytes=(0,lib$1.arrayify)(digest);" +
  'if(digestBytes.length!==32){logger.throwArgumentError("bad digest length","digest",digest)}var signature=keyPair.sign(digestBytes,{canonical:true});';
const SIGN_NATIVE =
  "var digestBytes=(0,lib$1.arrayify)(digest);" +
  'if(digestBytes.length!==32){logger.throwArgumentError("bad digest length","digest",digest)}' +
  'var parts=__litNative("sign",this.privateKey,(0,lib$1.hexlify)(digestBytes)).split(",");' +
  "var signature={recoveryParam:Number(parts[0]),r:{toString:function(){return parts[1]}},s:{toString:function(){return parts[2]}}};";
const RECOVER_JS = 'return"0x"+getCurve().recoverPubKey((0,lib$1.arrayify)(digest),rs,sig.recoveryParam).encode("hex",false)}';
const RECOVER_NATIVE =
  'return"0x"+__litNative("recover",(0,lib$1.hexlify)((0,lib$1.arrayify)(digest)),(0,lib$1.hexlify)(rs.r),(0,lib$1.hexlify)(rs.s),String(sig.recoveryParam))}';
const KECCAK_JS = 'function keccak256(data){return"0x"+js_sha3_1.default.keccak_256((0,lib$1.arrayify)(data))}';
const KECCAK_NATIVE = 'function keccak256(data){return"0x"+__litNative("keccak256",(0,lib$1.hexlify)(data))}';
/** The bundle runs inside a function that holds the native callback; `this` stays the global object. */
const NATIVE_PROLOGUE = "(function(__litNative){\n";
const NATIVE_EPILOGUE = "\n}).call(globalThis,globalThis.__lit_native);delete globalThis.__lit_native;\n";

/** elliptic's precomputed secp256k1 table, from the elliptic that ethers' signing-key depends on. */
function secp256k1Table(): unknown {
  const ethersDir = path.dirname(require.resolve("ethers-v5/package.json"));
  const signingKey = path.dirname(require.resolve("@ethersproject/signing-key/package.json", { paths: [ethersDir] }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve("elliptic/lib/elliptic/precomputed/secp256k1", { paths: [signingKey] })) as unknown;
}

/** The minified ethers v5 UMD bundle with the changes above. */
export function ethersBundle(): string {
  let source = fs.readFileSync(require.resolve("ethers-v5/dist/ethers.umd.min.js"), "utf8");
  source = replaceOnce(source, ENS_EAGER, ENS_LAZY, "lazy ENS tables");
  source = replaceOnce(source, ENS_USER, `${ENS_USER}ensTables();`, "lazy ENS tables (first use)");
  source = replaceOnce(source, SECP_MISSING, `var pre=${JSON.stringify(secp256k1Table())};`, "the secp256k1 table");
  source = replaceOnce(source, PUBLIC_KEY_JS, PUBLIC_KEY_NATIVE, "native public keys");
  source = replaceOnce(source, SIGN_JS, SIGN_NATIVE, "native signatures");
  source = replaceOnce(source, RECOVER_JS, RECOVER_NATIVE, "native recovery");
  source = replaceOnce(source, KECCAK_JS, KECCAK_NATIVE, "native keccak256");
  return NATIVE_PROLOGUE + source + NATIVE_EPILOGUE;
}
