/**
 * secp256k1 signatures of a digest by the relayer's own keys: the writer's transactions
 * (docs/relayer-latency.md, "Tenth pass: signing") and a Lit Action's PKP signatures (`signEcdsa`,
 * docs/lit-action-runtime.md). libsecp256k1 through the `secp256k1` package's native binding (a prebuilt addon for
 * Linux x64, macOS arm64 and Windows x64; built by its install script elsewhere) signs in about
 * 50 us; ethers' pure-JS signer (noble-curves) takes 370-490 us, a tenth of a single write's CPU
 * in the relayer. Both sign deterministically (RFC 6979) and return the low-s form, so the bytes
 * are the same (tested against ethers); where the binding cannot load, ethers signs. The
 * package's own fallback (elliptic) is not used: it is slower than ethers'.
 */
import { SigningKey } from "ethers";

/** A recoverable signature: r and s as 32-byte big-endian values, and the recovery bit. */
export interface DigestSignature {
  r: Buffer;
  s: Buffer;
  yParity: 0 | 1;
}

interface NativeSecp256k1 {
  ecdsaSign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
}

function loadNative(): NativeSecp256k1 | null {
  try {
    // The binding alone (node-gyp-build finds the prebuilt or built addon); not the package's
    // index, which falls back to elliptic without saying so.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("secp256k1/bindings") as NativeSecp256k1;
  } catch {
    return null;
  }
}

const native = loadNative();

/** The private key bytes of each SigningKey, read once (SigningKey exposes them as hex). */
const keyBytes = new WeakMap<SigningKey, Buffer>();

function privateKeyOf(key: SigningKey): Buffer {
  let b = keyBytes.get(key);
  if (b === undefined) {
    b = Buffer.from(key.privateKey.slice(2), "hex");
    keyBytes.set(key, b);
  }
  return b;
}

function checkDigest(digest: Buffer): void {
  if (digest.length !== 32) throw new Error(`signDigest: a digest is 32 bytes, got ${digest.length}`);
}

/** ethers' signer (noble-curves, pure JS). */
export function jsSignDigest(key: SigningKey, digest: Buffer): DigestSignature {
  checkDigest(digest);
  const sig = key.sign(digest);
  return { r: Buffer.from(sig.r.slice(2), "hex"), s: Buffer.from(sig.s.slice(2), "hex"), yParity: sig.yParity };
}

/** libsecp256k1's signer, or null where its binding does not load. */
export const nativeSignDigest: ((key: SigningKey, digest: Buffer) => DigestSignature) | null =
  native === null ? null : (key, digest) => nativeSign(native, privateKeyOf(key), digest);

/** The order n of secp256k1's group, big-endian. */
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const CURVE_ORDER_BYTES = Buffer.from(CURVE_ORDER.toString(16), "hex");

/**
 * The digest mod n. RFC 6979 derives the nonce from the digest reduced mod n, as ethers (noble)
 * does; libsecp256k1 passes its bytes unreduced to the nonce function, so a digest at or above n
 * (any 32 bytes a Lit Action gives signEcdsa; for a keccak digest odds of 2^-128) would be signed
 * with another nonce. Reduced first, it gets the same signature from both.
 */
function reducedDigest(digest: Buffer): Buffer {
  if (Buffer.compare(digest, CURVE_ORDER_BYTES) < 0) return digest;
  const value = BigInt(`0x${digest.toString("hex")}`) - CURVE_ORDER; // < n: a digest is below 2n
  return Buffer.from(value.toString(16).padStart(64, "0"), "hex");
}

function nativeSign(lib: NativeSecp256k1, privateKey: Uint8Array, digest: Buffer): DigestSignature {
  checkDigest(digest);
  const { signature, recid } = lib.ecdsaSign(reducedDigest(digest), privateKey);
  const sig = Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
  return { r: sig.subarray(0, 32), s: sig.subarray(32, 64), yParity: recid === 1 ? 1 : 0 };
}

/** Signs a 32-byte digest with `key` (low s, deterministic): the same bytes whichever signer runs. */
export const signDigest: (key: SigningKey, digest: Buffer) => DigestSignature = nativeSignDigest ?? jsSignDigest;

/**
 * Signs a 32-byte digest with a private key given as 0x-hex (a key derived for one use, as a PKP's:
 * nothing is kept of it), as `signDigest` does.
 */
export function signDigestWithKey(privateKeyHex: string, digest: Buffer): DigestSignature {
  if (native === null) return jsSignDigest(new SigningKey(privateKeyHex), digest);
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKeyHex)) throw new Error("signDigestWithKey: a private key is 0x and 64 hex digits");
  return nativeSign(native, Buffer.from(privateKeyHex.slice(2), "hex"), digest);
}

/** The 65-byte form r ‖ s ‖ v (v = 27 + the recovery bit) as 0x-hex: ethers' `Signature.serialized`. */
export function serializeSignature(sig: DigestSignature): string {
  return `0x${sig.r.toString("hex")}${sig.s.toString("hex")}${sig.yParity === 1 ? "1c" : "1b"}`;
}
