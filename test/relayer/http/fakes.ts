/**
 * In-memory fakes of the relayer's ports for HTTP tests. FakeChain is both the Writer and the
 * IndexReader: a write is recorded, applied to the in-memory state (with the contract's main
 * reverts) and immediately visible to reads (read-your-writes). `failNext` makes the next write
 * reject with a given error (RevertError, ChainUnavailableError, ...). Permission rules are NOT
 * re-checked here: the services must refuse before a write reaches the Writer.
 */
import {
  type AccountRow,
  type ActionRow,
  type Address,
  type BindingRow,
  type CredentialRows,
  type DecodedEvent,
  type GroupMembership,
  type GroupRow,
  type Hash32,
  IdempotencyConflictError,
  type IndexReader,
  type Page,
  RevertError,
  type Uint,
  type UsageKeyRow,
  type WalletRow,
  type WriteReceipt,
  type WriteRequest,
  type Writer,
} from "../../../src/relayer/ports";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const ZERO_HASH = `0x${"0".repeat(64)}`;

const hex32 = (v: unknown): Hash32 => `0x${BigInt(String(v)).toString(16).padStart(64, "0")}`;
const uint = (v: unknown): Uint => BigInt(String(v)).toString();
const addr = (v: unknown): Address => String(v).toLowerCase();
const str = (v: unknown): string => String(v);

interface AccountState extends AccountRow {
  groups: Uint[];
  actions: Hash32[];
  wallets: Address[];
  usageKeys: Hash32[];
}

function paginate<T>(items: readonly T[], page: Page): T[] {
  if (page.pageSize < 1 || page.pageSize > 100)
    throw new RevertError("InvalidRequest", ["pageSize: must be between 1 and 100"]);
  const start = page.pageNumber * page.pageSize;
  return start >= items.length ? [] : items.slice(start, start + page.pageSize);
}

export class FakeChain implements IndexReader, Writer {
  readonly requests: WriteRequest[] = [];
  readonly bindings = new Map<Hash32, BindingRow>();
  readonly accounts = new Map<Hash32, AccountState>();
  readonly usageKeys = new Map<Hash32, UsageKeyRow>();
  readonly groups = new Map<Uint, GroupRow>();
  readonly wallets = new Map<Address, WalletRow>();
  readonly derivations = new Map<Uint, Address>();
  readonly actions = new Map<string, ActionRow>();
  private nextGroupId = 0n;
  private block = 1;
  private readonly failures: Error[] = [];
  private readonly idempotent = new Map<string, { request: string; receipt: WriteReceipt }>();
  /** Every read throws this when set (e.g. a database outage). */
  readError: Error | null = null;

  /** The next write rejects with `error` (queued: several calls fail several writes). */
  failNext(error: Error): void {
    this.failures.push(error);
  }

  /** Methods of the recorded writes, in order. */
  get methods(): string[] {
    return this.requests.map((r) => r.method);
  }

  // ------------------------------------------------------------------ Writer

  async write(request: WriteRequest): Promise<WriteReceipt> {
    this.requests.push(request);
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const idKey =
      request.idempotencyKey === undefined
        ? undefined
        : `${request.idempotencyScope ?? ""}\u0000${request.idempotencyKey}`;
    const serialised = JSON.stringify({ m: request.method, a: request.args });
    if (idKey !== undefined) {
      const previous = this.idempotent.get(idKey);
      if (previous !== undefined) {
        if (previous.request !== serialised) throw new IdempotencyConflictError();
        return previous.receipt;
      }
    }
    const events = this.apply(request.method, request.args);
    const receipt: WriteReceipt = {
      txHash: hex32(BigInt(this.block) * 7919n),
      blockNumber: this.block++,
      gasUsed: "21000",
      events,
    };
    if (idKey !== undefined) this.idempotent.set(idKey, { request: serialised, receipt });
    return receipt;
  }

  private master(hash: unknown): Hash32 {
    const b = this.bindings.get(hex32(hash));
    if (b === undefined || b.kind === "RemovedUsageKey") throw new RevertError("AccountDoesNotExist", [hex32(hash)]);
    return b.master;
  }

