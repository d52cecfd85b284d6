/**
 * The synthetic diamond history of the scale benchmark (bench/scale.ts) and of its small version
 * in the tests (test/relayer/store/scale-pages.test.ts): decoded diamond events shaped as the
 * relayer's decoder produces them (src/relayer/chain/abi.ts: hashes 0x + 64 lowercase hex,
 * addresses lowercase, other integers decimal), grouped into blocks.
 *
 * One "big" account holds `groups` groups, `actions` actions, `wallets` wallets and `usageKeys`
 * usage keys; `accounts - 1` further accounts hold nothing. The big account's last group lists up
 * to BIG_GROUP_MEMBERS actions and wallets (so the lists inside a group have deep pages too), and
 * every 100th group lists one action and one wallet. Usage key 0 may execute in (and manage) 50
 * groups spread over the account, none of which lists PROBE_CID: the lit_action pre-check walks
 * all of them before refusing.
 */
import { apiKeyTextHash } from "../../src/core";
import type { DecodedEvent } from "../../src/relayer/ports";

export interface ScaleSpec {
  accounts: number;
  groups: number;
  actions: number;
  wallets: number;
  usageKeys: number;
}

export const BIG_GROUP_MEMBERS = 1_000;
/** Execute/manage permissions of usage key 0: this many groups (the API's maximum per list). */
export const KEY_GROUPS = 50;

export const ADMIN = "0x00000000000000000000000000000000000a11ce";

/** The API key text of account `i` (0 = the big account); its hash is the account's master hash. */
export const accountKey = (i: number): string => `scale-account-key-${i}`;
export const usageKeyText = (u: number): string => `scale-usage-key-${u}`;
/** Group ids are 1..groups (decimal, as the decoder gives a uint256 that is not a hash). */
export const groupId = (g: number): string => String(g);
/** A real CID, registered to the big account as action 0 (a usage key may put only registered actions in a group). */
export const REGISTERED_CID = "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR";
const REGISTERED_CID_HASH = "0x8c4105ec0937f0fc27873d0af1dd93b35f6ee096ec93d173c629fb17c4abf22f";
/** The hashed CID of action `a`: action 0 is REGISTERED_CID's, the others are derived from the index. */
export const actionHash = (a: number): string =>
  a === 0 ? REGISTERED_CID_HASH : `0x${"c1d".padEnd(48, "0")}${(a + 1).toString(16).padStart(16, "0")}`;
export const walletAddress = (w: number): string => `0x${"be11".padEnd(24, "0")}${(w + 1).toString(16).padStart(16, "0")}`;
export const derivation = (w: number): string => String(1_000_000_000 + w);

/** The groups usage key 0 may execute in and manage: spread evenly, the last group excluded. */
export function keyGroups(spec: ScaleSpec): string[] {
  const n = Math.min(KEY_GROUPS, Math.max(0, spec.groups - 1));
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(groupId(1 + Math.floor((k * (spec.groups - 1)) / n)));
  return [...new Set(out)];
}

export const bigGroup = (spec: ScaleSpec): string => groupId(spec.groups);
export const bigGroupActions = (spec: ScaleSpec): number => Math.min(BIG_GROUP_MEMBERS, spec.actions);
export const bigGroupWallets = (spec: ScaleSpec): number => Math.min(BIG_GROUP_MEMBERS, spec.wallets);

function permissions(spec: ScaleSpec, u: number): Record<string, unknown> {
  const groups = u === 0 ? keyGroups(spec) : [bigGroup(spec)];
  return {
    expiration: "0",
    balance: "0",
    createGroups: true,
    deleteGroups: true,
    createPKPs: true,
    manageIPFSIdsInGroups: groups,
    addPkpToGroups: groups,
    removePkpFromGroups: groups,
    executeInGroups: groups,
  };
}

