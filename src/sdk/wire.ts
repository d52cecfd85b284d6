/**
 * Conversions shared by the transports: request values to what the relayer or the diamond takes,
 * and diamond rows to the relayer's response shapes (the same shapes whichever transport answers).
 * Hashing is src/core's (docs/hashing.md); a malformed argument is a LitUsageError naming the field.
 */
import { MaxUint256, getAddress } from "ethers";
import { type Hash32, apiKeyHash, cidTextHash, isHash32, toHash32 } from "../core/hashing";
import { LitUsageError } from "./errors";
import type { ApiKeyItem, MetadataItem, Pagination, UsageKeyPermissions, WalletItem } from "./types";

export function pageQuery(page: Pagination): string {
  return `page_number=${page.pageNumber}&page_size=${page.pageSize}`;
}

/**
 * A usage key named by its text or its hash, as the relayer reads usage_api_key: `0x` + 64 hex is
 * the hash, other `0x` + hex is a mistyped hash, the zero hash names no key, the rest is key text.
 */
export function usageKeyRefHash(field: string, value: string): Hash32 {
  const text = value.trim();
  if (text === "") throw new LitUsageError(`${field}: expected a usage API key or its 0x hash`);
  if (/^0[xX][0-9a-fA-F]*$/.test(text) && !isHash32(text))
    throw new LitUsageError(`${field}: a 0x hash must have exactly 64 hex digits`);
  if (/^0[xX]0{64}$/.test(text)) throw new LitUsageError(`${field}: the zero hash is not a usage key`);
  return apiKeyHash(text);
}

/** The on-chain id of a raw CID the caller registers; a hash given instead is refused, as the relayer does. */
export function rawCidHash(field: string, cid: string): Hash32 {
  const text = cid.trim();
  if (text === "") throw new LitUsageError(`${field}: expected an IPFS CID`);
  if (isHash32(text))
    throw new LitUsageError(`${field}: expected a raw IPFS CID (Qm...), not a hash; the SDK hashes it`);
  return cidTextHash(text);
}

/** A checksummed address, or a LitUsageError naming the field. */
export function addressArg(field: string, value: string): string {
  try {
    return getAddress(value);
  } catch {
    throw new LitUsageError(`${field}: not an address: ${value}`);
  }
}

/** A uint256 argument (group id, hashed CID) from a number or a decimal / 0x-hex string. */
export function uintArg(field: string, value: number | string): bigint {
  try {
    // BigInt("") and BigInt("  ") are 0n: an empty argument is refused, not read as zero.
    const n = typeof value === "string" && value.trim() === "" ? -1n : BigInt(value);
    if (n >= 0n && n <= MaxUint256) return n;
  } catch {
    // reported below
  }
  throw new LitUsageError(`${field}: expected a non-negative integer below 2^256 (decimal or 0x hex), got ${String(value)}`);
}

/** The body fields of add_usage_api_key / update_usage_api_key. */
export function usageKeyBody(p: UsageKeyPermissions): Record<string, unknown> {
  return {
    name: p.name,
    description: p.description,
    can_create_groups: p.canCreateGroups,
    can_delete_groups: p.canDeleteGroups,
    can_create_pkps: p.canCreatePkps,
    manage_ipfs_ids_in_groups: p.manageIpfsIdsInGroups,
    add_pkp_to_groups: p.addPkpToGroups,
    remove_pkp_from_groups: p.removePkpFromGroups,
    execute_in_groups: p.executeInGroups,
    ...(p.expiration === undefined ? {} : { expiration: p.expiration }),
  };
}

/** The arguments of setUsageApiKey after (account, key hash). */
export type PermissionArgs = [
  expiration: bigint,
  balance: bigint,
  name: string,
  description: string,
  createGroups: boolean,
  deleteGroups: boolean,
  createPKPs: boolean,
  manageIPFSIdsInGroups: bigint[],
  addPkpToGroups: bigint[],
  removePkpFromGroups: bigint[],
  executeInGroups: bigint[],
];

export function permissionArgs(p: UsageKeyPermissions, balance: bigint): PermissionArgs {
  const ids = (xs: number[]) => xs.map((x) => BigInt(x));
  return [
    BigInt(p.expiration ?? 0),
    balance,
    p.name,
    p.description,
    p.canCreateGroups,
    p.canDeleteGroups,
    p.canCreatePkps,
    ids(p.manageIpfsIdsInGroups),
    ids(p.addPkpToGroups),
    ids(p.removePkpFromGroups),
    ids(p.executeInGroups),
  ];
}

/** A usage key as the diamond's listApiKeys returns it (the fields used here). */
export interface UsageKeyRowOut {
  metadata: { id: bigint; name: string; description: string };
  apiKeyHash: bigint;
  expiration: bigint;
  balance: bigint;
  createGroups: boolean;
  deleteGroups: boolean;
  createPKPs: boolean;
  manageIPFSIdsInGroups: bigint[];
  addPkpToGroups: bigint[];
  removePkpFromGroups: bigint[];
  executeInGroups: bigint[];
}

export function apiKeyItemOf(k: UsageKeyRowOut): ApiKeyItem {
  return {
    id: toHash32(k.metadata.id),
    api_key_hash: toHash32(k.apiKeyHash),
    name: k.metadata.name,
    description: k.metadata.description,
    expiration: k.expiration.toString(),
    balance: Number(k.balance),
    can_create_groups: k.createGroups,
    can_delete_groups: k.deleteGroups,
    can_create_pkps: k.createPKPs,
    can_manage_ipfs_ids_in_groups: k.manageIPFSIdsInGroups.map(Number),
    can_add_pkp_to_groups: k.addPkpToGroups.map(Number),
    can_remove_pkp_from_groups: k.removePkpFromGroups.map(Number),
    can_execute_in_groups: k.executeInGroups.map(Number),
  };
}

/** A wallet as listPkps / listWalletsInGroup return it. */
export function walletItemOf(w: { id: bigint; name: string; description: string; pkpId: string }): WalletItem {
  return { id: w.id.toString(), name: w.name, description: w.description, wallet_address: w.pkpId.toLowerCase() };
}

/** A group or action as listGroups / listActions return it: the id as a Hash32. */
export function metadataItemOf(m: { id: bigint; name: string; description: string }): MetadataItem {
  return { id: toHash32(m.id), name: m.name, description: m.description };
}
