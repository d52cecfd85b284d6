/**
 * Who is calling and what it may write, decided from the indexed state before any gas is spent.
 * The write checks mirror contracts/libraries/LibAccess.sol (authorizeWrite, authorizeMasterWrite,
 * hasGroupPermission, requireGroup) and the facets' check order, so a request refused here would
 * have reverted on-chain with the error named in `code`, and a request allowed here does not revert
 * for lack of permission.
 */
import { chainSecuredHash } from "../../core";
import type { AccountRow, BindingRow, CredentialRows, FreshIndex, Hash32, IndexReader, Uint, UsageKeyRow } from "../ports";
import { type ServiceError, forbidden, notFound, unauthenticated } from "./errors";

/** An authenticated caller: the hash of the key it sent and the account it resolves to. */
export interface Caller {
  /** keccak256 of the credential as sent (what the contract receives as apiKeyHash). */
  hash: Hash32;
  master: Hash32;
  kind: BindingRow["kind"];
  account: AccountRow;
  /** The usage key's row when kind is UsageKey, else null. */
  usageKey: UsageKeyRow | null;
}

/** Group permissions of a usage key (LibAccountConfig.PERM_*). */
export type GroupPermission = "manageIPFSIdsInGroups" | "addPkpToGroups" | "removePkpFromGroups";
/** Boolean flags of a usage key. */
export type KeyFlag = "createGroups" | "deleteGroups" | "createPKPs";

const FLAG_ERRORS: Record<KeyFlag, { code: string; what: string }> = {
  createGroups: { code: "NotAllowedToCreateGroup", what: "create groups (can_create_groups)" },
  deleteGroups: { code: "NotAllowedToDeleteGroup", what: "delete groups (can_delete_groups)" },
  createPKPs: { code: "NotAllowedToCreatePkp", what: "create wallets (can_create_pkps)" },
};

const GROUP_ERRORS: Record<GroupPermission, { code: string; what: string }> = {
  manageIPFSIdsInGroups: {
    code: "NotAllowedToManageIPFSIdsInGroup",
    what: "manage actions (manage_ipfs_ids_in_groups)",
  },
  addPkpToGroups: { code: "NotAllowedToAddPkpToGroup", what: "add wallets (add_pkp_to_groups)" },
  removePkpFromGroups: { code: "NotAllowedToRemovePkpFromGroup", what: "remove wallets (remove_pkp_from_groups)" },
};

/** True when a usage key's expiration (0 = never) has passed at `nowSeconds`. */
export function isExpired(expiration: Uint, nowSeconds: number): boolean {
  const e = BigInt(expiration);
  return e !== 0n && e <= BigInt(Math.floor(nowSeconds));
}

/**
 * True when the bound hash is a wallet's alias keccak256(abi.encodePacked(wallet)): an admin alias,
 * or the master of an unmanaged account that is its admin's alias (a self-service account). Such a
 * hash is a login identity for wallet signatures, never an API key: a header whose bytes happen to
 * equal a public address must not authenticate as that account.
 */
export function isWalletAlias(
  binding: Pick<BindingRow, "kind" | "master">,
  account: Pick<AccountRow, "managed" | "admin">,
  aliasOf: (address: string) => Hash32 = chainSecuredHash,
): boolean {
  if (binding.kind === "AdminAlias") return true;
  return binding.kind === "Master" && !account.managed && binding.master === aliasOf(account.admin).toLowerCase();
}

/** What a credential hash resolved to (IndexReader.credential with its account present). */
interface Found {
  binding: BindingRow;
  account: AccountRow;
  usageKey: UsageKeyRow | null;
}

export class AccessControl {
  constructor(
    private readonly index: IndexReader,
    private readonly now: () => number,
    /**
     * When given (FRESH_READS=all), a credential that resolves to no account or to a ChainSecured
     * one is looked up again on an index at the chain head: the admin wallet adds, changes and
     * removes that account's keys, groups and wallets on-chain itself (docs/finality.md "Answers
     * that follow the chain"). Keys of managed accounts change only through a relayer's writes,
     * which are indexed before they are answered, so they are not gated.
     */
    private readonly fresh?: FreshIndex,
  ) {}

  /** The binding, account and usage key row of a hash from the index as it is, in one read (null when binding or account is missing). */
  private async lookup(credentialHash: Hash32): Promise<Found | null> {
    const found = await this.index.credential(credentialHash);
    if (found === null || found.account === null) return null;
    return { binding: found.binding, account: found.account, usageKey: found.usageKey };
  }

  /** lookup, from an index at the chain head when the answer depends on state a wallet changes on-chain. */
  private async freshLookup(credentialHash: Hash32): Promise<Found | null> {
    const found = await this.lookup(credentialHash);
    if (this.fresh === undefined || (found !== null && found.account.managed)) return found;
    await this.fresh.ensureFresh();
    return this.lookup(credentialHash);
  }

