/** Task-specific JSON shapes that the generic ABI conversion cannot know. */
import { toHash32 } from "../../src/core";
import type { Json } from "./cli";

interface MetadataLike {
  id: bigint;
  name: string;
  description: string;
}

/** Action metadata: the id is the action's cid hash, printed as 0x hex (usable as --cid). */
export function actionsToJson(items: readonly MetadataLike[]): Json[] {
  return items.map((m) => ({ id: toHash32(m.id), name: m.name, description: m.description }));
}

/** A usage key (UsageApiKey struct as JSON): its metadata.id is the key's hash, printed as 0x hex. */
export function usageKeyToJson(value: Json): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const metadata = value.metadata;
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata) || typeof metadata.id !== "string") return value;
  const id = metadata.id.startsWith("0x") ? metadata.id : toHash32(BigInt(metadata.id));
  return { ...value, metadata: { ...metadata, id } };
}
