/**
 * The read side: the rows the indexer rebuilt from the diamond's events, the IndexReader services
 * read them through, and how fresh those answers are (FreshIndex and its errors).
 */
import type { Address, Hash32, Page, Uint } from "./values";
import { ChainUnavailableError } from "./writer";

export type HashKind = "Master" | "UsageKey" | "AdminAlias" | "RemovedUsageKey";

export interface BindingRow {
  hash: Hash32;
  master: Hash32;
  kind: HashKind;
}

export interface AccountRow {
  master: Hash32;
  managed: boolean;
  admin: Address;
  name: string;
  description: string;
  /**
   * The master hash is keccak256(abi.encodePacked(wallet)) of the wallet that created (or was
   * converted to) the account (contract: Account.masterIsAdminAlias): it executes only while that
   * wallet is the admin. Absent means false.
   */
  masterIsAdminAlias?: boolean;
  /**
   * The wallet the master hash belongs to (contract: Account.masterWallet, event MasterWalletSet):
   * the admin an unmanaged account was created with, or the wallet it was converted to. The master
   * hash of an unmanaged account executes only while this wallet is the admin. Null (or absent) for
   * managed accounts and for unmanaged accounts made before the contract recorded it.
   */
  masterWallet?: Address | null;
}

/** A group without its lists (what list_groups answers). */
export interface GroupSummary {
  id: Uint;
  account: Hash32;
  name: string;
  description: string;
}

export interface GroupRow {
  id: Uint;
  account: Hash32;
  name: string;
  description: string;
  /** cid hashes; "0x00..00" (zero) is the all-actions wildcard */
  cids: Hash32[];
  /** wallets; the zero address is the all-wallets wildcard */
  wallets: Address[];
}

export interface ActionRow {
  account: Hash32;
  cid: Hash32;
  name: string;
  description: string;
}

export interface WalletRow {
  pkp: Address;
  account: Hash32;
  derivation: Uint;
  name: string;
  description: string;
}

export interface UsageKeyRow {
  hash: Hash32;
  account: Hash32;
  name: string;
  description: string;
  expiration: Uint;
  balance: Uint;
  createGroups: boolean;
  deleteGroups: boolean;
  createPKPs: boolean;
  manageIPFSIdsInGroups: Uint[];
  addPkpToGroups: Uint[];
  removePkpFromGroups: Uint[];
  executeInGroups: Uint[];
}

/**
 * What a credential hash stands for, in one read (IndexReader.credential): its active binding, the
 * account the binding names and, for a usage key, the key's row.
 */
export interface CredentialRows {
  binding: BindingRow;
  /** The binding's account; null when the index holds none. */
  account: AccountRow | null;
  /** The usage key's row when the binding is a UsageKey one (null when missing), else null. */
  usageKey: UsageKeyRow | null;
}

