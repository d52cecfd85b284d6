/**
 * Port rows -> the hosted API's JSON shapes (http-api.md §3): list_groups id `0x` + 64 hex,
 * list_wallets id the decimal derivation, list_api_keys expiration a decimal string and balance a
 * number, group-id arrays as numbers.
 */
import type { Static } from "@sinclair/typebox";
import { toHash32 } from "../../core";
import type { ActionRow, GroupSummary, UsageKeyRow, WalletRow } from "../ports";
import type { ActionItem } from "./schemas/actions";
import type { GroupItem } from "./schemas/groups";
import type { ApiKeyItem } from "./schemas/usage-keys";
import type { WalletItem } from "./schemas/wallets";

const numbers = (ids: readonly string[]): number[] => ids.map(Number);

export function apiKeyItem(row: UsageKeyRow): Static<typeof ApiKeyItem> {
  return {
    id: row.hash,
    api_key_hash: row.hash,
    name: row.name,
    description: row.description,
    expiration: row.expiration,
    balance: Number(row.balance),
    can_create_groups: row.createGroups,
    can_delete_groups: row.deleteGroups,
    can_create_pkps: row.createPKPs,
    can_manage_ipfs_ids_in_groups: numbers(row.manageIPFSIdsInGroups),
    can_add_pkp_to_groups: numbers(row.addPkpToGroups),
    can_remove_pkp_from_groups: numbers(row.removePkpFromGroups),
    can_execute_in_groups: numbers(row.executeInGroups),
  };
}

/**
 * A list_groups item; its id the 32-byte hex of the group's number. Ids are counters (decimal
 * strings), which toHash32 pads from their number, without a bigint round trip per row
 * (docs/relayer-latency.md, "Read path CPU").
 */
export function groupItem(row: GroupSummary): Static<typeof GroupItem> {
  return { id: toHash32(row.id), name: row.name, description: row.description };
}

export function walletItem(row: WalletRow): Static<typeof WalletItem> {
  return { id: row.derivation, name: row.name, description: row.description, wallet_address: row.pkp };
}

export function actionItem(row: ActionRow): Static<typeof ActionItem> {
  return { id: row.cid, name: row.name, description: row.description };
}
