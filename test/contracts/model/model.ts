/**
 * A small, pure TypeScript model of the AccountConfig diamond state that the property tests in
 * ../model.property.test.ts replay random command sequences against.
 *
 * It follows docs/contract-behaviour.md (and docs/contracts.md): identity bindings,
 * accounts, global group ids, registered actions, wallets (globally unique pkpId / derivation)
 * and usage keys with their permission arrays. Every write returns either success or the name
 * of the custom error the contract is documented to revert with, checking in the documented order.
 * Writes are all-or-nothing (a failing write leaves the model untouched), like a reverted tx.
 *
 * No ethers / hardhat imports: hashes are bigints, addresses lower-case hex strings. Whatever
 * needs hashing (admin aliases) is handed in by the caller.
 */
import {
  Kind,
  ZERO_ADDRESS,
  ok,
  fail,
  lower,
  copyPermissions,
  type KindValue,
  type ErrorName,
  type Result,
  type UsageKeyPermissions,
  type Binding,
  type ModelAccount,
  type ModelGroup,
  type ModelWallet,
  type Authorised,
  type GroupIds,
  type ExecScope,
} from "./types";

export class AccountConfigModel {
  /** Addresses with api-payer-or-owner authority (lower-case). */
  readonly privileged: ReadonlySet<string>;
  /**
   * The timestamp the next transaction / call is evaluated at. The runner sets it from the latest
   * block before each step; tests keep expirations far from it so the exact value never matters.
   */
  now = 0n;
  bindings = new Map<bigint, Binding>();
  accounts = new Map<bigint, ModelAccount>();
  /** Existing groups only (a removed group is deleted; ids are never reused). */
  groups = new Map<bigint, ModelGroup>();
  /** Last group id handed out (0 = none yet). */
  lastGroupId = 0n;
  wallets = new Map<string, ModelWallet>();
  /** derivation -> wallet */
  derivations = new Map<bigint, string>();
  /** Active usage keys only. */
  usageKeys = new Map<bigint, UsageKeyPermissions>();

  constructor(privileged: Iterable<string>) {
    this.privileged = new Set([...privileged].map(lower));
  }

  /** A deep copy (used to make every write all-or-nothing). */
  clone(): AccountConfigModel {
    const c = new AccountConfigModel(this.privileged);
    c.now = this.now;
    c.lastGroupId = this.lastGroupId;
    for (const [h, b] of this.bindings) c.bindings.set(h, { ...b });
    for (const [h, a] of this.accounts) {
      c.accounts.set(h, {
        ...a,
        groups: new Set(a.groups),
        actions: new Set(a.actions),
        wallets: new Set(a.wallets),
        usageKeys: new Set(a.usageKeys),
      });
    }
    for (const [id, g] of this.groups) c.groups.set(id, { ...g, cids: new Set(g.cids), wallets: new Set(g.wallets) });
    for (const [w, v] of this.wallets) c.wallets.set(w, { ...v });
    for (const [d, w] of this.derivations) c.derivations.set(d, w);
    for (const [h, p] of this.usageKeys) c.usageKeys.set(h, copyPermissions(p));
    return c;
  }

  /** Run `op` on a copy and adopt the copy only when it succeeds. */
  private atomically<T>(op: (m: AccountConfigModel) => Result<T>): Result<T> {
    const next = this.clone();
    const result = op(next);
    if (result.ok) this.adopt(next);
    return result;
  }

  private adopt(o: AccountConfigModel): void {
    this.now = o.now;
    this.bindings = o.bindings;
    this.accounts = o.accounts;
    this.groups = o.groups;
    this.lastGroupId = o.lastGroupId;
    this.wallets = o.wallets;
    this.derivations = o.derivations;
    this.usageKeys = o.usageKeys;
  }

  // ---------------------------------------------------------------- resolution and access

  /** resolveApiKeyHash: (master, kind); master 0 for None and RemovedUsageKey. */
  resolve(hash: bigint): { master: bigint; kind: KindValue } {
    const b = this.bindings.get(hash);
    if (!b) return { master: 0n, kind: Kind.None };
    if (b.kind === Kind.RemovedUsageKey) return { master: 0n, kind: b.kind };
    return { master: b.master, kind: b.kind };
  }

  isExpired(expiration: bigint): boolean {
    return expiration !== 0n && expiration <= this.now;
  }

  isPrivileged(sender: string): boolean {
    return this.privileged.has(lower(sender));
  }