  private accountOf(hash: unknown): AccountState {
    const a = this.accounts.get(this.master(hash));
    if (a === undefined) throw new Error("fake: binding without account");
    return a;
  }

  private groupOf(hash: unknown, id: unknown): GroupRow {
    const g = this.groups.get(uint(id));
    if (g === undefined || g.account !== this.master(hash))
      throw new RevertError("GroupDoesNotExist", [hex32(hash), uint(id)]);
    return g;
  }

  private registerAction(account: AccountState, cid: Hash32): void {
    if (cid === ZERO_HASH || account.actions.includes(cid)) return;
    account.actions.push(cid);
    this.actions.set(`${account.master}:${cid}`, { account: account.master, cid, name: "", description: "" });
  }

  private apply(method: string, a: readonly unknown[]): DecodedEvent[] {
    switch (method) {
      case "newAccount": {
        const [h, managed, name, description, admin] = [hex32(a[0]), a[1] === true, str(a[2]), str(a[3]), addr(a[4])];
        if (this.bindings.has(h)) throw new RevertError("AccountAlreadyExists", [h]);
        this.bindings.set(h, { hash: h, master: h, kind: "Master" });
        this.accounts.set(h, {
          master: h,
          managed,
          admin,
          name,
          description,
          masterWallet: managed ? null : admin,
          groups: [],
          actions: [],
          wallets: [],
          usageKeys: [],
        });
        return [{ name: "AccountCreated", args: { apiKeyHash: h, admin, managed } }];
      }
      case "registerWalletDerivation": {
        const account = this.accountOf(a[0]);
        const [pkp, derivation] = [addr(a[1]), uint(a[2])];
        const existing = this.wallets.get(pkp);
        if (existing !== undefined) throw new RevertError("WalletAlreadyRegistered", [pkp, existing.account]);
        if (this.derivations.has(derivation)) throw new RevertError("DerivationAlreadyRegistered", [derivation]);
        this.wallets.set(pkp, { pkp, account: account.master, derivation, name: str(a[3]), description: str(a[4]) });
        this.derivations.set(derivation, pkp);
        account.wallets.push(pkp);
        return [
          {
            name: "WalletDerivationRegistered",
            args: { apiKeyHash: account.master, pkpId: pkp, derivationPath: derivation },
          },
        ];
      }
      case "setUsageApiKey": {
        const account = this.accountOf(a[0]);
        const key = hex32(a[1]);
        const bound = this.bindings.get(key);
        if (
          bound !== undefined &&
          (bound.master !== account.master || (bound.kind !== "UsageKey" && bound.kind !== "RemovedUsageKey"))
        ) {
          throw new RevertError("AccountAlreadyExists", [key]);
        }
        this.bindings.set(key, { hash: key, master: account.master, kind: "UsageKey" });
        const list = (v: unknown): Uint[] => (v as unknown[]).map(uint);
        this.usageKeys.set(key, {
          hash: key,
          account: account.master,
          expiration: uint(a[2]),
          balance: uint(a[3]),
          name: str(a[4]),
          description: str(a[5]),
          createGroups: a[6] === true,
          deleteGroups: a[7] === true,
          createPKPs: a[8] === true,
          manageIPFSIdsInGroups: list(a[9]),
          addPkpToGroups: list(a[10]),
          removePkpFromGroups: list(a[11]),
          executeInGroups: list(a[12]),
        });
        if (!account.usageKeys.includes(key)) account.usageKeys.push(key);
        return [{ name: "UsageApiKeySet", args: { accountApiKeyHash: account.master, usageApiKeyHash: key } }];
      }
      case "removeUsageApiKey":
      case "updateUsageApiKeyMetadata": {
        const account = this.accountOf(a[0]);
        const key = hex32(a[1]);
        const b = this.bindings.get(key);
        if (b?.kind !== "UsageKey" || b.master !== account.master)
          throw new RevertError("UsageApiKeyDoesNotExist", [hex32(a[0]), key]);
        if (method === "removeUsageApiKey") {
          this.bindings.set(key, { ...b, kind: "RemovedUsageKey" });
          this.usageKeys.delete(key);
          account.usageKeys = account.usageKeys.filter((k) => k !== key);
          return [{ name: "UsageApiKeyRemoved", args: { accountApiKeyHash: account.master, usageApiKeyHash: key } }];
        }
        const row = this.usageKeys.get(key);
        if (row !== undefined) Object.assign(row, { name: str(a[2]), description: str(a[3]) });
        return [{ name: "UsageApiKeyMetadataSet", args: { accountApiKeyHash: account.master, usageApiKeyHash: key } }];
      }
      case "addGroup": {
        const account = this.accountOf(a[0]);
        const id = (++this.nextGroupId).toString();
        const group: GroupRow = {
          id,
          account: account.master,
          name: str(a[1]),
          description: str(a[2]),
          cids: [],
          wallets: [],
        };
        this.groups.set(id, group);
        account.groups.push(id);
        this.fillGroup(account, group, a[3], a[4]);
        return [
          { name: "GroupAdded", args: { apiKeyHash: account.master, groupId: id } },
          {
            name: "GroupMetadataSet",
            args: { apiKeyHash: account.master, groupId: id, name: group.name, description: group.description },
          },
        ];
      }
      case "updateGroup": {
        const account = this.accountOf(a[0]);
        const group = this.groupOf(a[0], a[1]);
        Object.assign(group, { name: str(a[2]), description: str(a[3]), cids: [], wallets: [] });
        this.fillGroup(account, group, a[4], a[5]);
        return [{ name: "GroupUpdated", args: { accountApiKeyHash: account.master, groupId: group.id } }];
      }
      case "removeGroup": {
        const account = this.accountOf(a[0]);
        const group = this.groupOf(a[0], a[1]);
        this.groups.delete(group.id);
        account.groups = account.groups.filter((g) => g !== group.id);
        return [{ name: "GroupRemoved", args: { apiKeyHash: account.master, groupId: group.id } }];
      }
      case "addAction": {
        const account = this.accountOf(a[0]);
        const cid = hex32(a[3]);
        this.registerAction(account, cid);
        const row = this.actions.get(`${account.master}:${cid}`);
        if (row !== undefined) Object.assign(row, { name: str(a[1]), description: str(a[2]) });
        return [{ name: "ActionMetadataSet", args: { apiKeyHash: account.master, actionHash: cid } }];
      }
      case "removeAction": {
        const account = this.accountOf(a[0]);
        const cid = hex32(a[1]);
        if (!account.actions.includes(cid)) throw new RevertError("ActionDoesNotExist", [hex32(a[0]), "0", cid]);
        account.actions = account.actions.filter((c) => c !== cid);
        this.actions.delete(`${account.master}:${cid}`);
        for (const g of this.groups.values())
          if (g.account === account.master) g.cids = g.cids.filter((c) => c !== cid);
        return [{ name: "ActionRemoved", args: { accountApiKeyHash: account.master, actionHash: cid } }];
      }
      case "updateActionMetadata": {
        const account = this.accountOf(a[0]);
        const cid = hex32(a[1]);
        const row = this.actions.get(`${account.master}:${cid}`);
        if (row === undefined) throw new RevertError("ActionDoesNotExist", [hex32(a[0]), uint(a[2]), cid]);
        Object.assign(row, { name: str(a[3]), description: str(a[4]) });
        return [{ name: "ActionMetadataSet", args: { apiKeyHash: account.master, actionHash: cid } }];
      }
      case "addActionToGroup": {
        const account = this.accountOf(a[0]);
        const group = this.groupOf(a[0], a[1]);
        const cid = hex32(a[2]);
        this.registerAction(account, cid);
        if (!group.cids.includes(cid)) group.cids.push(cid);
        return [{ name: "ActionAddedToGroup", args: { apiKeyHash: account.master, groupId: group.id, action: cid } }];
      }
      case "removeActionFromGroup": {
        const group = this.groupOf(a[0], a[1]);
        const cid = hex32(a[2]);
        if (!group.cids.includes(cid)) throw new RevertError("ActionDoesNotExist", [hex32(a[0]), group.id, cid]);
        group.cids = group.cids.filter((c) => c !== cid);
        return [
          { name: "ActionRemovedFromGroup", args: { apiKeyHash: group.account, groupId: group.id, action: cid } },
        ];
      }
      case "addPkpToGroup": {
        const account = this.accountOf(a[0]);
        const group = this.groupOf(a[0], a[1]);
        const pkp = addr(a[2]);
        this.requireWallet(account, group, pkp, a[0]);
        if (!group.wallets.includes(pkp)) group.wallets.push(pkp);
        return [{ name: "PkpAddedToGroup", args: { apiKeyHash: account.master, groupId: group.id, pkpId: pkp } }];
      }
      case "removePkpFromGroup": {
        const group = this.groupOf(a[0], a[1]);
        const pkp = addr(a[2]);
        if (!group.wallets.includes(pkp)) throw new RevertError("PkpDoesNotExist", [hex32(a[0]), group.id, pkp]);
        group.wallets = group.wallets.filter((w) => w !== pkp);
        return [{ name: "PkpRemovedFromGroup", args: { apiKeyHash: group.account, groupId: group.id, pkpId: pkp } }];
      }
      default:
        throw new Error(`fake: unsupported method ${method}`);
    }
  }

