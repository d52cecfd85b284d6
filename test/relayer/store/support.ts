/** Shared helpers of the index tests: a store per suite, table dumps and synthetic diamond events. */
import { expect } from "chai";
import fc from "fast-check";
import { INDEX_TABLES, type Store } from "../../../src/relayer/store";
import type { DecodedEvent, IndexReader } from "../../../src/relayer/ports";
import { makeStore, skipUnlessAvailable, type BackendName, type TestStore } from "../support";

/**
 * One store of `backend` for the whole describe block that calls this, filled by `fill` before its
 * first test (the block skipped, saying why, when the backend is not usable) and cleaned up after
 * its last. Returns the accessor of that store.
 */
export function storePerSuite(backend: BackendName, fill: (store: Store) => Promise<void>): () => Store {
  let ts: TestStore | null = null;
  before(async function () {
    await skipUnlessAvailable(this, backend);
    ts = await makeStore(backend);
    await fill(ts.store);
  });
  after(async () => {
    await ts?.cleanup();
    ts = null;
  });
  return () => {
    if (!ts) throw new Error("no store");
    return ts.store;
  };
}

/** A fill of storePerSuite: `events` projected as block 1, unjournaled. */
export function projected(events: DecodedEvent[]): (store: Store) => Promise<void> {
  return async (store) => {
    await store.index.projection.reset(1);
    expect(await store.index.projection.applyBlock(1, null, null, events, { journal: false })).to.equal("applied");
  };
}

