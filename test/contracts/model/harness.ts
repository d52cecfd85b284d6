/**
 * Chain side of the model-based property tests: the small universe of hashes, cids, wallets and
 * signers, transaction outcomes (success or custom error name), fast raw view calls, and the
 * comparison of every relevant view with the model plus model-independent invariants.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Interface, TransactionReceipt } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { aliasOf, hashText } from "../../fixtures/support";
import { BATCH_ADDRESS, ViewBatch, installViewBatch } from "../../fixtures/view-batch";
import { AccountConfigModel } from "./model";
import { Kind, ZERO_ADDRESS, type GroupIds, type Result, type UsageKeyPermissions } from "./types";

// ------------------------------------------------------------------ labels of the small universe

export const MANAGED = ["M0", "M1", "M2"] as const;
/** ChainSecured accounts of users[0] and users[1]: their master is the admin alias. */
export const CHAIN_SECURED = ["C0", "C1"] as const;
export const USAGE = ["U0", "U1", "U2", "U3", "U4", "U5"] as const;
/** Aliases of users[2..4]: bound only once such a user becomes an admin (convert / transfer). */
export const ALIASES = ["A2", "A3", "A4"] as const;
export const ACCOUNTS = [...MANAGED, ...CHAIN_SECURED] as const;
export const HASHES = [...MANAGED, ...CHAIN_SECURED, ...USAGE, ...ALIASES] as const;
export type HashLabel = (typeof HASHES)[number];
export type AccountLabel = (typeof ACCOUNTS)[number];

export const CIDS = ["c0", "c1", "c2", "c3"] as const;
/** "c*" is cid hash 0: the all-actions wildcard in a group, never executable. */
export type CidLabel = (typeof CIDS)[number] | "c*";
export const WALLETS = ["w0", "w1", "w2", "w3"] as const;
/** "w*" is address(0): the all-wallets wildcard in a group, never registrable. */
export type WalletLabel = (typeof WALLETS)[number] | "w*";
export const DERIVATIONS = ["d0", "d1", "d2", "d3"] as const;
export type DerivationLabel = (typeof DERIVATIONS)[number] | "d-zero";

/** Signers: "right" is the one the account expects (api payer for managed, admin otherwise). */
export const USERS = ["user0", "user1", "user2", "user3", "user4"] as const;
export type UserLabel = (typeof USERS)[number];
export type SignerLabel = "right" | "payer" | "owner" | UserLabel;

export type ExpirationLabel = "none" | "past" | "now" | "future";

/** setUsageApiKey arguments with a symbolic expiration (resolved against the latest block). */
export interface PermissionsSpec extends Omit<UsageKeyPermissions, "expiration"> {
  expiration: ExpirationLabel;
}

const cidValue = (i: number): bigint => hashText(`QmModelCid${i}`);
const walletValue = (i: number): string => ethers.getAddress(ethers.dataSlice(ethers.id(`model-wallet-${i}`), 12));

export const CID_VALUES: Record<CidLabel, bigint> = {
  c0: cidValue(0),
  c1: cidValue(1),
  c2: cidValue(2),
  c3: cidValue(3),
  "c*": 0n,
};
export const WALLET_VALUES: Record<WalletLabel, string> = {
  w0: walletValue(0),
  w1: walletValue(1),
  w2: walletValue(2),
  w3: walletValue(3),
  "w*": ZERO_ADDRESS,
};
export const DERIVATION_VALUES: Record<DerivationLabel, bigint> = { d0: 101n, d1: 102n, d2: 103n, d3: 104n, "d-zero": 0n };

/** Readable names of the universe's values (hashes, cids, wallets) for failure messages. */
const NAMES = new Map<string, string>([
  ...(Object.entries(CID_VALUES) as [string, bigint][]).filter(([, v]) => v !== 0n).map(([k, v]): [string, string] => [String(v), k]),
  ...(Object.entries(WALLET_VALUES) as [string, string][]).map(([k, v]): [string, string] => [v.toLowerCase(), k]),
]);
const nameOf = (v: bigint | string): string => NAMES.get(typeof v === "string" ? v.toLowerCase() : String(v)) ?? String(v);

// ------------------------------------------------------------------ the universe of one run

