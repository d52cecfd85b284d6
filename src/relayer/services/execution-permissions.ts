/**
 * Execution permission, decided from the indexed state with the same answers as the diamond's
 * views PermissionsFacet.canExecuteAction / canUseWalletInAction (contracts/libraries/LibAccess.sol
 * executionScope, groupPermitsAction, groupPermitsWallet, walletInAccount):
 *
 * - scope All: the master hash while it holds the account's authority (see below), the CURRENT
 *   admin's alias, or a usage key with 0 in executeInGroups; may run any non-zero cid and use any
 *   wallet registered to the account;
 * - scope Groups: another usage key; some group of its executeInGroups that belongs to the account
 *   permits the cid (explicitly, or the zero-hash wildcard for a cid registered to the account) and,
 *   for wallets, the same group lists the wallet or the zero address, and the wallet is registered to
 *   the account;
 * - scope None: unknown, removed or expired keys, a former admin's alias, the master hash of an
 *   unmanaged account whose admin is no longer the wallet that hash belongs to. cid 0 is never
 *   executable.
 *
 * Authority follows the current owner (LibAccess.masterHoldsAuthority): the master hash of a managed
 * account always executes; of an unmanaged account only while its admin is AccountRow.masterWallet
 * (the wallet it was created with or converted to, event MasterWalletSet). An unmanaged account
 * without a recorded master wallet (made before the contract recorded it) falls back to
 * `masterIsAdminAlias` (a self-service master, checked by its alias) and otherwise executes nothing.
 * The `masterIsAdminAlias` option is only a fallback for readers that do not carry that field.
 */
import { chainSecuredHash } from "../../core";
import type { AccountRow, Address, CredentialRows, Hash32, IndexReader, UsageKeyRow } from "../ports";
import { isExpired } from "./access";
import { ZERO_HASH } from "./values";

export type ExecScope = "None" | "All" | "Groups";

export interface ExecutionScope {
  scope: ExecScope;
  /** The account's master hash (ZERO_HASH when scope is None). */
  master: Hash32;
  /** The usage key's row for scope Groups, else null. */
  usageKey: UsageKeyRow | null;
}

export interface ExecutionPermissionOptions {
  /** Unix seconds compared with usage-key expirations (the contract uses block.timestamp). */
  now: () => number;
  /** Account.masterIsAdminAlias when known (see the module comment); default: false. */
  masterIsAdminAlias?: (master: Hash32) => Promise<boolean>;
}

const NONE: ExecutionScope = { scope: "None", master: ZERO_HASH, usageKey: null };

const lower = (s: string): string => s.toLowerCase();

/** The mirror of the diamond's execution views over an IndexReader. */
export class ExecutionPermissions {
  constructor(
    private readonly index: IndexReader,
    private readonly options: ExecutionPermissionOptions,
  ) {}

  /** LibAccess.executionScope, from one read of the index. */
  async scope(apiKeyHash: Hash32): Promise<ExecutionScope> {
    const hash = lower(apiKeyHash);
    // One read: the binding with its account and usage key row.
    return this.scopeOf(hash, await this.index.credential(hash));
  }

  /**
   * LibAccess.executionScope of `apiKeyHash` decided from its credential rows as
   * IndexReader.credential answered them (null: no active binding), without reading them again:
   * for a request that has just read them to authenticate its caller (docs/relayer-latency.md,
   * "Round trips of a pre-check"). Expiration is compared with `now()` at this call.
   */
  async scopeOf(apiKeyHash: Hash32, found: CredentialRows | null): Promise<ExecutionScope> {
    const hash = lower(apiKeyHash);
    if (found === null) return NONE;
    const { binding } = found;
    const master = binding.master;
    if (binding.kind === "AdminAlias" || binding.kind === "Master") {
      const account = found.account;
      if (account === null) return NONE;
      const isCurrentAdminAlias = chainSecuredHash(account.admin) === hash;
      if (binding.kind === "AdminAlias" && !isCurrentAdminAlias) return NONE;
      if (binding.kind === "Master" && !(await this.masterHoldsAuthority(account, isCurrentAdminAlias))) return NONE;
      return { scope: "All", master, usageKey: null };
    }
    if (binding.kind !== "UsageKey") return NONE;
    const key = found.usageKey;
    if (key === null || isExpired(key.expiration, this.options.now())) return NONE;
    if (key.executeInGroups.some((id) => id === "0")) return { scope: "All", master, usageKey: key };
    return { scope: "Groups", master, usageKey: key };
  }

