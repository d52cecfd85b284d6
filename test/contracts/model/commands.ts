/**
 * fast-check commands for the model-based test: each one runs a write on chain and in the model,
 * requires the same outcome (success or custom error name), then compares every view.
 */
import fc from "fast-check";
import { expect } from "chai";
import { ethers } from "hardhat";
import { aliasOf } from "../../fixtures/support";
import { ZERO_ADDRESS } from "./types";
import type { AccountConfigModel } from "./model";
import {
  ACCOUNTS,
  ALIASES,
  MANAGED,
  CID_VALUES,
  CIDS,
  DERIVATION_VALUES,
  DERIVATIONS,
  USAGE,
  USERS,
  WALLET_VALUES,
  WALLETS,
  attempt,
  checkState,
  expectOutcome,
  expirationValue,
  groupIdOf,
  signerFor,
  syncNow,
  timing,
  type CidLabel,
  type DerivationLabel,
  type HashLabel,
  type PermissionsSpec,
  type SignerLabel,
  type Universe,
  type UserLabel,
  type WalletLabel,
} from "./harness";

type Step = (u: Universe) => Promise<void>;

/** One command: a readable description (shown in shrunk counterexamples) and its step. */
export class ModelCommand implements fc.AsyncCommand<AccountConfigModel, Universe> {
  constructor(
    readonly text: string,
    private readonly step: Step,
  ) {}
  check(): boolean {
    return true;
  }
  async run(_m: AccountConfigModel, u: Universe): Promise<void> {
    const t0 = Date.now();
    await syncNow(u);
    await this.step(u);
    const t1 = Date.now();
    u.step++;
    await checkState(u, `after #${u.step} ${this.text}`);
    timing.write += t1 - t0;
    timing.check += Date.now() - t1;
  }
  toString(): string {
    return this.text;
  }
}

// ------------------------------------------------------------------ arbitraries of the small universe

const masters: HashLabel[] = [...ACCOUNTS];
const callerArb: fc.Arbitrary<HashLabel | { activeKey: number }> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...masters) },
  { weight: 3, arbitrary: fc.record({ activeKey: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.constantFrom(...USAGE) },
  { weight: 1, arbitrary: fc.constantFrom(...ALIASES) },
);
/** Callers of master-only writes: mostly masters, sometimes (to check the refusal) other hashes. */
const masterCallerArb: fc.Arbitrary<HashLabel | { activeKey: number }> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...masters) },
  { weight: 2, arbitrary: callerArb },
  { weight: 1, arbitrary: fc.constantFrom(...ALIASES) },
);
const signerArb: fc.Arbitrary<SignerLabel> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<SignerLabel>("right") },
  { weight: 1, arbitrary: fc.constantFrom<SignerLabel>("payer", "owner", ...USERS) },
);
/** Mostly a group of the caller's account; else ids 0..7 (other accounts', removed, not yet created). */
const groupIdArb: fc.Arbitrary<{ own: number } | { id: bigint }> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ own: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ id: fc.integer({ min: 0, max: 7 }).map(BigInt) }) },
);
const cidArb: fc.Arbitrary<CidLabel> = fc.constantFrom(...CIDS);
const cidOrWildcardArb: fc.Arbitrary<CidLabel> = fc.oneof(
  { weight: 5, arbitrary: cidArb },
  { weight: 1, arbitrary: fc.constant<CidLabel>("c*") },
);
const walletArb: fc.Arbitrary<WalletLabel> = fc.constantFrom(...WALLETS);
const walletOrWildcardArb: fc.Arbitrary<WalletLabel | { own: number }> = fc.oneof(
  { weight: 2, arbitrary: walletArb },
  { weight: 4, arbitrary: fc.record({ own: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant<WalletLabel>("w*") },
);
/** For removals: mostly an entry the group holds (k-th, ascending), else any wallet. */
const walletToRemoveArb: fc.Arbitrary<WalletLabel | { own: number } | { inGroup: number }> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ inGroup: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: walletOrWildcardArb },
);
const cidToRemoveArb: fc.Arbitrary<CidLabel | { inGroup: number }> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ inGroup: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: cidOrWildcardArb },
);
const userArb: fc.Arbitrary<UserLabel> = fc.constantFrom(...USERS);