  private requireWallet(account: AccountState, group: GroupRow, pkp: Address, hash: unknown): void {
    if (pkp !== ZERO_ADDRESS && this.wallets.get(pkp)?.account !== account.master) {
      throw new RevertError("PkpDoesNotExist", [hex32(hash), group.id, pkp]);
    }
  }

  private fillGroup(account: AccountState, group: GroupRow, cids: unknown, pkps: unknown): void {
    for (const c of cids as unknown[]) {
      const cid = hex32(c);
      this.registerAction(account, cid);
      if (!group.cids.includes(cid)) group.cids.push(cid);
    }
    for (const p of pkps as unknown[]) {
      const pkp = addr(p);
      this.requireWallet(account, group, pkp, account.master);
      if (!group.wallets.includes(pkp)) group.wallets.push(pkp);
    }
  }

  // ------------------------------------------------------------------ direct state for tests

  /** Creates an account without going through the Writer (e.g. a ChainSecured one). */
  seedAccount(master: Hash32, managed: boolean, admin: Address): void {
    this.bindings.set(master, { hash: master, master, kind: "Master" });
    this.accounts.set(master, {
      master,
      managed,
      admin,
      name: "seeded",
      description: "",
      masterWallet: managed ? null : admin,
      groups: [],
      actions: [],
      wallets: [],
      usageKeys: [],
    });
  }

