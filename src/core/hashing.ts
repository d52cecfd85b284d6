/**
 * The one home of the project's hashing helpers (docs/hashing.md; docs/http-api.md §1, §7): API key hashes, ChainSecured
 * alias hashes, CID hashes and the 32-byte hash type, used alike by the SDK, the relayer, the tasks
 * and the dashboard. Pure: depends on ethers only, so it runs in a browser bundle (import it as
 * `src/core/hashing`, or through `accountconfig/sdk`, not through `src/core/index`, which also
 * carries the Node-only key derivation). Every hash is returned as `0x` + 64 lowercase hex.
 *
 * Two kinds of input, two kinds of helper:
 * - `...TextHash(text)` always hashes its input: for credentials as sent (X-Api-Key), for a key
 *   just minted, for the CID of an action being registered. A `0x` + 64 hex text is hashed too, so
 *   knowing a key's hash never stands in for the key.
 * - `apiKeyHash(keyOrHash)` / `cidHash(cidOrHash)` take either the text or its hash: a value that is
 *   already `0x` + 64 hex is taken as the hash itself (request fields and task options that name an
 *   existing key or action).
 */
import { encodeBase64, getAddress, randomBytes } from "ethers";
import { keccak256Text, keccak256Utf8 } from "./keccak";

/** A 32-byte hash as `0x` + 64 lowercase hex characters (api key hashes, account hashes, CID hashes). */
export type Hash32 = string;

const HASH32_RE = /^0x[0-9a-fA-F]{64}$/;
const HEX_RE = /^0[xX][0-9a-fA-F]{1,64}$/;
const ADDRESS_HEX_RE = /^[0-9a-fA-F]{40}$/;
const DECIMAL_RE = /^[0-9]+$/;
const UINT256_LIMIT = 1n << 256n;

/** True iff `value` is `0x` followed by exactly 64 hex characters (any case). */
export function isHash32(value: string): boolean {
  return HASH32_RE.test(value);
}

/**
 * The apiKeyHash of an API key as sent: keccak256 of the UTF-8 bytes of the key text (the base64
 * text, not its decoded bytes). Never takes its input as a hash (see the module comment).
 */
export function apiKeyTextHash(keyText: string): Hash32 {
  if (keyText.length === 0) throw new Error("api key: expected a non-empty key text");
  // ./keccak, not ethers' keccak256(toUtf8Bytes()): this runs for every authenticated request,
  // and ethers' path allocates ~4 KB per hash (docs/hashing.md, "Cost per request").
  return keccak256Utf8(keyText);
}

/**
 * The apiKeyHash of an API key given as its text or as its hash: a value that is already `0x` + 64
 * hex is taken as the hash itself (lowercased); anything else is hashed as key text.
 */
export function apiKeyHash(keyOrHash: string): Hash32 {
  if (isHash32(keyOrHash)) return keyOrHash.toLowerCase();
  if (keyOrHash.length === 0) throw new Error("api key: expected a non-empty key text or a 0x 32-byte hash");
  return apiKeyTextHash(keyOrHash);
}

/**
 * The account hash (alias) of a ChainSecured wallet: keccak256(abi.encodePacked(address)), the 20
 * raw address bytes. The master hash of an account that wallet created. Any case, `0x` optional.
 */
export function chainSecuredHash(address: string): Hash32 {
  const hex = address.startsWith("0x") || address.startsWith("0X") ? address.slice(2) : address;
  if (!ADDRESS_HEX_RE.test(hex)) getAddress(`0x${hex}`); // throws ethers' "invalid address" error
  const bytes = new Uint8Array(20);
  for (let i = 0; i < 20; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return keccak256Text(bytes);
}

/** The on-chain action id of an IPFS CID: keccak256(utf8(cid)). Never takes its input as a hash. */
export function cidTextHash(cid: string): Hash32 {
  if (cid.length === 0) throw new Error("cid: expected a non-empty CID");
  return keccak256Utf8(cid);
}

/** The on-chain action id of a CID given as its text or as its hash (`0x` + 64 hex, taken as is). */
export function cidHash(cidOrHash: string): Hash32 {
  if (isHash32(cidOrHash)) return cidOrHash.toLowerCase();
  if (cidOrHash.length === 0) throw new Error("cid: expected a non-empty CID or a 0x 32-byte hash");
  return cidTextHash(cidOrHash);
}

/** A fresh API key: 32 random bytes, standard base64 with padding (44 characters). */
export function generateApiKey(): string {
  return encodeBase64(randomBytes(32));
}

/**
 * A 32-byte value as a Hash32: from a bigint (a uint256 the contract returns), a `0x` hex string of
 * 1..64 digits (any case) or a decimal string. Throws for negative values, values of 2^256 or more
 * and strings of another form.
 */
export function toHash32(value: bigint | string): Hash32 {
  if (typeof value === "string" && HASH32_RE.test(value)) return value.toLowerCase(); // already 64 digits: no bigint round trip
  // A decimal of at most 15 digits is a safe integer: padded from its number, without a bigint
  // round trip (group ids are counters, and list_groups formats one per row).
  if (typeof value === "string" && value.length <= 15 && DECIMAL_RE.test(value)) return `0x${Number(value).toString(16).padStart(64, "0")}`;
  let n: bigint;
  if (typeof value === "bigint") n = value;
  else if (HEX_RE.test(value)) n = BigInt(`0x${value.slice(2)}`);
  else if (DECIMAL_RE.test(value)) n = BigInt(value);
  else throw new Error(`hash: expected a 0x-hex or decimal 32-byte value, got ${JSON.stringify(value.slice(0, 80))}`);
  if (n < 0n || n >= UINT256_LIMIT) throw new Error(`hash: ${value} does not fit in 32 bytes`);
  return `0x${n.toString(16).padStart(64, "0")}`;
}
