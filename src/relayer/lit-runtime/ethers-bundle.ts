/**
 * The ethers v5 browser bundle that actions see as `ethers`, with two changes that keep its API and
 * results and make a fresh isolate cheap to prepare (docs/lit-action-runtime.md, "Warm isolates"):
 *
 * - ENS normalisation tables are decoded on first use instead of when the bundle loads (ethers'
 *   own "@TODO: This should be lazily loaded"): about three quarters of the bundle's start-up
 *   time and two thirds of its heap, for a feature actions rarely use (namehash, ENS names);
 * - the secp256k1 base-point tables that ethers' browser build leaves out (every fresh isolate then
 *   recomputes them on its first signature) are put back: the precomputed table shipped with the
 *   `elliptic` package that ethers' signing-key package itself depends on.
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
  return source;
}