  /** LibAccess.authorizeWrite, checks 1-4 of docs "Who may write". */
  authorizeWrite(hash: bigint, sender: string): Result<Authorised> {
    const { master, kind } = this.resolve(hash);
    if (master === 0n) return fail("AccountDoesNotExist");
    const account = this.requireAccountRecord(master);
    if (account.managed) {
      if (!this.isPrivileged(sender)) return fail("OnlyApiPayerOrOwner");
    } else if (lower(sender) !== account.admin) {
      return fail("NoAccountAccess");
    }
    if (kind === Kind.UsageKey) {
      const key = this.usageKeys.get(hash);
      if (!key) throw new Error(`model: usage key ${hash} bound but has no record`);
      if (this.isExpired(key.expiration)) return fail("UsageApiKeyExpired");
      return ok({ master, full: false });
    }
    return ok({ master, full: true });
  }

  /** authorizeWrite plus check 5 (master-only writes). */
  authorizeMasterWrite(hash: bigint, sender: string): Result<bigint> {
    const auth = this.authorizeWrite(hash, sender);
    if (!auth.ok) return auth;
    if (!auth.value.full) return fail("NotMasterAccount");
    return ok(auth.value.master);
  }

  /** Whether usage key `hash` lists `groupId` (or the 0 wildcard) in the given array. */
  private keyHasGroup(hash: bigint, groupId: bigint, field: "manageIPFSIdsInGroups" | "addPkpToGroups" | "removePkpFromGroups" | "executeInGroups"): boolean {
    const key = this.usageKeys.get(hash);
    if (!key) return false;
    return key[field].includes(0n) || key[field].includes(groupId);
  }

  /** The group if it exists and belongs to `master`. */
  groupOf(master: bigint, groupId: bigint): ModelGroup | undefined {
    const g = this.groups.get(groupId);
    return g && g.account === master ? g : undefined;
  }

  private requireAccountRecord(master: bigint): ModelAccount {
    const a = this.accounts.get(master);
    if (!a) throw new Error(`model: binding to unknown account ${master}`);
    return a;
  }

  /** Authorisation of group-scoped writes: authorizeWrite, group existence, then the group permission. */
  private authorizeGroupWrite(
    hash: bigint,
    sender: string,
    groupId: bigint,
    field: "manageIPFSIdsInGroups" | "addPkpToGroups" | "removePkpFromGroups",
    denied: ErrorName,
  ): Result<{ master: bigint; full: boolean; group: ModelGroup }> {
    const auth = this.authorizeWrite(hash, sender);
    if (!auth.ok) return auth;
    const group = this.groupOf(auth.value.master, groupId);
    if (!group) return fail("GroupDoesNotExist");
    if (!auth.value.full && !this.keyHasGroup(hash, groupId, field)) return fail(denied);
    return ok({ master: auth.value.master, full: auth.value.full, group });
  }

  // ---------------------------------------------------------------- accounts

  /**
   * newAccount / newChainSecuredAccount as called by a privileged sender (or the self-service path).
   * `adminAlias` must be keccak256(abi.encodePacked(admin)).
   */
  newAccount(sender: string, hash: bigint, managed: boolean, admin: string, adminAlias: bigint): Result {
    return this.atomically((m) => {
      const ownAccount = !managed && lower(admin) === lower(sender) && hash === adminAlias;
      if (!ownAccount && !m.isPrivileged(sender)) return fail("OnlyApiPayerOrOwner");
      // A wallet creating its own account takes its alias back from a squatting usage key.
      if (ownAccount) m.releaseSquat(hash);
      if (hash === 0n) return fail("InvalidRequest");
      if (lower(admin) === ZERO_ADDRESS) return fail("InvalidRequest");
      if (!m.isFreeForAccount(hash)) return fail("AccountAlreadyExists");
      m.bindings.set(hash, { master: hash, kind: Kind.Master });
      m.accounts.set(hash, {
        master: hash,
        managed,
        admin: lower(admin),
        adminAlias,
        masterIsAdminAlias: false,
        masterWallet: managed ? null : lower(admin),
        groups: new Set(),
        actions: new Set(),
        wallets: new Set(),
        usageKeys: new Set(),
      });
      if (!managed) return m.bindAdminAlias(hash, adminAlias, true);
      return ok(null);
    });
  }

