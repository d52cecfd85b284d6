/**
 * Key, address and CID hashing shared by tasks, relayer and SDK (docs/http-api.md §1, §7).
 * Pure: depends on ethers only. Every hash is returned as `0x` + 64 lowercase hex characters.
 */
import { encodeBase64, getAddress, keccak256, randomBytes, solidityPackedKeccak256, toUtf8Bytes } from "ethers";

/** A 32-byte hash as `0x` + 64 lowercase hex characters. */
export type Hash32 = string;

const HASH32_RE = /^0x[0-9a-fA-F]{64}$/;

/** True iff `value` is `0x` followed by exactly 64 hex characters (any case). */
export function isHash32(value: string): boolean {
  return HASH32_RE.test(value);
}

/**
 * The apiKeyHash of an API key: keccak256 of the UTF-8 bytes of the key text as sent (the base64
 * text, not its decoded bytes). A value that is already `0x` + 64 hex is taken as the hash itself.
 */
export function apiKeyHash(keyOrHash: string): Hash32 {
  if (isHash32(keyOrHash)) return keyOrHash.toLowerCase();
  if (keyOrHash.length === 0) throw new Error("api key: expected a non-empty key text or a 0x 32-byte hash");
  return keccak256(toUtf8Bytes(keyOrHash));
}

/** The account hash of a ChainSecured admin: keccak256(abi.encodePacked(address)) (20 raw bytes). */
export function chainSecuredHash(address: string): Hash32 {
  const hex = address.startsWith("0x") || address.startsWith("0X") ? address.slice(2) : address;
  return solidityPackedKeccak256(["address"], [getAddress(`0x${hex.toLowerCase()}`)]);
}

/** The on-chain action id of an IPFS CID: keccak256(utf8(cid)). A 0x 32-byte value is taken as the hash. */
export function cidHash(cidOrHash: string): Hash32 {
  if (isHash32(cidOrHash)) return cidOrHash.toLowerCase();
  if (cidOrHash.length === 0) throw new Error("cid: expected a non-empty CID or a 0x 32-byte hash");
  return keccak256(toUtf8Bytes(cidOrHash));
}

/** A fresh API key: 32 random bytes, standard base64 with padding (44 characters). */
export function generateApiKey(): string {
  return encodeBase64(randomBytes(32));
}

/** A uint256 as a 32-byte hash string (`0x` + 64 lowercase hex). */
export function toHash32(value: bigint): Hash32 {
  if (value < 0n || value >= 1n << 256n) throw new Error(`hash: ${value} does not fit in 32 bytes`);
  return `0x${value.toString(16).padStart(64, "0")}`;
}