const groupArrayArb: fc.Arbitrary<bigint[]> = fc
  .oneof(
    { weight: 8, arbitrary: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 3 }) }, // may hold duplicates
  )
  .map((ids) => ids.map(BigInt));

export const permissionsArb: fc.Arbitrary<PermissionsSpec> = fc.record({
  expiration: fc.constantFrom<PermissionsSpec["expiration"]>("none", "none", "none", "none", "future", "past", "now"),
  balance: fc.bigInt({ min: 0n, max: 3n }),
  createGroups: fc.boolean(),
  deleteGroups: fc.boolean(),
  createPKPs: fc.boolean(),
  manageIPFSIdsInGroups: groupArrayArb,
  addPkpToGroups: groupArrayArb,
  removePkpFromGroups: groupArrayArb,
  executeInGroups: groupArrayArb,
});


// ------------------------------------------------------------------ references relative to the state
//
// Purely random ids rarely hit "a group of the caller's account" or "an active usage key", so some
// arguments are references resolved against the model state when the command runs (the model only
// picks the input here; the outcome is still compared with the chain). Their concrete values are
// part of every failure message.

/**
 * A caller: a fixed label, the k-th active usage key (label order; U0 when there is none), or the
 * k-th active usage key of the account `ownKey` is resolved against (U0 when it has none).
 */
export type CallerRef = HashLabel | { activeKey: number } | { ownKey: number };
/** A group: the k-th group of the caller's account (ascending; id k+1 when it has none), or a raw id. */
export type GroupRef = { own: number } | { id: bigint };
/** A wallet: a fixed label, or the k-th wallet registered to the caller's account (w0 when none). */
export type WalletRef = WalletLabel | { own: number };
/** For removals also: the k-th entry the (resolved) group holds (falls back to w0 / c0). */
export type InGroup = { inGroup: number };

const showCaller = (c: CallerRef): string =>
  typeof c === "string" ? c : "activeKey" in c ? `U~${c.activeKey}` : `ownKey~${c.ownKey}`;
const showGroup = (g: GroupRef): string => ("own" in g ? `own~${g.own}` : `${g.id}`);
const showWallet = (w: WalletRef | InGroup): string =>
  typeof w === "string" ? w : "own" in w ? `own~${w.own}` : `inGroup~${w.inGroup}`;
const showCid = (c: CidLabel | InGroup): string => (typeof c === "string" ? c : `inGroup~${c.inGroup}`);

const labelOfCid = (cid: bigint): string =>
  (Object.keys(CID_VALUES) as CidLabel[]).find((l) => CID_VALUES[l] === cid) ?? `0x${cid.toString(16)}`;
const labelOfWallet = (address: string): string =>
  (Object.keys(WALLET_VALUES) as WalletLabel[]).find((l) => WALLET_VALUES[l].toLowerCase() === address.toLowerCase()) ?? address;

function resolveCid(u: Universe, groupId: bigint, c: CidLabel | InGroup): { label: string; cid: bigint } {
  if (typeof c === "string") return { label: c, cid: CID_VALUES[c] };
  const held = ownSorted(u.model.groups.get(groupId)?.cids ?? []);
  const cid = held.length === 0 ? CID_VALUES.c0 : held[c.inGroup % held.length];
  return { label: labelOfCid(cid), cid };
}

function resolveCaller(u: Universe, c: CallerRef, accountOf?: bigint): HashLabel {
  if (typeof c === "string") return c;
  const master = accountOf === undefined ? undefined : u.model.resolve(accountOf).master;
  const active = USAGE.filter((l) => {
    const h = u.hashes[l];
    return u.model.usageKeys.has(h) && ("activeKey" in c || u.model.resolve(h).master === master);
  });
  const k = "activeKey" in c ? c.activeKey : c.ownKey;
  return active.length === 0 ? "U0" : active[k % active.length];
}