/** Every event of the history, in order. */
export function* scaleEvents(spec: ScaleSpec): Generator<DecodedEvent> {
  const master = apiKeyTextHash(accountKey(0));
  yield { name: "AccountCreated", args: { apiKeyHash: master, admin: ADMIN, managed: true } };
  yield { name: "AccountMetadataSet", args: { apiKeyHash: master, name: "big", description: "the account at scale" } };
  for (let g = 1; g <= spec.groups; g++) {
    yield { name: "GroupAdded", args: { apiKeyHash: master, groupId: groupId(g) } };
    yield { name: "GroupMetadataSet", args: { apiKeyHash: master, groupId: groupId(g), name: `group ${g}`, description: "d" } };
  }
  for (let a = 0; a < spec.actions; a++) {
    yield { name: "ActionAdded", args: { accountApiKeyHash: master, actionHash: actionHash(a) } };
    yield {
      name: "ActionMetadataSet",
      args: { apiKeyHash: master, actionHash: actionHash(a), name: `action ${a}`, description: "d" },
    };
  }
  for (let w = 0; w < spec.wallets; w++) {
    yield { name: "WalletDerivationRegistered", args: { apiKeyHash: master, pkpId: walletAddress(w), derivationPath: derivation(w) } };
  }
  if (spec.groups > 0) {
    const big = bigGroup(spec);
    for (let a = 0; a < bigGroupActions(spec); a++) {
      yield { name: "ActionAddedToGroup", args: { apiKeyHash: master, groupId: big, action: actionHash(a) } };
    }
    for (let w = 0; w < bigGroupWallets(spec); w++) {
      yield { name: "PkpAddedToGroup", args: { apiKeyHash: master, groupId: big, pkpId: walletAddress(w) } };
    }
    for (const g of keyGroups(spec)) {
      if (spec.actions > 1) yield { name: "ActionAddedToGroup", args: { apiKeyHash: master, groupId: g, action: actionHash(1) } };
      if (spec.wallets > 0) yield { name: "PkpAddedToGroup", args: { apiKeyHash: master, groupId: g, pkpId: walletAddress(spec.wallets - 1) } };
    }
  }
  for (let u = 0; u < spec.usageKeys; u++) {
    const hash = apiKeyTextHash(usageKeyText(u));
    yield { name: "UsageApiKeySet", args: { accountApiKeyHash: master, usageApiKeyHash: hash } };
    yield {
      name: "UsageApiKeyPermissionsSet",
      args: { accountApiKeyHash: master, usageApiKeyHash: hash, permissions: permissions(spec, u) },
    };
  }
  for (let i = 1; i < spec.accounts; i++) {
    yield { name: "AccountCreated", args: { apiKeyHash: apiKeyTextHash(accountKey(i)), admin: ADMIN, managed: true } };
  }
}

/** The number of events scaleEvents(spec) yields. */
export function scaleEventCount(spec: ScaleSpec): number {
  const big = spec.groups > 0 ? bigGroupActions(spec) + bigGroupWallets(spec) : 0;
  const small = spec.groups > 0 ? keyGroups(spec).length * ((spec.actions > 1 ? 1 : 0) + (spec.wallets > 0 ? 1 : 0)) : 0;
  return 2 + 2 * spec.groups + 2 * spec.actions + spec.wallets + big + small + 2 * spec.usageKeys + (spec.accounts - 1);
}

export interface ScaleBlock {
  number: number;
  hash: string;
  parentHash: string;
  events: DecodedEvent[];
}

/** A deterministic block hash for block `n` of the synthetic chain. */
export const blockHash = (n: number): string => `0x${"b10c".padEnd(48, "0")}${n.toString(16).padStart(16, "0")}`;

/** The events in blocks of `perBlock`, block numbers from `firstBlock`. */
export function* scaleBlocks(spec: ScaleSpec, perBlock: number, firstBlock = 1): Generator<ScaleBlock> {
  let events: DecodedEvent[] = [];
  let n = firstBlock;
  for (const e of scaleEvents(spec)) {
    events.push(e);
    if (events.length >= perBlock) {
      yield { number: n, hash: blockHash(n), parentHash: blockHash(n - 1), events };
      n++;
      events = [];
    }
  }
  if (events.length > 0) yield { number: n, hash: blockHash(n), parentHash: blockHash(n - 1), events };
}
