/**
 * Group ids and the wildcard encodings of seed 004: "all wallets" is the zero wallet address in
 * pkp_ids_permitted, "all actions" is 0 in cid_hashes_permitted, and 0 in a usage key's group list
 * means every group of the account, present and future.
 */
import { ZeroAddress, ZeroHash } from "ethers";

export const ALL_WALLETS = ZeroAddress;
export const ALL_ACTIONS = "0";
export const ALL_GROUPS = 0;

/** list_groups ids are 0x + 64 hex: the decimal group number. */
export function groupNumber(id: string): number {
  return Number(BigInt(id));
}

export function isAllWallets(address: string): boolean {
  return /^0x0{40}$/i.test(address);
}

export function isAllActions(actionId: string): boolean {
  return actionId.toLowerCase() === ZeroHash || actionId === "0";
}

/** The wildcard arrays for a new group. */
export function groupWildcards(allWallets: boolean, allActions: boolean): { pkpIds: string[]; cidHashes: string[] } {
  return { pkpIds: allWallets ? [ALL_WALLETS] : [], cidHashes: allActions ? [ALL_ACTIONS] : [] };
}
