/**
 * Value normalisation shared by the projection (event arguments) and the query side (lookups):
 * uints and addresses in the one spelling the index stores (32-byte values: core's toHash32).
 */
import type { Address, DecodedEvent, Uint } from "../../ports";
import { storableText } from "../../../core";

export const ZERO32 = `0x${"0".repeat(64)}`;

/** Normalises a uint (decimal or 0x hex) to a decimal string. */
export function toUint(value: string | bigint | number): Uint {
  return BigInt(value).toString();
}

export function toAddress(value: string): Address {
  const hex = value.toLowerCase().startsWith("0x") ? value.slice(2) : value;
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) throw new Error(`not an address: ${value}`);
  return `0x${hex.toLowerCase()}`;
}

// ---- decoded event arguments

export type EventArgs = DecodedEvent["args"];

export function str(args: EventArgs, name: string): string {
  const v = args[name];
  if (typeof v !== "string") throw new Error(`event argument ${name}: expected a string`);
  return v;
}

/**
 * A text argument (a name, a description, a node configuration entry) as it can be stored: a
 * wallet can write any bytes on-chain, and a NUL (refused by Postgres) or a lone surrogate is
 * replaced by U+FFFD, so such an event never stalls the indexer (docs/relayer-untrusted-input.md).
 */
export function text(args: EventArgs, name: string): string {
  return storableText(str(args, name));
}

export function bool(args: EventArgs, name: string): boolean {
  const v = args[name];
  if (typeof v !== "boolean") throw new Error(`event argument ${name}: expected a boolean`);
  return v;
}

export function strList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((x) => typeof x !== "string")) {
    throw new Error(`event argument ${name}: expected a list of strings`);
  }
  return value as string[];
}

export function record(args: EventArgs, name: string): Record<string, unknown> {
  const v = args[name];
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`event argument ${name}: expected a tuple`);
  return v as Record<string, unknown>;
}
