/**
 * Validation of request values that have the right JSON type but may still be invalid (http-api.md
 * §2: 400 naming the field). Each function returns the value in the form the ports use (Hash32,
 * lowercase Address, decimal Uint) or throws ServiceError("InvalidValue") naming the field.
 * Messages quote what was given except for API keys, which are never echoed.
 */
import { ParseError, apiKeyTextHash, cidTextHash, isHash32, parseCid, parseLowercaseAddress, parseUint, toHash32 } from "../../core";
import type { Address, Hash32, Page, Uint } from "../ports";
import { invalidValue } from "./errors";

export const MAX_NAME_BYTES = 128;
export const MAX_DESCRIPTION_BYTES = 1024;
export const MAX_GROUP_LIST_INPUT = 10;
export const MAX_USAGE_KEY_GROUPS = 50;
export const MAX_PAGE_SIZE = 100;
export const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";
export const ZERO_HASH: Hash32 = toHash32(0n);

function rethrow(field: string, e: unknown): never {
  if (e instanceof ParseError) {
    // ParseError messages start with the option name; replace it by the request field.
    throw invalidValue(field, e.message.replace(/^[^:]*:\s*/, ""));
  }
  throw e;
}

/** A text of at most `maxBytes` UTF-8 bytes (the contract's limit for names and descriptions). */
export function text(field: string, value: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > maxBytes) throw invalidValue(field, `longer than ${maxBytes} bytes (${bytes})`);
  return value;
}

export const name = (field: string, value: string): string => text(field, value, MAX_NAME_BYTES);
export const description = (field: string, value: string): string => text(field, value, MAX_DESCRIPTION_BYTES);

/** A group id from a JSON number (already a non-negative integer) or a decimal / 0x-hex string; 0 is invalid. */
export function groupId(field: string, value: number | string): Uint {
  let n: bigint;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw invalidValue(field, `expected a group id, got ${value}`);
    n = BigInt(value);
  } else {
    try {
      n = parseUint(value, field, "a decimal or 0x-hex group id");
    } catch (e) {
      rethrow(field, e);
    }
  }
  if (n === 0n) throw invalidValue(field, "0 is not a group (group ids start at 1)");
  return n.toString();
}

/** A usage-key group list (0 = every group): at most 50 entries, no duplicates. */
export function groupIdList(field: string, values: readonly number[]): Uint[] {
  if (values.length > MAX_USAGE_KEY_GROUPS) throw invalidValue(field, `more than ${MAX_USAGE_KEY_GROUPS} entries`);
  const seen = new Set<number>();
  for (const v of values) {
    if (!Number.isSafeInteger(v) || v < 0) throw invalidValue(field, `expected group ids (0 = all groups), got ${v}`);
    if (seen.has(v)) throw invalidValue(field, `duplicate group id ${v}`);
    seen.add(v);
  }
  return values.map((v) => v.toString());
}

/** A 20-byte hex address, `0x` optional, any case; returned as `0x` + 40 lowercase hex. */
export function address(field: string, value: string): Address {
  try {
    return parseLowercaseAddress(value, field);
  } catch (e) {
    rethrow(field, e);
  }
}

/** A list of at most `max` addresses (the zero address allowed: "all wallets"). */
export function addressList(field: string, values: readonly string[], max: number): Address[] {
  if (values.length > max) throw invalidValue(field, `more than ${max} entries`);
  return values.map((v, i) => address(`${field}[${i}]`, v));
}

/** An already-hashed CID: `0x` hex or decimal, fitting in 256 bits; `0` only when `allowZero`. */
export function hashedCid(field: string, value: string, allowZero = false): Hash32 {
  let n: bigint;
  try {
    n = parseUint(value, field, "a hashed CID (0x hex or decimal)");
  } catch (e) {
    rethrow(field, e);
  }
  if (n === 0n && !allowZero) throw invalidValue(field, "0 is not an action (expected keccak256 of a CID)");
  return toHash32(n);
}

/** A list of at most `max` hashed CIDs (0 allowed: "all actions"). */
export function hashedCidList(field: string, values: readonly string[], max: number): Hash32[] {
  if (values.length > max) throw invalidValue(field, `more than ${max} entries`);
  return values.map((v, i) => hashedCid(`${field}[${i}]`, v, true));
}

/** A raw IPFS CID (CIDv0 `Qm...` or base32 CIDv1 `b...`) and its on-chain hash keccak256(utf8(cid)). */
export function rawCid(field: string, value: string): { cid: string; hash: Hash32 } {
  let cid: string;
  try {
    cid = parseCid(value, field);
  } catch (e) {
    rethrow(field, e);
  }
  if (isHash32(cid))
    throw invalidValue(field, "expected a raw IPFS CID (Qm...), not a hash; this field is hashed by the server");
  return { cid, hash: cidTextHash(cid) };
}

/**
 * A usage key given in a body: `0x` + exactly 64 hex is taken as its hash, anything else is hashed as
 * key text (http-api.md §1). The value is never quoted in errors.
 */
export function usageKeyRef(field: string, value: string): Hash32 {
  const t = value.trim();
  if (t === "") throw invalidValue(field, "expected a usage API key or its 0x hash");
  if (isHash32(t)) {
    if (/^0x0{64}$/i.test(t)) throw invalidValue(field, "the zero hash is not a usage key");
    return t.toLowerCase();
  }
  if (/^0[xX][0-9a-fA-F]*$/.test(t)) throw invalidValue(field, "a 0x hash must have exactly 64 hex digits");
  return apiKeyTextHash(t);
}

/** Unix seconds (0 = never). */
export function unixSeconds(field: string, value: number): Uint {
  if (!Number.isSafeInteger(value) || value < 0) throw invalidValue(field, `expected unix seconds, got ${value}`);
  return value.toString();
}

/** Zero-based page number and a page size of 1..100. */
export function page(pageNumber: number, pageSize: number): Page {
  if (!Number.isSafeInteger(pageNumber) || pageNumber < 0)
    throw invalidValue("page_number", "expected an integer >= 0");
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw invalidValue("page_size", `must be between 1 and ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  return { pageNumber, pageSize };
}

/** The slice of `items` for `p`; past the end is []. */
export function slicePage<T>(items: readonly T[], p: Page): T[] {
  const start = p.pageNumber * p.pageSize;
  return start >= items.length ? [] : items.slice(start, start + p.pageSize);
}