function ownSorted<T extends bigint | string>(xs: Iterable<T>): T[] {
  return [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function resolveGroup(u: Universe, callerHash: bigint, g: GroupRef): bigint {
  if ("id" in g) return g.id;
  const account = u.model.accounts.get(u.model.resolve(callerHash).master);
  const own = account ? ownSorted(account.groups) : [];
  return own.length === 0 ? BigInt(g.own + 1) : own[g.own % own.length];
}

function resolveWallet(u: Universe, callerHash: bigint, w: WalletRef | InGroup, groupId = 0n): { label: string; address: string } {
  if (typeof w === "string") return { label: w, address: WALLET_VALUES[w] };
  if ("inGroup" in w) {
    const held = ownSorted(u.model.groups.get(groupId)?.wallets ?? []);
    const address = held.length === 0 ? WALLET_VALUES.w0 : held[w.inGroup % held.length];
    return { label: labelOfWallet(address), address: address === ZERO_ADDRESS ? address : ethers.getAddress(address) };
  }
  const account = u.model.accounts.get(u.model.resolve(callerHash).master);
  const own = account ? ownSorted(account.wallets) : [];
  if (own.length === 0) return { label: "w0", address: WALLET_VALUES.w0 };
  const address = ethers.getAddress(own[w.own % own.length]);
  return { label: labelOfWallet(address), address };
}

const ids = (xs: readonly bigint[]): string => `[${xs.join(",")}]`;
const showPermissions = (p: PermissionsSpec): string =>
  `{exp:${p.expiration},bal:${p.balance},cg:${+p.createGroups},dg:${+p.deleteGroups},cp:${+p.createPKPs},` +
  `ipfs:${ids(p.manageIPFSIdsInGroups)},add:${ids(p.addPkpToGroups)},rm:${ids(p.removePkpFromGroups)},exec:${ids(p.executeInGroups)}}`;

/** Common prologue: resolve the caller reference and the signer. */
function who(u: Universe, callerRef: CallerRef, signer: SignerLabel) {
  const caller = resolveCaller(u, callerRef);
  const hash = u.hashes[caller];
  const s = signerFor(u, signer, hash);
  return { caller, hash, signer: s, sender: s.address, master: u.model.resolve(hash).master };
}

/** The concrete call, for failure messages: name(args) by signer. */
const concrete = (name: string, args: readonly unknown[], signer: SignerLabel): string =>
  `${name}(${args.map(String).join(", ")}) by ${signer}`;

// ------------------------------------------------------------------ the commands

const setUsageApiKey = fc
  .record({
    caller: masterCallerArb,
    signer: signerArb,
    usage: fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom<HashLabel>(...USAGE) },
      { weight: 1, arbitrary: fc.constantFrom<HashLabel>(...masters, ...ALIASES) },
    ),
    p: permissionsArb,
  })
  .map(({ caller, signer, usage, p }) => {
    const text = `setUsageApiKey(${showCaller(caller)}, ${usage}, ${showPermissions(p)}) by ${signer}`;
    return new ModelCommand(text, async (u) => {
      const w = who(u, caller, signer);
      const latest = u.model.now - 1n;
      const perms = { ...p, expiration: expirationValue(p.expiration, latest) };
      const usageHash = u.hashes[usage];
      const expected = u.model.setUsageApiKey(w.sender, w.hash, usageHash, perms);
      const actual = await attempt(u, () =>
        u.f.diamond
          .connect(w.signer)
          .setUsageApiKey(
            w.hash,
            usageHash,
            perms.expiration,
            perms.balance,
            "key",
            "",
            perms.createGroups,
            perms.deleteGroups,
            perms.createPKPs,
            perms.manageIPFSIdsInGroups,
            perms.addPkpToGroups,
            perms.removePkpFromGroups,
            perms.executeInGroups,
          ),
      );
      expectOutcome(u, concrete("setUsageApiKey", [w.caller, usage, `expiration=${perms.expiration}`], signer), expected, actual, w.master);
    });
  });

