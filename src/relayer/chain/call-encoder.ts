/**
 * A fast path for encoding the diamond's call data: direct ABI words for the values the relayer
 * passes (uintN as bigint / safe integer / decimal or 0x string, lowercase or uppercase addresses,
 * bool, bytesN and bytes as 0x hex, strings, arrays, tuples given as arrays), instead of ethers'
 * encodeFunctionData, which rebuilds its coder tree for every call (about 0.15 ms per addGroup
 * on an idle core, several times that under load: docs/relayer-latency.md). Anything else (signed
 * integers, tuples given as objects, mixed-case addresses whose checksum must be checked, ethers
 * `Typed` values, strings with a lone surrogate code unit, wrong lengths or counts, out-of-range values)
 * is not encoded here: `null` means "leave it to ethers", so the result and the errors stay
 * ethers' (tested against it).
 */
import type { FunctionFragment, ParamType } from "ethers";

/** Thrown inside the encoder for a value it does not take; turned into `null`. */
class Unhandled extends Error {}

const ADDRESS = /^0x(?:[0-9a-f]{40}|[0-9A-F]{40})$/;
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})*$/;
const UINT_TEXT = /^(?:0x[0-9a-fA-F]+|[0-9]+)$/;
/** A surrogate code unit without its pair (ethers' UTF-8 encoder throws there; Buffer would replace it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ZERO_WORD = "0".repeat(64);

function word(n: bigint | number): string {
  return n.toString(16).padStart(64, "0");
}

function uintValue(value: unknown, bits: number): bigint {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
  else if (typeof value === "string" && UINT_TEXT.test(value)) v = BigInt(value);
  else throw new Unhandled();
  if (v < 0n || v >= 1n << BigInt(bits)) throw new Unhandled();
  return v;
}

/** Hex (no 0x) of `data` (0x hex, even length) right-padded to whole words. */
function padRight(hex: string): string {
  const rest = hex.length % 64;
  return rest === 0 ? hex : hex + ZERO_WORD.slice(rest);
}

function isDynamic(p: ParamType): boolean {
  if (p.baseType === "string" || p.baseType === "bytes") return true;
  if (p.baseType === "array") return p.arrayLength === -1 || (p.arrayChildren !== null && isDynamic(p.arrayChildren));
  if (p.baseType === "tuple") return (p.components ?? []).some(isDynamic);
  return false;
}

/** The head-and-tail encoding of `values` as a tuple of `params` (hex without 0x). */
function encodeSequence(params: readonly ParamType[], values: readonly unknown[]): string {
  if (params.length !== values.length) throw new Unhandled();
  const parts: { hex: string; dynamic: boolean }[] = [];
  let headBytes = 0;
  for (let i = 0; i < params.length; i++) {
    const dynamic = isDynamic(params[i]);
    const hex = encodeValue(params[i], values[i]);
    parts.push({ hex, dynamic });
    headBytes += dynamic ? 32 : hex.length / 2;
  }
  let heads = "";
  let tails = "";
  let offset = headBytes;
  for (const part of parts) {
    if (part.dynamic) {
      heads += word(offset);
      tails += part.hex;
      offset += part.hex.length / 2;
    } else {
      heads += part.hex;
    }
  }
  return heads + tails;
}

function encodeValue(p: ParamType, value: unknown): string {
  switch (p.baseType) {
    case "address":
      if (typeof value !== "string" || !ADDRESS.test(value)) throw new Unhandled();
      return "0".repeat(24) + value.slice(2).toLowerCase();
    case "bool":
      if (typeof value !== "boolean") throw new Unhandled();
      return word(value ? 1 : 0);
    case "string": {
      if (typeof value !== "string" || LONE_SURROGATE.test(value)) throw new Unhandled();
      const hex = Buffer.from(value, "utf8").toString("hex");
      return word(hex.length / 2) + padRight(hex);
    }
    case "bytes": {
      if (typeof value !== "string" || !HEX_BYTES.test(value)) throw new Unhandled();
      const hex = value.slice(2).toLowerCase();
      return word(hex.length / 2) + padRight(hex);
    }
    case "array": {
      const child = p.arrayChildren;
      if (child === null || !Array.isArray(value)) throw new Unhandled();
      const items: readonly unknown[] = value;
      const children = items.map(() => child);
      if (p.arrayLength === -1) return word(items.length) + encodeSequence(children, items);
      if (items.length !== p.arrayLength) throw new Unhandled();
      return encodeSequence(children, items);
    }
    case "tuple":
      if (!Array.isArray(value)) throw new Unhandled();
      return encodeSequence(p.components ?? [], value);
    default:
      break;
  }
  const uint = /^uint(\d+)$/.exec(p.type);
  if (uint) return word(uintValue(value, Number(uint[1])));
  const fixed = /^bytes(\d+)$/.exec(p.type);
  if (fixed) {
    const size = Number(fixed[1]);
    if (typeof value !== "string" || value.length !== 2 + 2 * size || !HEX_BYTES.test(value)) throw new Unhandled();
    return padRight(value.slice(2).toLowerCase());
  }
  throw new Unhandled(); // intN and anything else: ethers
}

/** ABI encoding (hex without 0x) of `values` as `params`; null when ethers must do it. */
export function fastEncodeValues(params: readonly ParamType[], values: readonly unknown[]): string | null {
  try {
    return encodeSequence(params, values);
  } catch (err) {
    if (err instanceof Unhandled) return null;
    throw err;
  }
}

/** A fragment's selector, computed once (ethers' `selector` re-hashes the signature on each read). */
const SELECTORS = new WeakMap<FunctionFragment, string>();

/** Calldata of `fragment` with `args`, or null when ethers must encode it (see the file comment). */
export function fastEncodeCall(fragment: FunctionFragment, args: readonly unknown[]): string | null {
  const body = fastEncodeValues(fragment.inputs, args);
  if (body === null) return null;
  let selector = SELECTORS.get(fragment);
  if (selector === undefined) {
    selector = fragment.selector.toLowerCase();
    SELECTORS.set(fragment, selector);
  }
  return selector + body;
}
