/**
 * One-way key derivation from the deployment's root secret (http-api.md §6): HKDF-SHA256 with a
 * distinct label per purpose and a context, so a leaked derived key, API key or hash reveals no
 * other credential. A derived scalar outside the secp256k1 range is re-derived with a counter.
 */
import { createHmac, randomBytes } from "crypto";
import { SigningKey, getBytes, hexlify, toBeHex, toUtf8Bytes, zeroPadValue } from "ethers";
import { keccak256Digest } from "./keccak";

const SALT = toUtf8Bytes("accountconfig/key-derivation/v1");
/** HKDF-Expand's counter for its first (and only) 32-byte block. */
const BLOCK_1 = new Uint8Array([1]);
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export type KeyLabel = "pkp" | "pkp-aes" | "lit-action" | "payer" | "admin-payer";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** 32 bytes for `label` and `context` (info = label || 0x00 || counter || context). */
export function deriveBytes(rootSecret: Uint8Array, label: KeyLabel, context: Uint8Array, counter = 0): Uint8Array {
  if (rootSecret.length < 32) throw new Error("root secret: expected at least 32 bytes");
  const info = concat([toUtf8Bytes(label), new Uint8Array([0, counter]), context]);
  // HKDF-SHA256 (RFC 5869) for one block: PRK = HMAC(salt, root), OKM = HMAC(PRK, info || 0x01).
  // Node's hkdfSync gives the same bytes at ~2x the CPU (its key objects; docs/relayer-latency.md,
  // "Read path CPU"); test/vectors/keys.json pins the output.
  const prk = createHmac("sha256", SALT).update(rootSecret).digest();
  return new Uint8Array(createHmac("sha256", prk).update(info).update(BLOCK_1).digest());
}

/** A valid secp256k1 private key (`0x` + 64 hex) for `label` and `context`. */
export function derivePrivateKey(rootSecret: Uint8Array, label: KeyLabel, context: Uint8Array): string {
  for (let counter = 0; counter < 256; counter++) {
    const key = hexlify(deriveBytes(rootSecret, label, context, counter)); // 32 bytes: 0x + 64 hex
    const scalar = BigInt(key);
    if (scalar > 0n && scalar < SECP256K1_N) return key;
  }
  throw new Error("key derivation failed"); // probability ~2^-32000
}

const word = (value: bigint | string): Uint8Array => getBytes(zeroPadValue(toBeHex(BigInt(value)), 32));

/** The signing key of a PKP: context (account master hash, derivation). */
export function pkpPrivateKey(rootSecret: Uint8Array, masterHash: string, derivation: bigint | string): string {
  return derivePrivateKey(rootSecret, "pkp", concat([word(masterHash), word(derivation)]));
}

/** "00".."ff" */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/**
 * The lowercase address of a private key: the last 20 bytes of keccak256 of the uncompressed public
 * key without its 0x04 prefix. What ethers' computeAddress(key).toLowerCase() gives, without its
 * checksum (a second keccak the lowercase form drops) and its hex round trips: create_wallet
 * derives one per request (docs/relayer-latency.md, "Read path CPU").
 */
function lowercaseAddress(privateKey: string): string {
  const pub = getBytes(SigningKey.computePublicKey(privateKey, false));
  const digest = keccak256Digest(pub.subarray(1));
  let hex = "0x";
  for (let i = 12; i < 32; i++) hex += HEX[digest[i]];
  return hex;
}

/** The address of a PKP (what is registered on-chain as pkpId), lowercase. */
export function pkpAddress(rootSecret: Uint8Array, masterHash: string, derivation: bigint | string): string {
  return lowercaseAddress(pkpPrivateKey(rootSecret, masterHash, derivation));
}

/** The AES-256 key of a PKP (Encrypt/Decrypt), distinct from its signing key. */
export function pkpAesKey(rootSecret: Uint8Array, masterHash: string, derivation: bigint | string): Uint8Array {
  return deriveBytes(rootSecret, "pkp-aes", concat([word(masterHash), word(derivation)]));
}

/** The key bound to a Lit Action's CID. */
export function litActionPrivateKey(rootSecret: Uint8Array, cid: string): string {
  return derivePrivateKey(rootSecret, "lit-action", toUtf8Bytes(cid));
}

/** The n-th api payer key (local deployments; public networks configure keys). */
export function payerPrivateKey(rootSecret: Uint8Array, index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new Error("payer index: expected a non-negative integer");
  return derivePrivateKey(rootSecret, "payer", word(BigInt(index)));
}

/** The admin api payer key (funds the payers). */
export function adminPayerPrivateKey(rootSecret: Uint8Array): string {
  return derivePrivateKey(rootSecret, "admin-payer", new Uint8Array());
}

/** A random non-zero 256-bit derivation value, as a decimal string. */
export function randomDerivation(): string {
  for (;;) {
    const value = BigInt(hexlify(randomBytes(32)));
    if (value !== 0n) return value.toString();
  }
}