  /**
   * Bind the admin alias to `master`; a bound alias is AccountAlreadyExists. On creation and
   * conversion an alias equal to the master needs no binding (`masterIsAlias`); on a transfer it is
   * refused like any bound hash, so a self-service account can never return to its creator.
   */
  private bindAdminAlias(master: bigint, aliasHash: bigint, masterIsAlias: boolean): Result {
    if (aliasHash === master && masterIsAlias) {
      this.requireAccountRecord(master).masterIsAdminAlias = true;
      return ok(null);
    }
    if (!this.isFreeForAccount(aliasHash)) return fail("AccountAlreadyExists");
    this.bindings.set(aliasHash, { master, kind: Kind.AdminAlias });
    return ok(null);
  }

  /** Never bound, or a wallet alias reclaimed by its wallet (a RemovedUsageKey tombstone of no account). */
  isFreeForAccount(hash: bigint): boolean {
    const b = this.bindings.get(hash);
    return !b || (b.kind === Kind.RemovedUsageKey && b.master === 0n);
  }

  /**
   * LibAccounts.releaseSquat: a usage key (or a removed usage key's tombstone) bound to a wallet's
   * alias is dropped and the hash reserved for the wallet (tombstone of no account). Returns the
   * account that held it, or 0n.
   */
  private releaseSquat(aliasHash: bigint): bigint {
    const b = this.bindings.get(aliasHash);
    if (!b || (b.kind !== Kind.UsageKey && b.kind !== Kind.RemovedUsageKey) || b.master === 0n) return 0n;
    const previous = b.master;
    if (b.kind === Kind.UsageKey) {
      this.usageKeys.delete(aliasHash);
      this.requireAccountRecord(previous).usageKeys.delete(aliasHash);
    }
    this.bindings.set(aliasHash, { master: 0n, kind: Kind.RemovedUsageKey });
    return previous;
  }

  /** reclaimAddressAlias by `sender` (whose alias is `aliasHash`). */
  reclaimAddressAlias(aliasHash: bigint): Result {
    return this.atomically((m) => {
      const b = m.bindings.get(aliasHash);
      if (b && (b.kind === Kind.Master || b.kind === Kind.AdminAlias)) return fail("AccountAlreadyExists");
      m.releaseSquat(aliasHash);
      m.bindings.set(aliasHash, { master: 0n, kind: Kind.RemovedUsageKey });
      return ok(null);
    });
  }

  convertToChainSecuredAccount(sender: string, hash: bigint, newAdmin: string, newAlias: bigint): Result {
    return this.atomically((m) => {
      if (!m.isPrivileged(sender)) return fail("OnlyApiPayerOrOwner");
      if (lower(newAdmin) === ZERO_ADDRESS) return fail("InvalidRequest");
      const { master, kind } = m.resolve(hash);
      if (master === 0n) return fail("AccountDoesNotExist");
      if (kind !== Kind.Master) return fail("NotMasterAccount");
      const account = m.requireAccountRecord(master);
      if (!account.managed) return fail("InvalidRequest");
      account.managed = false;
      account.admin = lower(newAdmin);
      account.adminAlias = newAlias;
      account.masterWallet = lower(newAdmin);
      return m.bindAdminAlias(master, newAlias, true);
    });
  }

  transferChainSecuredAccountOwnership(sender: string, hash: bigint, newAdmin: string, newAlias: bigint): Result {
    return this.atomically((m) => {
      if (lower(newAdmin) === ZERO_ADDRESS) return fail("InvalidRequest");
      const { master } = m.resolve(hash);
      if (master === 0n) return fail("AccountDoesNotExist");
      const account = m.requireAccountRecord(master);
      if (account.managed) return fail("InvalidRequest");
      if (lower(sender) !== account.admin) return fail("NoAccountAccess");
      if (lower(newAdmin) === account.admin) return fail("InvalidRequest");
      account.admin = lower(newAdmin);
      account.adminAlias = newAlias;
      return m.bindAdminAlias(master, newAlias, false);
    });
  }

  // ---------------------------------------------------------------- actions and wallets

  addAction(sender: string, hash: bigint, cid: bigint): Result {
    return this.atomically((m) => {
      const auth = m.authorizeMasterWrite(hash, sender);
      if (!auth.ok) return auth;
      if (cid === 0n) return fail("InvalidRequest");
      m.requireAccountRecord(auth.value).actions.add(cid);
      return ok(null);
    });
  }