  // ------------------------------------------------------------------ IndexReader

  private async read<T>(value: () => T): Promise<T> {
    if (this.readError !== null) throw this.readError;
    return value();
  }

  resolve(hash: Hash32): Promise<BindingRow | null> {
    return this.read(() => {
      const b = this.bindings.get(hash);
      return b === undefined || b.kind === "RemovedUsageKey" ? null : { ...b };
    });
  }

  binding(hash: Hash32): Promise<BindingRow | null> {
    return this.read(() => {
      const b = this.bindings.get(hash);
      return b === undefined ? null : { ...b };
    });
  }

  account(master: Hash32): Promise<AccountRow | null> {
    return this.read(() => {
      const a = this.accounts.get(master);
      return a === undefined
        ? null
        : {
            master: a.master,
            managed: a.managed,
            admin: a.admin,
            name: a.name,
            description: a.description,
            masterWallet: a.masterWallet ?? null,
          };
    });
  }

  async credential(hash: Hash32): Promise<CredentialRows | null> {
    const binding = await this.resolve(hash);
    if (binding === null) return null;
    const account = await this.account(binding.master);
    return { binding, account, usageKey: binding.kind === "UsageKey" ? await this.usageKey(hash) : null };
  }

  usageKey(hash: Hash32): Promise<UsageKeyRow | null> {
    return this.read(() => structuredClone(this.usageKeys.get(hash) ?? null));
  }

