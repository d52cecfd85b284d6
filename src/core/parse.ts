/**
 * Parsing of user-supplied ids, addresses and CIDs (task options, request fields). Pure: depends
 * on ethers only. Every parser throws a ParseError whose one-line message names the option, says
 * what was expected and quotes what was given, e.g.
 * `--group: expected a decimal or 0x-hex group id, got "abc"`.
 */
import { getAddress } from "ethers";
import { isHash32 } from "./hashing";

/** A user input that does not have the expected form. */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}

const UINT256_MAX = (1n << 256n) - 1n;
const DECIMAL_RE = /^[0-9]+$/;
const HEX_RE = /^0[xX][0-9a-fA-F]{1,64}$/;
const ADDRESS_RE = /^(0[xX])?[0-9a-fA-F]{40}$/;
const CID_V0_RE = /^Qm[1-9A-HJ-NP-Za-km-z]{44}$/;
const CID_V1_RE = /^b[a-z2-7]{50,}$/;

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

function fail(option: string, expected: string, got: string): never {
  throw new ParseError(`${option}: expected ${expected}, got ${quote(got)}`);
}

/** Parses a decimal or 0x-hex unsigned integer that fits in 256 bits; undefined when malformed. */
function toUint(text: string): bigint | undefined {
  if (!DECIMAL_RE.test(text) && !HEX_RE.test(text)) return undefined;
  const value = BigInt(text.startsWith("0X") ? `0x${text.slice(2)}` : text);
  return value <= UINT256_MAX ? value : undefined;
}

/** A non-negative integer (decimal or 0x hex) that fits in uint256. */
export function parseUint(value: string, option = "value", what = "a decimal or 0x-hex unsigned integer"): bigint {
  const text = value.trim();
  const n = toUint(text);
  if (n === undefined) fail(option, `${what} (fitting in uint256)`, value);
  return n;
}

/** A group id: decimal or 0x hex, positive, fits in uint256. */
export function parseGroupId(value: string, option = "--group"): bigint {
  const text = value.trim();
  const n = toUint(text);
  if (n === undefined) fail(option, "a decimal or 0x-hex group id", value);
  if (n === 0n) fail(option, "a positive group id (0 is not a group)", value);
  return n;
}

/** Splits a comma-separated list; an empty or blank string is the empty list. */
export function splitList(value: string): string[] {
  if (value.trim() === "") return [];
  return value.split(",").map((s) => s.trim());
}

/**
 * A comma-separated list of unsigned integers (decimal or 0x hex), e.g. "1,2,0x3"; "" is [].
 * 0 is accepted (in usage-key group lists it means "every group").
 */
export function parseUintList(value: string, option = "list"): bigint[] {
  return splitList(value).map((part, i) => {
    const n = toUint(part);
    if (n === undefined) fail(`${option} entry ${i + 1}`, "a decimal or 0x-hex unsigned integer", part);
    return n;
  });
}

/**
 * An address: 40 hex characters, `0x` optional, any case. Returns `0x` + 40 lowercase hex, with no
 * checksum computed (a checksum is a Keccak-256 of the address; the relayer parses addresses on
 * every request and keeps them lowercase).
 */
export function parseLowercaseAddress(value: string, option = "--address"): string {
  const text = value.trim();
  if (!ADDRESS_RE.test(text)) fail(option, "a 20-byte hex address (0x optional)", value);
  const hex = text.length === 42 ? text.slice(2) : text;
  return `0x${hex.toLowerCase()}`;
}

/** An address: 40 hex characters, `0x` optional, any case. Returns the checksummed form. */
export function parseAddress(value: string, option = "--address"): string {
  return getAddress(parseLowercaseAddress(value, option));
}

/** A comma-separated list of addresses; "" is []. */
export function parseAddressList(value: string, option = "list"): string[] {
  return splitList(value).map((part, i) => parseAddress(part, `${option} entry ${i + 1}`));
}

/**
 * An IPFS CID or its on-chain hash: CIDv0 (base58btc `Qm` + 44 characters), CIDv1 in base32
 * (lowercase, starting with `b`), or `0x` + 64 hex (taken as the hash). Returns the CID text as
 * given (trimmed) or the hash in lowercase; pass the result to cidHash().
 */
export function parseCid(value: string, option = "--cid"): string {
  const text = value.trim();
  if (isHash32(text)) return text.toLowerCase();
  if (CID_V0_RE.test(text) || CID_V1_RE.test(text)) return text;
  return fail(option, "an IPFS CID (Qm... CIDv0 or b... base32 CIDv1) or a 0x 32-byte hash", value);
}

/** A comma-separated list of CIDs / 0x hashes; "" is []. */
export function parseCidList(value: string, option = "list"): string[] {
  return splitList(value).map((part, i) => parseCid(part, `${option} entry ${i + 1}`));
}

/**
 * An API key text or a 0x 32-byte hash: any non-empty string, returned trimmed. A `0x` + hex value
 * of another length than 64 digits is rejected as a mistyped hash (a generated key is base64 text
 * and never looks like that).
 */
export function parseKeyOrHash(value: string, option = "--key"): string {
  const text = value.trim();
  if (text === "" || (/^0[xX][0-9a-fA-F]*$/.test(text) && !isHash32(text))) {
    fail(option, "an API key or a 0x 32-byte hash (0x + 64 hex)", value);
  }
  return text;
}

/**
 * A point in time as unix seconds: a decimal or 0x-hex integer (0 = never), or an ISO-8601
 * date-time such as 2030-01-01T00:00:00Z.
 */
export function parseTimestamp(value: string, option = "--expiration"): bigint {
  const text = value.trim();
  const n = toUint(text);
  if (n !== undefined) return n;
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms) && ms >= 0) return BigInt(Math.floor(ms / 1000));
  }
  return fail(option, "unix seconds (0 = never) or an ISO-8601 date-time", value);
}