const removeUsageApiKey = fc
  .record({
    caller: masterCallerArb,
    signer: signerArb,
    target: fc.oneof(
      { weight: 3, arbitrary: fc.record({ ownKey: fc.nat({ max: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ activeKey: fc.nat({ max: 3 }) }) },
      { weight: 1, arbitrary: fc.constantFrom<HashLabel>(...USAGE) },
    ),
  })
  .map(({ caller, signer, target }) => {
    const text = `removeUsageApiKey(${showCaller(caller)}, ${showCaller(target)}) by ${signer}`;
    return new ModelCommand(text, async (u) => {
      const w = who(u, caller, signer);
      const usage = resolveCaller(u, target, w.hash);
      const expected = u.model.removeUsageApiKey(w.sender, w.hash, u.hashes[usage]);
      const actual = await attempt(u, () => u.f.diamond.connect(w.signer).removeUsageApiKey(w.hash, u.hashes[usage]));
      expectOutcome(u, concrete("removeUsageApiKey", [w.caller, usage], signer), expected, actual, w.master);
    });
  });

const cidListArb = fc.uniqueArray(cidOrWildcardArb, { maxLength: 3 });
const walletListArb = fc.array(walletOrWildcardArb, { maxLength: 2 });
const showWallets = (ws: readonly WalletRef[]): string => `[${ws.map(showWallet).join(",")}]`;

/** Concrete, de-duplicated wallet list (addGroup/updateGroup take a set). */
function walletList(u: Universe, callerHash: bigint, ws: readonly WalletRef[]): { labels: string[]; addresses: string[] } {
  const out = new Map<string, string>();
  for (const ref of ws) {
    const r = resolveWallet(u, callerHash, ref);
    out.set(r.address.toLowerCase(), r.label);
  }
  const entries = [...out].map(([, l]) => l);
  return { labels: entries, addresses: [...out.keys()].map((a) => (a === ZERO_ADDRESS ? a : ethers.getAddress(a))) };
}

const addGroup = fc
  .record({
    caller: callerArb,
    signer: signerArb,
    cids: cidListArb,
    wallets: walletListArb,
    longName: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .map(({ caller, signer, cids, wallets, longName }) => {
    const text = `addGroup(${showCaller(caller)}, cids=[${cids}], wallets=${showWallets(wallets)}${longName ? ", name=129 bytes" : ""}) by ${signer}`;
    return new ModelCommand(text, async (u) => {
      const w = who(u, caller, signer);
      const cidValues = cids.map((c) => CID_VALUES[c]);
      const ws = walletList(u, w.hash, wallets);
      const name = longName ? "n".repeat(129) : "g";
      const expected = u.model.addGroup(w.sender, w.hash, cidValues, ws.addresses, name.length);
      const actual = await attempt(u, () => u.f.diamond.connect(w.signer).addGroup(w.hash, name, "", cidValues, ws.addresses));
      const what = concrete("addGroup", [w.caller, `[${cids}]`, `[${ws.labels}]`, `name=${name.length} bytes`], signer);
      expectOutcome(u, what, expected, actual, w.master);
      if (expected.ok && actual.ok) expect(groupIdOf(u, actual.receipt), `${what}: new group id`).to.equal(expected.value);
    });
  });

const updateGroup = fc
  .record({ caller: masterCallerArb, signer: signerArb, group: groupIdArb, cids: cidListArb, wallets: walletListArb })
  .map(({ caller, signer, group, cids, wallets }) => {
    const text = `updateGroup(${showCaller(caller)}, ${showGroup(group)}, cids=[${cids}], wallets=${showWallets(wallets)}) by ${signer}`;
    return new ModelCommand(text, async (u) => {
      const w = who(u, caller, signer);
      const groupId = resolveGroup(u, w.hash, group);
      const cidValues = cids.map((c) => CID_VALUES[c]);
      const ws = walletList(u, w.hash, wallets);
      const expected = u.model.updateGroup(w.sender, w.hash, groupId, cidValues, ws.addresses);
      const actual = await attempt(u, () =>
        u.f.diamond.connect(w.signer).updateGroup(w.hash, groupId, "g2", "", cidValues, ws.addresses),
      );
      expectOutcome(u, concrete("updateGroup", [w.caller, groupId, `[${cids}]`, `[${ws.labels}]`], signer), expected, actual, w.master);
    });
  });

const removeGroup = fc.record({ caller: callerArb, signer: signerArb, group: groupIdArb }).map(({ caller, signer, group }) => {
  const text = `removeGroup(${showCaller(caller)}, ${showGroup(group)}) by ${signer}`;
  return new ModelCommand(text, async (u) => {
    const w = who(u, caller, signer);
    const groupId = resolveGroup(u, w.hash, group);
    const expected = u.model.removeGroup(w.sender, w.hash, groupId);
    const actual = await attempt(u, () => u.f.diamond.connect(w.signer).removeGroup(w.hash, groupId));
    expectOutcome(u, concrete("removeGroup", [w.caller, groupId], signer), expected, actual, w.master);
  });
});

const groupAction = (remove: boolean) =>
  fc
    .record({ caller: callerArb, signer: signerArb, group: groupIdArb, cid: remove ? cidToRemoveArb : cidOrWildcardArb })
    .map(({ caller, signer, group, cid }) => {
      const name = remove ? "removeActionFromGroup" : "addActionToGroup";
      const text = `${name}(${showCaller(caller)}, ${showGroup(group)}, ${showCid(cid)}) by ${signer}`;
      return new ModelCommand(text, async (u) => {
        const w = who(u, caller, signer);
        const groupId = resolveGroup(u, w.hash, group);
        const { label: cidLabel, cid: c } = resolveCid(u, groupId, cid);
        const expected = remove
          ? u.model.removeActionFromGroup(w.sender, w.hash, groupId, c)
          : u.model.addActionToGroup(w.sender, w.hash, groupId, c);
        const d = u.f.diamond.connect(w.signer);
        const actual = await attempt(u, () =>
          remove ? d.removeActionFromGroup(w.hash, groupId, c) : d.addActionToGroup(w.hash, groupId, c),
        );
        expectOutcome(u, concrete(name, [w.caller, groupId, cidLabel], signer), expected, actual, w.master);
      });
    });

const groupPkp = (remove: boolean) =>
  fc
    .record({ caller: callerArb, signer: signerArb, group: groupIdArb, wallet: remove ? walletToRemoveArb : walletOrWildcardArb })
    .map(({ caller, signer, group, wallet }) => {
      const name = remove ? "removePkpFromGroup" : "addPkpToGroup";
      const text = `${name}(${showCaller(caller)}, ${showGroup(group)}, ${showWallet(wallet)}) by ${signer}`;
      return new ModelCommand(text, async (u) => {
        const w = who(u, caller, signer);
        const groupId = resolveGroup(u, w.hash, group);
        const pkp = resolveWallet(u, w.hash, wallet, groupId);
        const expected = remove
          ? u.model.removePkpFromGroup(w.sender, w.hash, groupId, pkp.address)
          : u.model.addPkpToGroup(w.sender, w.hash, groupId, pkp.address);
        const d = u.f.diamond.connect(w.signer);
        const actual = await attempt(u, () =>
          remove ? d.removePkpFromGroup(w.hash, groupId, pkp.address) : d.addPkpToGroup(w.hash, groupId, pkp.address),
        );
        expectOutcome(u, concrete(name, [w.caller, groupId, pkp.label], signer), expected, actual, w.master);
      });
    });

const addAction = fc
  .record({
    caller: masterCallerArb,
    signer: signerArb,
    cid: fc.oneof({ weight: 10, arbitrary: cidArb }, { weight: 1, arbitrary: fc.constant<CidLabel>("c*") }),
  })
  .map(({ caller, signer, cid }) => {
    const text = `addAction(${showCaller(caller)}, ${cid}) by ${signer}`;
    return new ModelCommand(text, async (u) => {
      const w = who(u, caller, signer);
      const expected = u.model.addAction(w.sender, w.hash, CID_VALUES[cid]);
      const actual = await attempt(u, () => u.f.diamond.connect(w.signer).addAction(w.hash, "a", "", CID_VALUES[cid]));
      expectOutcome(u, concrete("addAction", [w.caller, cid], signer), expected, actual, w.master);
    });
  });

const removeAction = fc.record({ caller: masterCallerArb, signer: signerArb, cid: cidArb }).map(({ caller, signer, cid }) => {
  const text = `removeAction(${showCaller(caller)}, ${cid}) by ${signer}`;
  return new ModelCommand(text, async (u) => {
    const w = who(u, caller, signer);
    const expected = u.model.removeAction(w.sender, w.hash, CID_VALUES[cid]);
    const actual = await attempt(u, () => u.f.diamond.connect(w.signer).removeAction(w.hash, CID_VALUES[cid]));
    expectOutcome(u, concrete("removeAction", [w.caller, cid], signer), expected, actual, w.master);
  });
});

const registerWalletDerivation = fc
  .record({
    caller: callerArb,
    signer: signerArb,
    wallet: fc.oneof({ weight: 15, arbitrary: walletArb }, { weight: 1, arbitrary: fc.constant<WalletLabel>("w*") }),
    derivation: fc.oneof(
      { weight: 15, arbitrary: fc.constantFrom<DerivationLabel>(...DERIVATIONS) },
      { weight: 1, arbitrary: fc.constant<DerivationLabel>("d-zero") },
    ),
    longName: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .map(({ caller, signer, wallet, derivation, longName }) => {
    const text = `registerWalletDerivation(${showCaller(caller)}, ${wallet}, ${derivation}${longName ? ", name=129 bytes" : ""}) by ${signer}`;
    return new ModelCommand(text, async (u) => {
      const w = who(u, caller, signer);
      const name = longName ? "n".repeat(129) : "w";
      const pkp = WALLET_VALUES[wallet];
      const d = DERIVATION_VALUES[derivation];
      const expected = u.model.registerWalletDerivation(w.sender, w.hash, pkp, d, name.length);
      const actual = await attempt(u, () => u.f.diamond.connect(w.signer).registerWalletDerivation(w.hash, pkp, d, name, ""));
      expectOutcome(u, concrete("registerWalletDerivation", [w.caller, wallet, derivation, `name=${name.length} bytes`], signer), expected, actual, w.master);
    });
  });

const convert = fc
  .record({
    target: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<HashLabel>(...masters) }, { weight: 1, arbitrary: callerArb }),
    signer: fc.oneof({ weight: 6, arbitrary: fc.constant<SignerLabel>("payer") }, { weight: 1, arbitrary: signerArb }),
    newAdmin: userArb,
  })
  .map(({ target, signer, newAdmin }) => {
    const text = `convertToChainSecuredAccount(${showCaller(target)}, ${newAdmin}) by ${signer}`;
    return new ModelCommand(text, async (u) => {
      const w = who(u, target, signer);
      const admin = u.users[newAdmin].address;
      const expected = u.model.convertToChainSecuredAccount(w.sender, w.hash, admin, aliasOf(admin));
      const actual = await attempt(u, () => u.f.diamond.connect(w.signer).convertToChainSecuredAccount(w.hash, admin));
      expectOutcome(u, concrete("convertToChainSecuredAccount", [w.caller, newAdmin], signer), expected, actual, w.master);
    });
  });

const transfer = fc
  .record({
    target: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom<HashLabel>("C0", "C1") },
      { weight: 2, arbitrary: fc.constantFrom<HashLabel>(...MANAGED) },
      { weight: 1, arbitrary: callerArb },
    ),
    signer: signerArb,
    newAdmin: userArb,
  })
  .map(({ target, signer, newAdmin }) => {
    const text = `transferChainSecuredAccountOwnership(${showCaller(target)}, ${newAdmin}) by ${signer}`;
    return new ModelCommand(text, async (u) => {
      const w = who(u, target, signer);
      const admin = u.users[newAdmin].address;
      const expected = u.model.transferChainSecuredAccountOwnership(w.sender, w.hash, admin, aliasOf(admin));
      const actual = await attempt(u, () => u.f.diamond.connect(w.signer).transferChainSecuredAccountOwnership(w.hash, admin));
      expectOutcome(u, concrete("transferChainSecuredAccountOwnership", [w.caller, newAdmin], signer), expected, actual, w.master);
    });
  });

const reclaim = fc.record({ user: userArb }).map(({ user }) => {
  const text = `reclaimAddressAlias() by ${user}`;
  return new ModelCommand(text, async (u) => {
    const signer = u.users[user];
    const expected = u.model.reclaimAddressAlias(aliasOf(signer.address));
    const actual = await attempt(u, () => u.f.diamond.connect(signer).reclaimAddressAlias());
    expectOutcome(u, concrete("reclaimAddressAlias", [], user), expected, actual);
  });
});

/** Every command, weighted towards the permission-relevant writes. */
export const commandArbs: fc.Arbitrary<ModelCommand>[] = [
  setUsageApiKey,
  setUsageApiKey,
  setUsageApiKey,
  removeUsageApiKey,
  addGroup,
  addGroup,
  updateGroup,
  removeGroup,
  groupAction(false),
  groupAction(false),
  groupAction(true),
  groupPkp(false),
  groupPkp(false),
  groupPkp(true),
  addAction,
  removeAction,
  registerWalletDerivation,
  registerWalletDerivation,
  registerWalletDerivation,
  convert,
  transfer,
  reclaim,
];
