/**
 * The value types of the AccountConfig model (./model.ts): hash kinds, the custom errors a
 * modelled write may revert with, write results, and the modelled accounts, groups, wallets and
 * usage-key permissions. Follows docs/contract-behaviour.md (and docs/contracts.md).
 *
 * No ethers / hardhat imports: hashes are bigints, addresses lower-case hex strings.
 */

/** HashKind enum of the contract (resolveApiKeyHash). */
export const Kind = { None: 0, Master: 1, UsageKey: 2, AdminAlias: 3, RemovedUsageKey: 4 } as const;
export type KindValue = (typeof Kind)[keyof typeof Kind];

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** Names of the custom errors a modelled write may revert with. */
export type ErrorName =
  | "AccountAlreadyExists"
  | "AccountDoesNotExist"
  | "ActionDoesNotExist"
  | "DerivationAlreadyRegistered"
  | "GroupDoesNotExist"
  | "InvalidRequest"
  | "NoAccountAccess"
  | "NotAllowedToAddPkpToGroup"
  | "NotAllowedToCreateGroup"
  | "NotAllowedToCreatePkp"
  | "NotAllowedToDeleteGroup"
  | "NotAllowedToManageIPFSIdsInGroup"
  | "NotAllowedToRemovePkpFromGroup"
  | "NotMasterAccount"
  | "OnlyApiPayerOrOwner"
  | "PkpDoesNotExist"
  | "UsageApiKeyDoesNotExist"
  | "UsageApiKeyExpired"
  | "WalletAlreadyRegistered";

export type Result<T = null> = { ok: true; value: T } | { ok: false; error: ErrorName };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = null>(error: ErrorName): Result<T> => ({ ok: false, error });

/** The permission part of setUsageApiKey (same field names as the contract's tuple). */
export interface UsageKeyPermissions {
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

export interface Binding {
  master: bigint;
  kind: KindValue;
}

export interface ModelAccount {
  master: bigint;
  managed: boolean;
  /** lower-case address */
  admin: string;
  /** keccak256(abi.encodePacked(admin)): only the CURRENT admin's alias may execute */
  adminAlias: bigint;
  /** the master hash is the alias of the wallet that created / was converted to the account */
  masterIsAdminAlias: boolean;
  /**
   * lower-case wallet the master hash belongs to (unmanaged: created with / converted to); the master
   * executes only while it is the admin. null for managed accounts.
   */
  masterWallet: string | null;
  groups: Set<bigint>;
  actions: Set<bigint>;
  /** lower-case wallet addresses registered to the account */
  wallets: Set<string>;
  usageKeys: Set<bigint>;
}

export interface ModelGroup {
  id: bigint;
  account: bigint;
  /** cid hashes; 0n = every action registered to the account */
  cids: Set<bigint>;
  /** lower-case addresses; ZERO_ADDRESS = every wallet registered to the account */
  wallets: Set<string>;
}

export interface ModelWallet {
  account: bigint;
  derivation: bigint;
}

/** What a write authorisation yields: the account's master and whether the hash has full rights. */
export interface Authorised {
  master: bigint;
  full: boolean;
}

/** Expected result of groupIdsForAction(AndWallet); see AccountConfigModel.groupIdsForAction. */
export interface GroupIds {
  ids: bigint[];
  order: "exact" | "partition";
  explicitCount: number;
}

/** Execution scope of a hash (LibAccess.ExecScope). */
export type ExecScope = { scope: "None" } | { scope: "All"; master: bigint } | { scope: "Groups"; master: bigint };

export const lower = (address: string): string => address.toLowerCase();

export const copyPermissions = (p: UsageKeyPermissions): UsageKeyPermissions => ({
  ...p,
  manageIPFSIdsInGroups: [...p.manageIPFSIdsInGroups],
  addPkpToGroups: [...p.addPkpToGroups],
  removePkpFromGroups: [...p.removePkpFromGroups],
  executeInGroups: [...p.executeInGroups],
});