  removeAction(sender: string, hash: bigint, cid: bigint): Result {
    return this.atomically((m) => {
      const auth = m.authorizeMasterWrite(hash, sender);
      if (!auth.ok) return auth;
      const account = m.requireAccountRecord(auth.value);
      if (!account.actions.delete(cid)) return fail("ActionDoesNotExist");
      for (const id of account.groups) m.groups.get(id)?.cids.delete(cid);
      return ok(null);
    });
  }

  registerWalletDerivation(sender: string, hash: bigint, wallet: string, derivation: bigint, nameBytes = 1): Result {
    return this.atomically((m) => {
      const auth = m.authorizeWrite(hash, sender);
      if (!auth.ok) return auth;
      if (!auth.value.full && !m.usageKeys.get(hash)?.createPKPs) return fail("NotAllowedToCreatePkp");
      const w = lower(wallet);
      if (w === ZERO_ADDRESS) return fail("InvalidRequest");
      if (derivation === 0n) return fail("InvalidRequest");
      if (nameBytes > 128) return fail("InvalidRequest");
      if (m.wallets.has(w)) return fail("WalletAlreadyRegistered");
      if (m.derivations.has(derivation)) return fail("DerivationAlreadyRegistered");
      m.wallets.set(w, { account: auth.value.master, derivation });
      m.derivations.set(derivation, w);
      m.requireAccountRecord(auth.value.master).wallets.add(w);
      return ok(null);
    });
  }

  // ---------------------------------------------------------------- groups

  /**
   * Add the addGroup/updateGroup lists to a group: a cid the account has not registered is registered
   * when the caller has full rights and refused (NotMasterAccount) for a usage key; wallets must be
   * registered.
   */
  private addLists(master: bigint, full: boolean, group: ModelGroup, cids: readonly bigint[], wallets: readonly string[]): Result {
    if (cids.length > 10 || wallets.length > 10) return fail("InvalidRequest");
    const account = this.requireAccountRecord(master);
    for (const cid of cids) {
      if (cid !== 0n && !account.actions.has(cid)) {
        if (!full) return fail("NotMasterAccount");
        account.actions.add(cid);
      }
      group.cids.add(cid);
    }
    for (const raw of wallets) {
      const w = lower(raw);
      if (w !== ZERO_ADDRESS && !account.wallets.has(w)) return fail("PkpDoesNotExist");
      group.wallets.add(w);
    }
    return ok(null);
  }

  /** addGroup; on success the value is the new (global) group id. */
  addGroup(sender: string, hash: bigint, cids: readonly bigint[], wallets: readonly string[], nameBytes = 1): Result<bigint> {
    return this.atomically((m) => {
      const auth = m.authorizeWrite(hash, sender);
      if (!auth.ok) return auth;
      if (!auth.value.full && !m.usageKeys.get(hash)?.createGroups) return fail("NotAllowedToCreateGroup");
      if (nameBytes > 128) return fail("InvalidRequest");
      const id = ++m.lastGroupId;
      const group: ModelGroup = { id, account: auth.value.master, cids: new Set(), wallets: new Set() };
      m.groups.set(id, group);
      m.requireAccountRecord(auth.value.master).groups.add(id);
      const added = m.addLists(auth.value.master, auth.value.full, group, cids, wallets);
      return added.ok ? ok(id) : added;
    });
  }

  updateGroup(sender: string, hash: bigint, groupId: bigint, cids: readonly bigint[], wallets: readonly string[]): Result {
    return this.atomically((m) => {
      const auth = m.authorizeMasterWrite(hash, sender);
      if (!auth.ok) return auth;
      const group = m.groupOf(auth.value, groupId);
      if (!group) return fail("GroupDoesNotExist");
      group.cids.clear();
      group.wallets.clear();
      return m.addLists(auth.value, true, group, cids, wallets);
    });
  }

  removeGroup(sender: string, hash: bigint, groupId: bigint): Result {
    return this.atomically((m) => {
      const auth = m.authorizeWrite(hash, sender);
      if (!auth.ok) return auth;
      if (!auth.value.full && !m.usageKeys.get(hash)?.deleteGroups) return fail("NotAllowedToDeleteGroup");
      if (!m.groupOf(auth.value.master, groupId)) return fail("GroupDoesNotExist");
      m.groups.delete(groupId);
      m.requireAccountRecord(auth.value.master).groups.delete(groupId);
      return ok(null);
    });
  }