/** Read side: the state the indexer rebuilt from the diamond's events. */
export interface IndexReader {
  /**
   * resolve(hash), then account(binding.master) and, for a UsageKey binding, usageKey(hash), as one
   * read (one round trip on Postgres: every authenticated request starts with it); null when the
   * hash has no active binding.
   */
  credential(hash: Hash32): Promise<CredentialRows | null>;
  /** The active binding of a hash (Master, UsageKey or AdminAlias); null when unbound or removed. */
  resolve(hash: Hash32): Promise<BindingRow | null>;
  /** Any binding including RemovedUsageKey tombstones; null when never bound. */
  binding(hash: Hash32): Promise<BindingRow | null>;
  account(master: Hash32): Promise<AccountRow | null>;
  usageKey(hash: Hash32): Promise<UsageKeyRow | null>;
  group(id: Uint): Promise<GroupRow | null>;
  wallet(pkp: Address): Promise<WalletRow | null>;
  walletByDerivation(derivation: Uint): Promise<WalletRow | null>;
  action(account: Hash32, cid: Hash32): Promise<ActionRow | null>;
  /** Lists in the same order as the contract's list* views would page them is NOT required; stable order by creation. */
  listGroups(account: Hash32, page: Page): Promise<GroupSummary[]>;
  listActions(account: Hash32, page: Page): Promise<ActionRow[]>;
  listWallets(account: Hash32, page: Page): Promise<WalletRow[]>;
  listUsageKeys(account: Hash32, page: Page): Promise<UsageKeyRow[]>;
  /**
   * A page of a group's action list as listActionsInGroup pages it (the wildcard 0 with empty
   * metadata; `account` names the metadata to join); null when the group does not exist or is not
   * `account`'s (LibAccess.requireGroup), checked in the same read.
   */
  listActionsInGroup(account: Hash32, groupId: Uint, page: Page): Promise<ActionRow[] | null>;
  /**
   * A page of a group's wallet list as listWalletsInGroup pages it (the wildcard address(0) with
   * derivation 0); null when the group does not exist or is not `account`'s, checked in the same read.
   */
  listWalletsInGroup(account: Hash32, groupId: Uint, page: Page): Promise<WalletRow[] | null>;
  /** The account a group belongs to, or null (no such group); reads none of its lists. */
  groupAccount(id: Uint): Promise<Hash32 | null>;
  /**
   * For each group of `ids` that exists and lists something asked about (`cid`, `wallet` or their
   * wildcards, the zero hash / zero address): its account and which of them it lists, and whether
   * its CID wildcard admits `cid` (an action of the group's account). A group that lists none of
   * them is left out (as if every flag were false). A null `cid` / `wallet` is not asked about: its
   * flags are false; with neither, the answer is empty. A membership test per group, flat in the size of its lists (the
   * permission pre-checks).
   */
  groupMembership(ids: readonly Uint[], cid: Hash32 | null, wallet: Address | null): Promise<GroupMembership[]>;
  /** Highest block whose events are fully applied. */
  indexedBlock(): Promise<number>;
}

/**
 * The index as of the chain head (docs/finality.md, "Answers that follow the chain"): services
 * call `ensureFresh` before an answer that depends on state a wallet can change on-chain without
 * the relayer (ChainSecured account existence and admin, wallet registrations, groups and keys
 * written by the admin). Implemented by chain/fresh-index.ts.
 */
export interface FreshIndex {
  /**
   * Resolves once the index holds every block up to the chain head as read at (or after) this
   * call. Rejects with StaleIndexError when the head cannot be read or the index does not reach it
   * within the configured bound (FRESH_READ_TIMEOUT_MS).
   */
  ensureFresh(): Promise<void>;
}

/** A FreshIndex that never waits: the index is taken as current (in-memory indexes, FRESH_READS=off). */
export const INDEX_AS_IS: FreshIndex = { ensureFresh: async () => undefined };

/**
 * The index could not be brought to the chain head in time: an answer from it could be a 404 or a
 * grant the chain no longer supports, so none is given (503 IndexBehindHead with Retry-After).
 */
export class StaleIndexError extends Error {
  constructor(
    message: string,
    /** The head the index had to reach (null: the head could not be read). */
    readonly headBlock: number | null,
    /** The last block the index had applied. */
    readonly indexedBlock: number,
    /** Seconds after which a retry may succeed. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = "StaleIndexError";
  }
}

/**
 * The index cannot be trusted now: a reorg deeper than REORG_WINDOW stopped the indexer
 * (docs/finality.md). Reads are refused (503 IndexUnavailable) until the index is rebuilt.
 */
export class IndexUnavailableError extends ChainUnavailableError {
  constructor(readonly reason: string) {
    super(`the index is unavailable: ${reason}`, false);
    this.name = "IndexUnavailableError";
  }
}

/** One group's answer to IndexReader.groupMembership. */
export interface GroupMembership {
  id: Uint;
  account: Hash32;
  /** The group lists the asked CID. */
  cid: boolean;
  /** The group lists the CID wildcard (the zero hash). */
  anyCid: boolean;
  /**
   * The group lists the CID wildcard and the asked CID is an action of the group's account: what
   * the wildcard admits (LibAccess.groupPermitsAction), answered in the same read.
   */
  anyCidRegistered: boolean;
  /** The group lists the asked wallet. */
  wallet: boolean;
  /** The group lists the wallet wildcard (the zero address). */
  anyWallet: boolean;
}