export interface Universe {
  f: DiamondFixture;
  iface: Interface;
  model: AccountConfigModel;
  hashes: Record<HashLabel, bigint>;
  labelOf: Map<bigint, string>;
  users: Record<UserLabel, HardhatEthersSigner>;
  /** lower-case address -> signer, for resolving "right" */
  signerByAddress: Map<string, HardhatEthersSigner>;
  /** steps run so far (rotates the wallet probes) */
  step: number;
}

/** Milliseconds spent in writes, per-step checks and end-of-run checks (reported after the suite). */
export const timing = { write: 0, check: 0, full: 0 };

/** Outcome tally across all runs, to report what the random sequences exercised. */
export const tally = new Map<string, number>();
export function count(key: string): void {
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

/**
 * A fresh diamond (loadFixture snapshot) with 3 managed accounts (api payer), 2 ChainSecured
 * accounts (users[0], users[1]) and three starter groups, mirrored in a fresh model.
 */
export async function setupUniverse(): Promise<Universe> {
  const f = await loadFixture(deployDiamond);
  await installViewBatch();
  const users = { user0: f.users[0], user1: f.users[1], user2: f.users[2], user3: f.users[3], user4: f.users[4] };
  const hashes = {
    M0: hashText("model-managed-0"),
    M1: hashText("model-managed-1"),
    M2: hashText("model-managed-2"),
    C0: aliasOf(users.user0.address),
    C1: aliasOf(users.user1.address),
    U0: hashText("model-usage-0"),
    U1: hashText("model-usage-1"),
    U2: hashText("model-usage-2"),
    U3: hashText("model-usage-3"),
    U4: hashText("model-usage-4"),
    U5: hashText("model-usage-5"),
    A2: aliasOf(users.user2.address),
    A3: aliasOf(users.user3.address),
    A4: aliasOf(users.user4.address),
  } satisfies Record<HashLabel, bigint>;
  const labelOf = new Map<bigint, string>(Object.entries(hashes).map(([k, v]) => [v, k]));
  for (const [h, l] of labelOf) NAMES.set(String(h), l);
  const signerByAddress = new Map<string, HardhatEthersSigner>();
  for (const s of [f.owner, f.payer, ...Object.values(users)]) signerByAddress.set(s.address.toLowerCase(), s);
  const model = new AccountConfigModel([f.owner.address, f.payer.address, f.payer2.address]);
  const u: Universe = { f, iface: f.diamond.interface, model, hashes, labelOf, users, signerByAddress, step: 0 };
  await syncNow(u);

  for (const label of MANAGED) {
    const admin = ethers.getAddress(ethers.dataSlice(ethers.id(`model-admin-${label}`), 12));
    const expected = model.newAccount(f.payer.address, hashes[label], true, admin, aliasOf(admin));
    const actual = await attempt(u, () => f.diamond.connect(f.payer).newAccount(hashes[label], true, label, "", admin));
    expectOutcome(u, `setup newAccount(${label})`, expected, actual);
  }
  for (const [label, user] of [["C0", users.user0], ["C1", users.user1]] as const) {
    const expected = model.newAccount(user.address, hashes[label], false, user.address, aliasOf(user.address));
    const actual = await attempt(u, () => f.diamond.connect(user).newChainSecuredAccount(label, ""));
    expectOutcome(u, `setup newChainSecuredAccount(${label})`, expected, actual);
  }
  // Starter wallets (w0 -> M0, w1 -> C0; w2, w3 and d2, d3 stay free) and groups 1..3.
  const starterWallets: [AccountLabel, HardhatEthersSigner, WalletLabel, DerivationLabel][] = [
    ["M0", f.payer, "w0", "d0"],
    ["C0", users.user0, "w1", "d1"],
  ];
  for (const [label, signer, w, d] of starterWallets) {
    const [pkp, derivation] = [WALLET_VALUES[w], DERIVATION_VALUES[d]];
    const expected = model.registerWalletDerivation(signer.address, hashes[label], pkp, derivation);
    const actual = await attempt(u, () => f.diamond.connect(signer).registerWalletDerivation(hashes[label], pkp, derivation, w, ""));
    expectOutcome(u, `setup registerWalletDerivation(${label})`, expected, actual);
  }
  const starters: [AccountLabel, HardhatEthersSigner, bigint[], string[]][] = [
    ["M0", f.payer, [CID_VALUES.c0], [WALLET_VALUES.w0]],
    ["C0", users.user0, [0n], [ZERO_ADDRESS]],
    ["M1", f.payer, [], []],
  ];
  for (const [label, signer, cids, wallets] of starters) {
    const expected = model.addGroup(signer.address, hashes[label], cids, wallets);
    const actual = await attempt(u, () => f.diamond.connect(signer).addGroup(hashes[label], "g", "", cids, wallets));
    expectOutcome(u, `setup addGroup(${label})`, expected, actual);
  }
  // Two starter usage keys so usage-key writes are exercised from the first step.
  const none: bigint[] = [];
  const starterKeys: [AccountLabel, HardhatEthersSigner, HashLabel, UsageKeyPermissions][] = [
    ["M0", f.payer, "U0", { expiration: 0n, balance: 1n, createGroups: true, deleteGroups: false, createPKPs: false, manageIPFSIdsInGroups: [0n], addPkpToGroups: none, removePkpFromGroups: none, executeInGroups: [1n] }],
    ["C0", users.user0, "U3", { expiration: 0n, balance: 0n, createGroups: false, deleteGroups: true, createPKPs: true, manageIPFSIdsInGroups: none, addPkpToGroups: [2n], removePkpFromGroups: [2n, 0n], executeInGroups: [0n] }],
  ];
  for (const [account, signer, key, p] of starterKeys) {
    const expected = model.setUsageApiKey(signer.address, hashes[account], hashes[key], p);
    const actual = await attempt(u, () =>
      f.diamond
        .connect(signer)
        .setUsageApiKey(hashes[account], hashes[key], p.expiration, p.balance, key, "", p.createGroups, p.deleteGroups, p.createPKPs, p.manageIPFSIdsInGroups, p.addPkpToGroups, p.removePkpFromGroups, p.executeInGroups),
    );
    expectOutcome(u, `setup setUsageApiKey(${key})`, expected, actual);
  }
  return u;
}

/** Set the model clock to the earliest timestamp the next block / call can have. */
export async function syncNow(u: Universe): Promise<bigint> {
  const latest = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  u.model.now = latest + 1n;
  return latest;
}

/** A concrete expiration: "past" and "now" are already expired, "future" is ~11 days away. */
export function expirationValue(label: ExpirationLabel, latest: bigint): bigint {
  switch (label) {
    case "none":
      return 0n;
    case "past":
      return latest - 5n;
    case "now":
      return latest;
    case "future":
      return latest + 1_000_000n;
  }
}

export function label(u: Universe, hash: bigint): string {
  return u.labelOf.get(hash) ?? `0x${hash.toString(16).slice(0, 8)}…`;
}

/** The signer for `choice`; "right" is the api payer for managed (or unknown) accounts, else the admin. */
export function signerFor(u: Universe, choice: SignerLabel, callerHash: bigint): HardhatEthersSigner {
  if (choice === "payer") return u.f.payer;
  if (choice === "owner") return u.f.owner;
  if (choice !== "right") return u.users[choice];
  const { master } = u.model.resolve(callerHash);
  const account = u.model.accounts.get(master);
  if (!account || account.managed) return u.f.payer;
  const admin = u.signerByAddress.get(account.admin);
  if (!admin) throw new Error(`no signer for admin ${account.admin}`);
  return admin;
}

// ------------------------------------------------------------------ transactions

export type Outcome = { ok: true; receipt: TransactionReceipt } | { ok: false; error: string };

export function revertData(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === "object"; depth++) {
    const data = (cur as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x")) return data;
    if (data && typeof data === "object" && typeof (data as { data?: unknown }).data === "string") {
      return (data as { data: string }).data;
    }
    cur = (cur as { error?: unknown }).error;
  }
  return undefined;
}

/** Send a write; a revert becomes the decoded custom error name. */
export async function attempt(u: Universe, send: () => Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<Outcome> {
  try {
    const tx = await send();
    const receipt = await tx.wait();
    if (!receipt) throw new Error("no receipt");
    return { ok: true, receipt };
  } catch (e) {
    const data = revertData(e);
    if (data === undefined) throw e;
    if (data === "0x") return { ok: false, error: "<empty revert>" };
    const parsed = u.iface.parseError(data);
    return { ok: false, error: parsed ? parsed.name : `<unknown ${data.slice(0, 10)}>` };
  }
}

const fmt = <T>(r: Result<T> | Outcome): string => (r.ok ? "success" : `revert ${r.error}`);

/** Assert the chain outcome equals the model's; on success every event must name `master`. */
export function expectOutcome<T>(u: Universe, what: string, expected: Result<T>, actual: Outcome, master?: bigint): void {
  count(`${what.split("(")[0]}: ${actual.ok ? "ok" : actual.error}`);
  if (expected.ok !== actual.ok || (!expected.ok && !actual.ok && expected.error !== actual.error)) {
    expect.fail(`${what}: model expects ${fmt(expected)}, chain gave ${fmt(actual)}`);
  }
  if (actual.ok && master !== undefined) {
    for (const log of actual.receipt.logs) {
      const parsed = u.iface.parseLog(log);
      expect(log.topics.length, `${what}: event ${parsed?.name} has no account topic`).to.be.greaterThan(1);
      expect(BigInt(log.topics[1]), `${what}: event ${parsed?.name} must carry the master hash`).to.equal(master);
    }
  }
}

/** The group id announced by GroupAdded in a receipt. */
export function groupIdOf(u: Universe, receipt: TransactionReceipt): bigint {
  for (const log of receipt.logs) {
    const parsed = u.iface.parseLog(log);
    if (parsed?.name === "GroupAdded") return parsed.args.groupId as bigint;
  }
  throw new Error("no GroupAdded event");
}

// ------------------------------------------------------------------ view decoders

type Decoded = ReturnType<Interface["decodeFunctionResult"]>;

/** Plain TS values from the decoded results of the views the checks use. */
export const decode = {
  resolve: (r: Decoded) => ({ master: r[0] as bigint, kind: Number(r[1]) }),
  account: (r: Decoded) => {
    const a = r[0];
    return {
      managed: a.managed as boolean,
      admin: (a.adminWalletAddress as string).toLowerCase(),
      masterWallet: (a.masterWallet as string).toLowerCase(),
      counts: [a.groupCount, a.actionCount, a.walletCount, a.usageKeyCount] as bigint[],
    };
  },
  ids: (r: Decoded): bigint[] => [...r[0]].map((m) => m.id as bigint),
  pkps: (r: Decoded) => [...r[0]].map((w) => ({ derivation: w.id as bigint, wallet: (w.pkpId as string).toLowerCase() })),
  apiKeys: (r: Decoded) =>
    [...r[0]].map((k) => ({
      hash: k.apiKeyHash as bigint,
      metadataId: k.metadata.id as bigint,
      expiration: k.expiration as bigint,
      balance: k.balance as bigint,
      createGroups: k.createGroups as boolean,
      deleteGroups: k.deleteGroups as boolean,
      createPKPs: k.createPKPs as boolean,
      manageIPFSIdsInGroups: [...k.manageIPFSIdsInGroups] as bigint[],
      addPkpToGroups: [...k.addPkpToGroups] as bigint[],
      removePkpFromGroups: [...k.removePkpFromGroups] as bigint[],
      executeInGroups: [...k.executeInGroups] as bigint[],
    })),
  groupContents: (r: Decoded) => ({
    cids: [...r[0].cidHash] as bigint[],
    wallets: [...r[0].pkpId].map((w: string) => w.toLowerCase()),
  }),
  bool: (r: Decoded): boolean => r[0] as boolean,
  uint: (r: Decoded): bigint => r[0] as bigint,
  bools: (r: Decoded): [boolean, boolean] => [r[0] as boolean, r[1] as boolean],
  uints: (r: Decoded): bigint[] => [...r[0]] as bigint[],
};

// ------------------------------------------------------------------ comparison with the model

/** JSON with bigints (named when they are universe values) and sorted object keys. */
const show = (x: unknown): string =>
  JSON.stringify(x, (_k: string, v: unknown): unknown => {
    if (typeof v === "bigint") return v > 1_000_000n ? nameOf(v) : `${v}n`;
    if (typeof v === "string" && v.length === 42 && v.startsWith("0x")) return nameOf(v);
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return v;
  });

/** Equality without chai's per-call cost (this runs thousands of times per property run). */
export function same<T>(actual: T, expected: T, what: () => string): void {
  if (actual === expected) return;
  if (typeof actual === "object" && actual !== null && show(actual) === show(expected)) return;
  expect.fail(`${what()}: chain ${show(actual)}, model ${show(expected)}`);
}

const sorted = <T>(xs: Iterable<T>): T[] => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const str = (xs: Iterable<bigint | string>): string => `[${[...xs].map(nameOf).join(",")}]`;

function expectSet<T extends bigint | string>(actual: Iterable<T>, expected: Iterable<T>, what: string): void {
  const a = [...actual];
  same(new Set(a).size, a.length, () => `${what}: duplicates in ${str(a)}`);
  same(sorted(a), sorted(expected), () => `${what}: chain ${str(sorted(a))} vs model ${str(sorted(expected))}`);
}

/**
 * Compare every view of the account/identity state with the model and check the invariants that
 * hold on chain regardless of the model. All views are read in one batch (callbacks run in order).
 * `full` (end of a run) adds the complete (key, cid, wallet) cross product.
 */
export async function checkState(u: Universe, ctx: string, full = false): Promise<void> {
  const m = u.model;
  const b = new ViewBatch(u.iface, u.f.diamondAddress);
  const masters = new Set(ACCOUNTS.map((a) => u.hashes[a]));

  // Bindings: every hash of the universe resolves as the model says; a bound hash names an account
  // whose master resolves to itself.
  const resolved = new Map<bigint, { master: bigint; kind: number }>();
  for (const l of HASHES) {
    const h = u.hashes[l];
    const e = m.resolve(h);
    b.add("resolveApiKeyHash", [h], (raw) => {
      const r = decode.resolve(raw);
      resolved.set(h, r);
      same(r, { master: e.master, kind: e.kind }, () => `${ctx}: resolveApiKeyHash(${l})`);
    });
    b.add("accountExists", [h], (raw) => same(decode.bool(raw), e.master !== 0n, () => `${ctx}: accountExists(${l})`));
    // Asked by the batcher contract, a caller that may write no account: always false.
    b.add("accountExistsAndIsMutable", [h], (raw) =>
      same(decode.bool(raw), m.accountExistsAndIsMutable(h, BATCH_ADDRESS), () => `${ctx}: accountExistsAndIsMutable(${l}) by a stranger`),
    );
    if (e.master === 0n) continue;
    // A usage key's balance is its own; every other hash reads its master's (never credited here).
    const balance = e.kind === Kind.UsageKey ? m.usageKeys.get(h)!.balance : 0n;
    b.add("apiKeyBalance", [h], (raw) => same(decode.uint(raw), balance, () => `${ctx}: apiKeyBalance(${l})`));
    if (e.kind !== Kind.Master) {
      // Views accept any hash of the account.
      b.add("listGroups", [h, 0, 100], (raw) =>
        expectSet(decode.ids(raw), m.accounts.get(e.master)!.groups, `${ctx}: listGroups(${l}) (non-master hash)`),
      );
    }
  }
  b.add("pkpCount", [], (raw) => same(decode.uint(raw), BigInt(m.wallets.size), () => `${ctx}: pkpCount`));

  // Accounts and their lists.
  const keyOwners = new Map<bigint, bigint[]>();
  const accountWallets = new Map<bigint, Set<string>>();
  const accountActions = new Map<bigint, Set<bigint>>();
  const accountGroups = new Map<bigint, Set<bigint>>();
  for (const l of ACCOUNTS) {
    const h = u.hashes[l];
    const a = m.accounts.get(h)!;
    b.add("getAccount", [h], (raw) => {
      const info = decode.account(raw);
      same(
        { managed: info.managed, admin: info.admin, masterWallet: info.masterWallet },
        { managed: a.managed, admin: a.admin, masterWallet: a.masterWallet ?? ZERO_ADDRESS },
        () => `${ctx}: getAccount(${l}) mode/admin/masterWallet`,
      );
      same(info.counts, [a.groups.size, a.actions.size, a.wallets.size, a.usageKeys.size].map(BigInt), () => `${ctx}: getAccount(${l}) counts [groups, actions, wallets, keys]`);
    });
    b.add("listGroups", [h, 0, 100], (raw) => {
      const groups = decode.ids(raw);
      expectSet(groups, a.groups, `${ctx}: listGroups(${l})`);
      accountGroups.set(h, new Set(groups));
    });
    b.add("listActions", [h, 0, 100], (raw) => {
      const actions = decode.ids(raw);
      expectSet(actions, a.actions, `${ctx}: listActions(${l})`);
      accountActions.set(h, new Set(actions));
    });
    b.add("listPkps", [h, 0, 100], (raw) => {
      const pkps = decode.pkps(raw);
      expectSet(
        pkps.map((p) => `${p.wallet}:${p.derivation}`),
        [...a.wallets].map((w) => `${w}:${m.wallets.get(w)!.derivation}`),
        `${ctx}: listPkps(${l}) (wallet:derivation)`,
      );
      accountWallets.set(h, new Set(pkps.map((p) => p.wallet)));
    });
    b.add("listApiKeys", [h, 0, 100], (raw) => {
      const keys = decode.apiKeys(raw);
      expectSet(
        keys.map((k) => k.hash),
        a.usageKeys,
        `${ctx}: listApiKeys(${l})`,
      );
      for (const k of keys) {
        keyOwners.set(k.hash, [...(keyOwners.get(k.hash) ?? []), h]);
        const p = m.usageKeys.get(k.hash)!;
        const { hash: _hash, metadataId, ...chainPermissions } = k;
        same(metadataId, k.hash, () => `${ctx}: listApiKeys(${l}) metadata id`);
        same(chainPermissions, { ...p }, () => `${ctx}: listApiKeys(${l}) record of ${label(u, k.hash)}`);
      }
    });
    for (const wl of WALLETS) {
      const w = WALLET_VALUES[wl];
      const d = m.walletInAccount(h, w) ? m.wallets.get(w.toLowerCase())!.derivation : 0n;
      b.add("getWalletDerivation", [h, w], (raw) => same(decode.uint(raw), d, () => `${ctx}: getWalletDerivation(${l}, ${wl})`));
    }
    // Group contents (groups the model knows; listGroups above proves the chain has the same ids).
    // Invariant: a group only holds wallets and cids registered to the account.
    for (const id of a.groups) {
      const mg = m.groups.get(id)!;
      b.add("listActionsInGroup", [h, id, 0, 100], (raw) =>
        expectSet(decode.ids(raw), mg.cids, `${ctx}: listActionsInGroup(${l}, ${id})`),
      );
      b.add("listWalletsInGroup", [h, id, 0, 100], (raw) =>
        expectSet(decode.pkps(raw).map((p) => p.wallet), mg.wallets, `${ctx}: listWalletsInGroup(${l}, ${id})`),
      );
      b.add("listGroupContents", [h, id], (raw) => {
        const g = decode.groupContents(raw);
        expectSet(g.cids, mg.cids, `${ctx}: listGroupContents(${l}, ${id}).cids`);
        expectSet(g.wallets, mg.wallets, `${ctx}: listGroupContents(${l}, ${id}).wallets`);
        for (const w of g.wallets) {
          same(w === ZERO_ADDRESS || accountWallets.get(h)!.has(w), true, () => `${ctx}: group ${id} of ${l} holds unregistered wallet ${w}`);
        }
        for (const c of g.cids) {
          same(c === 0n || accountActions.get(h)!.has(c), true, () => `${ctx}: group ${id} of ${l} holds unregistered cid ${c}`);
        }
      });
    }
  }


  // Permission views. Per step: every bound key x every non-zero cid, each with one wallet that
  // rotates from step to step. `full` (end of run): every bound key x every cid (incl. 0) x every
  // wallet (incl. address(0)) and apiKeyCanExecuteForAnyGroup for every group id; unbound keys
  // get one probe each.
  const cids = Object.keys(CID_VALUES) as CidLabel[];
  const walletLabels = Object.keys(WALLET_VALUES) as WalletLabel[];
  for (const kl of HASHES) {
    const h = u.hashes[kl];
    const isBound = m.resolve(h).kind !== Kind.None;
    if (!isBound && !full) continue;
    const master = () => resolved.get(h)!.master;
    const keyCids = full && isBound ? cids : isBound ? cids.filter((c) => c !== "c*") : [cids[u.step % 4]];
    for (const cl of keyCids) {
      const cid = CID_VALUES[cl];
      const where = `${ctx}: (${kl}, ${cl})`;
      b.add("canExecuteAction", [h, cid], (raw) => same(decode.bool(raw), m.canExecuteAction(h, cid), () => `${where} canExecuteAction`));
      b.add("groupIdsForAction", [h, cid], (raw) =>
        checkGroupIds(decode.uints(raw), m.groupIdsForAction(h, cid), master(), accountGroups, `${where} groupIdsForAction`),
      );
    }
    const probes: [CidLabel, WalletLabel][] = [];
    if (full && isBound) for (const cl of cids) for (const wl of walletLabels) probes.push([cl, wl]);
    else if (isBound) cids.slice(0, 4).forEach((cl, i) => probes.push([cl, walletLabels[(u.step + i) % walletLabels.length]]));
    else probes.push([cids[u.step % 4], walletLabels[u.step % walletLabels.length]]);
    for (const [cl, wl] of probes) {
      const cid = CID_VALUES[cl];
      const w = WALLET_VALUES[wl];
      const where = `${ctx}: (${kl}, ${cl}, ${wl})`;
      const exec = m.canExecuteAction(h, cid);
      const use = m.canUseWalletInAction(h, cid, w);
      b.add("canUseWalletInAction", [h, cid, w], (raw) => same(decode.bool(raw), use, () => `${where} canUseWalletInAction`));
      b.add("groupIdsForActionAndWallet", [h, cid, w], (raw) =>
        checkGroupIds(decode.uints(raw), m.groupIdsForAction(h, cid, w), master(), accountGroups, `${where} groupIdsForActionAndWallet`),
      );
      if (full) {
        b.add("canExecuteActionAndUseWallet", [h, cid, w], (raw) =>
          same(decode.bools(raw), [exec, exec && use], () => `${where} canExecuteActionAndUseWallet`),
        );
      }
    }
    if (full && isBound) {
      for (let id = 0n; id <= m.lastGroupId + 1n; id++) {
        const gid = id;
        b.add("apiKeyCanExecuteForAnyGroup", [h, [gid]], (raw) =>
          same(decode.bool(raw), m.apiKeyCanExecuteForAnyGroup(h, [gid]), () => `${ctx}: apiKeyCanExecuteForAnyGroup(${kl}, [${gid}])`),
        );
      }
    }
  }
  await b.flush();

  // accountExistsAndIsMutable answers for msg.sender: at the end of a run, ask it as each signer.
  if (full) {
    const askers = [u.f.payer, u.f.owner, ...Object.values(u.users)];
    await Promise.all(
      HASHES.flatMap((l) =>
        askers.map(async (who) => {
          const h = u.hashes[l];
          const answer = await u.f.diamond.connect(who).accountExistsAndIsMutable(h);
          same(answer, m.accountExistsAndIsMutable(h, who.address), () => `${ctx}: accountExistsAndIsMutable(${l}) asked by ${who.address}`);
        }),
      ),
    );
  }

  // Invariant: a bound hash names an existing account whose master resolves to itself.
  for (const [h, r] of resolved) {
    if (r.master === 0n) continue;
    same(masters.has(r.master), true, () => `${ctx}: ${label(u, h)} resolves to a non-account ${r.master}`);
    same(resolved.get(r.master), { master: r.master, kind: Kind.Master }, () => `${ctx}: master of ${label(u, h)}`);
  }

  // Invariant: a usage key is listed by exactly the account it resolves to (never by two).
  for (const l of HASHES) {
    const h = u.hashes[l];
    const r = resolved.get(h)!;
    const owners = keyOwners.get(h) ?? [];
    if (r.kind === Kind.UsageKey) same(owners, [r.master], () => `${ctx}: usage key ${l} listed by`);
    else same(owners, [], () => `${ctx}: non-usage-key ${l} listed by`);
  }
}

function checkGroupIds(
  actual: bigint[],
  expected: GroupIds,
  master: bigint,
  accountGroups: Map<bigint, Set<bigint>>,
  what: string,
): void {
  // Invariant (chain only): no ghost groups; every id is an existing group of the key's account.
  const own = accountGroups.get(master) ?? new Set<bigint>();
  for (const id of actual) same(own.has(id), true, () => `${what}: ${id} is not a group of the key's account`);
  if (expected.order === "exact") {
    same(actual, expected.ids, () => `${what} (executeInGroups order)`);
    return;
  }
  expectSet(actual, expected.ids, what);
  const n = expected.explicitCount;
  expectSet(actual.slice(0, n), expected.ids.slice(0, n), `${what}: explicit groups first`);
}