/** Every index table's rows, ordered by primary key (block_number included unless `withBlocks` is false). */
export async function dumpIndex(store: Store, withBlocks = true): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(INDEX_TABLES)) {
    const rows = await store.db.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${key.join(", ")}`);
    out[table] = rows.map((r) => {
      const copy: Record<string, unknown> = {};
      for (const k of Object.keys(r).sort()) {
        if (!withBlocks && k === "block_number") continue;
        const v = r[k];
        copy[k] = typeof v === "bigint" ? Number(v) : v;
      }
      return copy;
    });
  }
  return out;
}

const hex = (n: number, width = 64): string => `0x${n.toString(16).padStart(width, "0")}`;
export const accountHash = (i: number): string => hex(0x1000 + i);
export const cidHash = (i: number): string => hex(0x2000 + i);
export const usageHash = (i: number): string => hex(0x3000 + i);
export const walletAddress = (i: number): string => hex(0x4000 + i, 40);

/** A small vocabulary of events over a few accounts, groups, actions, keys and wallets. */
export type EventSpec =
  | { kind: "account"; a: number }
  | { kind: "meta"; a: number; name: string }
  | { kind: "group"; a: number; g: number }
  | { kind: "groupGone"; a: number; g: number }
  | { kind: "groupName"; g: number; name: string }
  | { kind: "action"; a: number; c: number }
  | { kind: "actionGone"; a: number; c: number }
  | { kind: "cidIn"; g: number; c: number }
  | { kind: "cidOut"; g: number; c: number }
  | { kind: "pkpIn"; g: number; p: number }
  | { kind: "pkpOut"; g: number; p: number }
  | { kind: "key"; a: number; k: number }
  | { kind: "keyGone"; a: number; k: number }
  | { kind: "credit"; k: number; amount: number }
  | { kind: "nodeConfig"; key: number; value: string; removed: boolean }
  | { kind: "price"; item: number; price: number }
  | { kind: "wallet"; a: number; p: number };

export function toEvent(s: EventSpec): DecodedEvent {
  switch (s.kind) {
    case "account":
      return { name: "AccountCreated", args: { apiKeyHash: accountHash(s.a), managed: true, admin: walletAddress(99) } };
    case "meta":
      return { name: "AccountMetadataSet", args: { apiKeyHash: accountHash(s.a), name: s.name, description: "d" } };
    case "group":
      return { name: "GroupAdded", args: { apiKeyHash: accountHash(s.a), groupId: String(s.g) } };
    case "groupGone":
      return { name: "GroupRemoved", args: { apiKeyHash: accountHash(s.a), groupId: String(s.g) } };
    case "groupName":
      return { name: "GroupMetadataSet", args: { groupId: String(s.g), name: s.name, description: "" } };
    case "action":
      return { name: "ActionAdded", args: { accountApiKeyHash: accountHash(s.a), actionHash: cidHash(s.c) } };
    case "actionGone":
      return { name: "ActionRemoved", args: { accountApiKeyHash: accountHash(s.a), actionHash: cidHash(s.c) } };
    case "cidIn":
      return { name: "ActionAddedToGroup", args: { groupId: String(s.g), action: cidHash(s.c) } };
    case "cidOut":
      return { name: "ActionRemovedFromGroup", args: { groupId: String(s.g), action: cidHash(s.c) } };
    case "pkpIn":
      return { name: "PkpAddedToGroup", args: { groupId: String(s.g), pkpId: walletAddress(s.p) } };
    case "pkpOut":
      return { name: "PkpRemovedFromGroup", args: { groupId: String(s.g), pkpId: walletAddress(s.p) } };
    case "key":
      return { name: "UsageApiKeySet", args: { accountApiKeyHash: accountHash(s.a), usageApiKeyHash: usageHash(s.k) } };
    case "keyGone":
      return { name: "UsageApiKeyRemoved", args: { accountApiKeyHash: accountHash(s.a), usageApiKeyHash: usageHash(s.k) } };
    case "credit":
      return { name: "ApiKeyCredited", args: { apiKeyHash: usageHash(s.k), amount: String(s.amount) } };
    case "nodeConfig":
      return { name: "NodeConfigurationSet", args: { key: `k${s.key}`, value: s.value, removed: s.removed } };
    case "price":
      return { name: "PricingUpdated", args: { pricingItemId: String(s.item), price: String(s.price) } };
    case "wallet":
      return {
        name: "WalletDerivationRegistered",
        args: { apiKeyHash: accountHash(s.a), pkpId: walletAddress(s.p), derivationPath: String(1000 + s.p) },
      };
  }
}

export const blockHash = (fork: string, n: number): string =>
  `0x${Buffer.from(`${fork}:${n}`).toString("hex").padEnd(64, "0").slice(0, 64)}`;

/**
 * Random index events over few ids (removals often hit members and move the last one into the
 * hole), with names, metadata and config values drawn from `names`.
 */
export function eventSpecArb(names: readonly string[]): fc.Arbitrary<EventSpec> {
  const a = fc.integer({ min: 0, max: 1 });
  const g = fc.integer({ min: 1, max: 3 });
  const c = fc.integer({ min: 0, max: 2 });
  const p = fc.integer({ min: 0, max: 2 });
  const k = fc.integer({ min: 0, max: 2 });
  const name = fc.constantFrom(...names);
  return fc.oneof(
    fc.record({ kind: fc.constant("account" as const), a }),
    fc.record({ kind: fc.constant("meta" as const), a, name }),
    fc.record({ kind: fc.constant("group" as const), a, g }),
    fc.record({ kind: fc.constant("groupGone" as const), a, g }),
    fc.record({ kind: fc.constant("groupName" as const), g, name }),
    fc.record({ kind: fc.constant("action" as const), a, c }),
    fc.record({ kind: fc.constant("actionGone" as const), a, c }),
    fc.record({ kind: fc.constant("cidIn" as const), g, c }),
    fc.record({ kind: fc.constant("cidOut" as const), g, c }),
    fc.record({ kind: fc.constant("pkpIn" as const), g, p }),
    fc.record({ kind: fc.constant("pkpOut" as const), g, p }),
    fc.record({ kind: fc.constant("key" as const), a, k }),
    fc.record({ kind: fc.constant("keyGone" as const), a, k }),
    fc.record({ kind: fc.constant("credit" as const), k, amount: fc.integer({ min: 1, max: 100 }) }),
    fc.record({
      kind: fc.constant("nodeConfig" as const),
      key: fc.integer({ min: 0, max: 3 }),
      value: name,
      removed: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("price" as const), item: fc.integer({ min: 0, max: 3 }), price: fc.nat(1000) }),
    fc.record({ kind: fc.constant("wallet" as const), a, p }),
  );
}

/** An IndexReader that records the names of the calls made to it (for tests that count index reads per request). */
export function counting(index: IndexReader): { reader: IndexReader; calls: string[] } {
  const calls: string[] = [];
  const reader = new Proxy(index, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { reader, calls };
}