  /**
   * The caller behind a credential hash. Unknown or removed keys and expired usage keys -> 401.
   */
  async authorize(credentialHash: Hash32): Promise<Caller> {
    const found = await this.freshLookup(credentialHash);
    if (found === null) throw unauthenticated("InvalidApiKey", "unknown or removed API key");
    const { binding, account } = found;
    if (isWalletAlias(binding, account)) {
      throw unauthenticated("InvalidApiKey", "a wallet alias is not an API key; sign with the wallet instead");
    }
    let usageKey: UsageKeyRow | null = null;
    if (binding.kind === "UsageKey") {
      usageKey = found.usageKey;
      if (usageKey === null) throw unauthenticated("InvalidApiKey", "unknown or removed API key");
      if (isExpired(usageKey.expiration, this.now())) {
        throw unauthenticated("UsageApiKeyExpired", `usage API key expired at ${usageKey.expiration} (unix seconds)`);
      }
    }
    return { hash: credentialHash, master: binding.master, kind: binding.kind, account, usageKey };
  }

  /** The binding of a credential hash, or null (account_exists answers false instead of 401). */
  async exists(credentialHash: Hash32): Promise<boolean> {
    return (await this.freshLookup(credentialHash)) !== null;
  }
}

/**
 * The credential rows `authorize` built `caller` from (IndexReader.credential's answer), for a
 * check later in the same request that decides from them instead of reading them again
 * (ExecutionPermissions.scopeOf).
 */
export function callerCredential(caller: Caller): CredentialRows {
  return {
    binding: { hash: caller.hash, master: caller.master, kind: caller.kind },
    account: caller.account,
    usageKey: caller.usageKey,
  };
}

/** true for the master hash or an admin alias (LibAccess.authorizeWrite's `full`). */
export const isFull = (caller: Caller): boolean => caller.kind !== "UsageKey";

/**
 * LibAccess.authorizeWrite as seen from an api payer: a ChainSecured (unmanaged) account accepts
 * writes only from its admin wallet, so the payer's transaction would revert NoAccountAccess.
 * (Expiration is already enforced by authorize.)
 */
export function requireWrite(caller: Caller): void {
  if (!caller.account.managed) {
    throw forbidden(
      "NoAccountAccess",
      "this account is ChainSecured: its writes must be signed and sent by its admin wallet " +
        `${caller.account.admin}, not relayed with an API key`,
    );
  }
}

/** LibAccess.authorizeMasterWrite: the master key (or admin alias) only. */
export function requireMasterWrite(caller: Caller): void {
  requireWrite(caller);
  if (!isFull(caller))
    throw forbidden("NotMasterAccount", "only the account (master) key may do this; a usage key was sent");
}

/** A write gated by a usage-key flag (addGroup, removeGroup, registerWalletDerivation). */
export function requireFlag(caller: Caller, flag: KeyFlag): void {
  requireWrite(caller);
  if (isFull(caller) || caller.usageKey?.[flag] === true) return;
  const e = FLAG_ERRORS[flag];
  throw forbidden(e.code, `this usage key may not ${e.what}`);
}

/** LibAccess.requireGroup: the group must exist and belong to the caller's account (reads none of its lists). */
export async function requireGroup(index: IndexReader, caller: Caller, groupId: Uint): Promise<void> {
  if ((await index.groupAccount(groupId)) !== caller.master) throw groupNotFound(groupId);
}

/** requireGroup's answer (404 GroupDoesNotExist). */
export function groupNotFound(groupId: Uint): ServiceError {
  return notFound("GroupDoesNotExist", `group ${groupId} does not exist in this account`);
}

/**
 * A page of one of a group's lists (IndexReader.listActionsInGroup / listWalletsInGroup, null when
 * the group is not the caller's): requireGroup and the page in one read.
 */
export async function ownGroupPage<T>(groupId: Uint, page: Promise<T[] | null>): Promise<T[]> {
  const rows = await page;
  if (rows === null) throw groupNotFound(groupId);
  return rows;
}

/** LibAccess.hasGroupPermission: the id itself or the 0 wildcard in the key's list. */
export function hasGroupPermission(key: UsageKeyRow, permission: GroupPermission, groupId: Uint): boolean {
  const list = key[permission];
  return list.some((id) => id === "0" || id === groupId);
}

/**
 * GroupsFacet._authorizeGroupWrite: write authority, then the group's existence (404), then the
 * group permission (403), in the contract's order.
 */
export async function requireGroupWrite(
  index: IndexReader,
  caller: Caller,
  groupId: Uint,
  permission: GroupPermission,
): Promise<void> {
  requireWrite(caller);
  await requireGroup(index, caller, groupId);
  if (isFull(caller) || (caller.usageKey !== null && hasGroupPermission(caller.usageKey, permission, groupId))) return;
  const e = GROUP_ERRORS[permission];
  throw forbidden(e.code, `this usage key may not ${e.what} in group ${groupId}`);
}