  addActionToGroup(sender: string, hash: bigint, groupId: bigint, cid: bigint): Result {
    return this.atomically((m) => {
      const auth = m.authorizeGroupWrite(hash, sender, groupId, "manageIPFSIdsInGroups", "NotAllowedToManageIPFSIdsInGroup");
      if (!auth.ok) return auth;
      const actions = m.requireAccountRecord(auth.value.master).actions;
      if (cid !== 0n && !actions.has(cid)) {
        if (!auth.value.full) return fail("NotMasterAccount"); // only the master makes code runnable
        actions.add(cid);
      }
      auth.value.group.cids.add(cid);
      return ok(null);
    });
  }

  removeActionFromGroup(sender: string, hash: bigint, groupId: bigint, cid: bigint): Result {
    return this.atomically((m) => {
      const auth = m.authorizeGroupWrite(hash, sender, groupId, "manageIPFSIdsInGroups", "NotAllowedToManageIPFSIdsInGroup");
      if (!auth.ok) return auth;
      if (!auth.value.group.cids.delete(cid)) return fail("ActionDoesNotExist");
      return ok(null);
    });
  }

  addPkpToGroup(sender: string, hash: bigint, groupId: bigint, wallet: string): Result {
    return this.atomically((m) => {
      const auth = m.authorizeGroupWrite(hash, sender, groupId, "addPkpToGroups", "NotAllowedToAddPkpToGroup");
      if (!auth.ok) return auth;
      const w = lower(wallet);
      if (w !== ZERO_ADDRESS && !m.requireAccountRecord(auth.value.master).wallets.has(w)) return fail("PkpDoesNotExist");
      auth.value.group.wallets.add(w);
      return ok(null);
    });
  }

  removePkpFromGroup(sender: string, hash: bigint, groupId: bigint, wallet: string): Result {
    return this.atomically((m) => {
      const auth = m.authorizeGroupWrite(hash, sender, groupId, "removePkpFromGroups", "NotAllowedToRemovePkpFromGroup");
      if (!auth.ok) return auth;
      if (!auth.value.group.wallets.delete(lower(wallet))) return fail("PkpDoesNotExist");
      return ok(null);
    });
  }

  // ---------------------------------------------------------------- usage keys

  setUsageApiKey(sender: string, hash: bigint, usageHash: bigint, p: UsageKeyPermissions): Result {
    return this.atomically((m) => {
      const auth = m.authorizeMasterWrite(hash, sender);
      if (!auth.ok) return auth;
      const master = auth.value;
      if (usageHash === 0n) return fail("InvalidRequest");
      const binding = m.bindings.get(usageHash);
      if (binding) {
        const reusable = binding.kind === Kind.UsageKey || binding.kind === Kind.RemovedUsageKey;
        if (binding.master !== master || !reusable) return fail("AccountAlreadyExists");
      }
      for (const ids of [p.manageIPFSIdsInGroups, p.addPkpToGroups, p.removePkpFromGroups, p.executeInGroups]) {
        if (ids.length > 50) return fail("InvalidRequest");
        if (new Set(ids).size !== ids.length) return fail("InvalidRequest");
      }
      m.bindings.set(usageHash, { master, kind: Kind.UsageKey });
      m.usageKeys.set(usageHash, copyPermissions(p));
      m.requireAccountRecord(master).usageKeys.add(usageHash);
      return ok(null);
    });
  }

  removeUsageApiKey(sender: string, hash: bigint, usageHash: bigint): Result {
    return this.atomically((m) => {
      const auth = m.authorizeMasterWrite(hash, sender);
      if (!auth.ok) return auth;
      const binding = m.bindings.get(usageHash);
      if (!binding || binding.kind !== Kind.UsageKey || binding.master !== auth.value) return fail("UsageApiKeyDoesNotExist");
      // The tombstone keeps its owner: only the same account may set the hash again.
      binding.kind = Kind.RemovedUsageKey;
      m.usageKeys.delete(usageHash);
      m.requireAccountRecord(auth.value).usageKeys.delete(usageHash);
      return ok(null);
    });
  }

  // ---------------------------------------------------------------- permission views

  /** LibAccess.executionScope. */
  executionScope(hash: bigint): ExecScope {
    const { master, kind } = this.resolve(hash);
    if (master === 0n) return { scope: "None" };
    // Only the current admin's alias executes; a former admin's alias stays bound without rights.
    // A master that is a wallet's alias (self-service account) follows the same rule.
    if (kind === Kind.AdminAlias) {
      return this.requireAccountRecord(master).adminAlias === hash ? { scope: "All", master } : { scope: "None" };
    }
    if (kind === Kind.Master) {
      // Authority follows the current owner: an unmanaged account's master executes only while its
      // admin is the wallet the master hash belongs to (every model account records it).
      const account = this.requireAccountRecord(master);
      return account.managed || account.masterWallet === account.admin ? { scope: "All", master } : { scope: "None" };
    }
    const key = this.usageKeys.get(hash);
    if (!key || this.isExpired(key.expiration)) return { scope: "None" };
    if (key.executeInGroups.includes(0n)) return { scope: "All", master };
    return { scope: "Groups", master };
  }