  group(id: Uint): Promise<GroupRow | null> {
    return this.read(() => structuredClone(this.groups.get(id) ?? null));
  }

  wallet(pkp: Address): Promise<WalletRow | null> {
    return this.read(() => structuredClone(this.wallets.get(pkp) ?? null));
  }

  walletByDerivation(derivation: Uint): Promise<WalletRow | null> {
    return this.read(() => {
      const pkp = this.derivations.get(derivation);
      return pkp === undefined ? null : structuredClone(this.wallets.get(pkp) ?? null);
    });
  }

  action(account: Hash32, cid: Hash32): Promise<ActionRow | null> {
    return this.read(() => structuredClone(this.actions.get(`${account}:${cid}`) ?? null));
  }

  listGroups(account: Hash32, page: Page): Promise<GroupRow[]> {
    return this.read(() =>
      paginate(this.accounts.get(account)?.groups ?? [], page).map((id) =>
        structuredClone(this.groups.get(id) as GroupRow),
      ),
    );
  }

  listActions(account: Hash32, page: Page): Promise<ActionRow[]> {
    return this.read(() =>
      paginate(this.accounts.get(account)?.actions ?? [], page).map((cid) =>
        structuredClone(this.actions.get(`${account}:${cid}`) as ActionRow),
      ),
    );
  }

  listWallets(account: Hash32, page: Page): Promise<WalletRow[]> {
    return this.read(() =>
      paginate(this.accounts.get(account)?.wallets ?? [], page).map((w) =>
        structuredClone(this.wallets.get(w) as WalletRow),
      ),
    );
  }

  listUsageKeys(account: Hash32, page: Page): Promise<UsageKeyRow[]> {
    return this.read(() =>
      paginate(this.accounts.get(account)?.usageKeys ?? [], page).map((k) =>
        structuredClone(this.usageKeys.get(k) as UsageKeyRow),
      ),
    );
  }

  listActionsInGroup(account: Hash32, groupId: Uint, page: Page): Promise<ActionRow[] | null> {
    return this.read(() =>
      this.groups.get(groupId)?.account !== account ? null : paginate(this.groups.get(groupId)?.cids ?? [], page).map(
        (cid) => structuredClone(this.actions.get(`${account}:${cid}`)) ?? { account, cid, name: "", description: "" },
      ),
    );
  }

  listWalletsInGroup(account: Hash32, groupId: Uint, page: Page): Promise<WalletRow[] | null> {
    return this.read(() =>
      this.groups.get(groupId)?.account !== account ? null : paginate(this.groups.get(groupId)?.wallets ?? [], page).map(
        (pkp) => structuredClone(this.wallets.get(pkp)) ?? { pkp, account, derivation: "0", name: "", description: "" },
      ),
    );
  }

  groupAccount(id: Uint): Promise<Hash32 | null> {
    return this.read(() => this.groups.get(id)?.account ?? null);
  }

  groupMembership(ids: readonly Uint[], cid: Hash32 | null, wallet: Address | null): Promise<GroupMembership[]> {
    return this.read(() =>
      [...new Set(ids)].flatMap((id) => {
        const g = this.groups.get(id);
        if (!g) return [];
        const listed =
          (cid !== null && (g.cids.includes(cid) || g.cids.includes(`0x${"0".repeat(64)}`))) ||
          (wallet !== null && (g.wallets.includes(wallet) || g.wallets.includes(`0x${"0".repeat(40)}`)));
        if (!listed) return [];
        return [
          {
            id,
            account: g.account,
            cid: cid !== null && g.cids.includes(cid),
            anyCid: cid !== null && g.cids.includes(`0x${"0".repeat(64)}`),
            anyCidRegistered: cid !== null && g.cids.includes(`0x${"0".repeat(64)}`) && this.actions.has(`${g.account}:${cid}`),
            wallet: wallet !== null && g.wallets.includes(wallet),
            anyWallet: wallet !== null && g.wallets.includes(`0x${"0".repeat(40)}`),
          },
        ];
      }),
    );
  }

  async indexedBlock(): Promise<number> {
    return this.block - 1;
  }
}