  /** LibAccess.masterHoldsAuthority (see the module comment). */
  private async masterHoldsAuthority(account: AccountRow, masterIsCurrentAdminAlias: boolean): Promise<boolean> {
    if (account.managed) return true;
    const wallet = account.masterWallet ?? null;
    if (wallet !== null) return lower(wallet) === lower(account.admin);
    const masterIsAdminAlias =
      account.masterIsAdminAlias ??
      (this.options.masterIsAdminAlias ? await this.options.masterIsAdminAlias(account.master) : false);
    return masterIsAdminAlias && masterIsCurrentAdminAlias;
  }

  /**
   * PermissionsFacet.canExecuteAction. `credential`: the key's rows as IndexReader.credential
   * answered them for this request (see scopeOf); absent, they are read.
   */
  async canExecuteAction(apiKeyHash: Hash32, cidHash: Hash32, credential?: CredentialRows | null): Promise<boolean> {
    const cid = lower(cidHash);
    const s = credential === undefined ? await this.scope(apiKeyHash) : await this.scopeOf(apiKeyHash, credential);
    if (s.scope === "None" || BigInt(cid) === 0n) return false;
    if (s.scope === "All") return true;
    return this.someGroupPermits(s.master, s.usageKey?.executeInGroups ?? [], cid, null);
  }

  /** PermissionsFacet.canUseWalletInAction. */
  async canUseWalletInAction(apiKeyHash: Hash32, cidHash: Hash32, walletAddress: Address): Promise<boolean> {
    const cid = lower(cidHash);
    const wallet = lower(walletAddress);
    const s = await this.scope(apiKeyHash);
    if (s.scope === "None" || BigInt(cid) === 0n) return false;
    if (!(await this.walletInAccount(s.master, wallet))) return false;
    if (s.scope === "All") return true;
    return this.someGroupPermits(s.master, s.usageKey?.executeInGroups ?? [], cid, wallet);
  }

  /**
   * Whether some group of `groupIds` permits `cid` (LibAccess.groupPermitsAction) and, when a
   * wallet is given, the same group permits it (groupPermitsWallet): the loop of the contract's
   * views over executeInGroups, answered from one membership read for all the groups (flat in the
   * size of their lists; the CID wildcard's "registered to the group's account" test is in it).
   */
  private async someGroupPermits(master: Hash32, groupIds: readonly string[], cid: Hash32, wallet: Address | null): Promise<boolean> {
    const ids = groupIds.filter((id) => id !== "0");
    if (BigInt(cid) === 0n || ids.length === 0) return false;
    for (const g of await this.index.groupMembership(ids, cid, wallet)) {
      if (g.account !== master) continue;
      if (wallet !== null && !g.wallet && !g.anyWallet) continue;
      if (g.cid || g.anyCidRegistered) return true;
    }
    return false;
  }

  /** LibAccess.groupPermitsAction. */
  async groupPermitsAction(master: Hash32, groupId: string, cid: Hash32): Promise<boolean> {
    return this.someGroupPermits(master, [groupId], lower(cid), null);
  }

  /** LibAccess.groupPermitsWallet. */
  async groupPermitsWallet(groupId: string, wallet: Address): Promise<boolean> {
    if (groupId === "0") return false;
    const [g] = await this.index.groupMembership([groupId], null, lower(wallet));
    return g !== undefined && (g.wallet || g.anyWallet);
  }

  /** LibAccess.walletInAccount. */
  async walletInAccount(master: Hash32, wallet: Address): Promise<boolean> {
    if (BigInt(master) === 0n) return false;
    const row = await this.index.wallet(wallet);
    return row !== null && row.account === master;
  }
}