  /** A group of `master` that permits `cid` explicitly, or by the 0 wildcard when `cid` is registered. */
  groupPermitsAction(master: bigint, groupId: bigint, cid: bigint): boolean {
    if (cid === 0n) return false;
    const group = this.groupOf(master, groupId);
    if (!group) return false;
    if (group.cids.has(cid)) return true;
    return group.cids.has(0n) && this.requireAccountRecord(master).actions.has(cid);
  }

  groupPermitsWallet(groupId: bigint, wallet: string): boolean {
    const group = this.groups.get(groupId);
    return !!group && (group.wallets.has(lower(wallet)) || group.wallets.has(ZERO_ADDRESS));
  }

  walletInAccount(master: bigint, wallet: string): boolean {
    return master !== 0n && this.wallets.get(lower(wallet))?.account === master;
  }

  canExecuteAction(hash: bigint, cid: bigint): boolean {
    const s = this.executionScope(hash);
    if (s.scope === "None" || cid === 0n) return false;
    if (s.scope === "All") return true;
    return this.usageKeys.get(hash)!.executeInGroups.some((id) => this.groupPermitsAction(s.master, id, cid));
  }

  canUseWalletInAction(hash: bigint, cid: bigint, wallet: string): boolean {
    const s = this.executionScope(hash);
    if (s.scope === "None" || cid === 0n) return false;
    if (!this.walletInAccount(s.master, wallet)) return false;
    if (s.scope === "All") return true;
    return this.usageKeys
      .get(hash)!
      .executeInGroups.some((id) => this.groupPermitsAction(s.master, id, cid) && this.groupPermitsWallet(id, wallet));
  }

  /**
   * groupIdsForAction / groupIdsForActionAndWallet (pass `wallet` for the latter), without
   * duplicates. Scope Groups: in executeInGroups order (`order: "exact"`). Scope All: the groups
   * listing the cid explicitly first, then those permitting it only by the wildcard; within each
   * part the order is the contract's set order, so only the split is fixed (`order: "partition"`,
   * the first `explicitCount` ids are the explicit ones).
   */
  groupIdsForAction(hash: bigint, cid: bigint, wallet?: string): GroupIds {
    const none: GroupIds = { ids: [], order: "exact", explicitCount: 0 };
    const s = this.executionScope(hash);
    if (s.scope === "None" || cid === 0n) return none;
    if (wallet !== undefined && !this.walletInAccount(s.master, wallet)) return none;
    const permits = (id: bigint) =>
      this.groupPermitsAction(s.master, id, cid) && (wallet === undefined || this.groupPermitsWallet(id, wallet));
    if (s.scope === "Groups") {
      const ids = this.usageKeys.get(hash)!.executeInGroups.filter(permits);
      return { ids, order: "exact", explicitCount: ids.length };
    }
    const all = [...this.requireAccountRecord(s.master).groups].filter(permits);
    const explicit = all.filter((id) => this.groups.get(id)!.cids.has(cid));
    const wildcardOnly = all.filter((id) => !this.groups.get(id)!.cids.has(cid));
    return { ids: [...explicit, ...wildcardOnly], order: "partition", explicitCount: explicit.length };
  }

  /** accountExistsAndIsMutable as `sender` asks it: the hash resolves and `sender` may write the account. */
  accountExistsAndIsMutable(hash: bigint, sender: string): boolean {
    const { master } = this.resolve(hash);
    if (master === 0n) return false;
    const account = this.requireAccountRecord(master);
    return account.managed ? this.isPrivileged(sender) : account.admin === lower(sender);
  }

  /** apiKeyCanExecuteForAnyGroup. */
  apiKeyCanExecuteForAnyGroup(hash: bigint, groupIds: readonly bigint[]): boolean {
    const s = this.executionScope(hash);
    if (s.scope === "None") return false;
    return groupIds.some((id) => {
      if (!this.groupOf(s.master, id)) return false;
      return s.scope === "All" || this.keyHasGroup(hash, id, "executeInGroups");
    });
  }
}
