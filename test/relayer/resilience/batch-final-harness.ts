/**
 * The set-up shared by the tests of a batch's calls waiting for the batch to be final
 * (final-outcome-deadline.test.ts, batch-final-crash.test.ts, batch-final-then-crash.test.ts): a
 * `hardhat node` child process with the diamond and one managed account, a store per test (SQLite
 * unless told), chain layers started in this process with one payer (devKey(4)), confirmation
 * depth 3 and one batch in flight, stopped before the store is cleaned, and the steps those tests
 * share (a batch that reverts, waits for rows to be final). Call `batchFinalHarness` inside a
 * describe: it adds the hooks.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { startChain, type Chain, type ChainOptions } from "../../../src/relayer/chain";
import { ChainUnavailableError, RevertError, type OutboxRow, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import type { Store } from "../../../src/relayer/store";
import { h, makeStore, skipUnlessAvailable, type BackendName, type TestStore } from "../support";
import { deployDiamondTo, devKey, rpcCall, startChainNode, waitUntil, type ChainNode, type Deployed } from "./support";

export const PAYER = new Wallet(devKey(4)).address.toLowerCase();
export const TEN_CIDS = Array.from({ length: 10 }, (_, i) => h(`deadline-cid-${i}`));

/** What a client was answered: "ok", the error name, or "queued" (ChainUnavailableError, queued); undefined until answered. */
export class Answer {
  value: string | undefined;
  count = 0;
  constructor(p: Promise<WriteReceipt>) {
    p.then(
      () => {
        this.count++;
        this.value = "ok";
      },
      (e: unknown) => {
        this.count++;
        if (e instanceof ChainUnavailableError) this.value = e.queued ? "queued" : "unavailable";
        else this.value = e instanceof RevertError ? e.errorName : `other: ${(e as Error).message}`;
      },
    );
  }
}

export interface BatchFinalHarness {
  readonly node: ChainNode;
  readonly d: Deployed;
  /** The managed account's hash. */
  readonly account: string;
  store(): Store;
  head(): Promise<number>;
  mine(n?: number): Promise<void>;
  addGroup(name: string): WriteRequest;
  updateGroup(group: string, name: string): WriteRequest;
  /** Groups of the account named `name` on chain / in the index. */
  onChain(name: string): Promise<number>;
  inIndex(name: string): Promise<number>;
  /** The first batchCalls row with an id above `after`. */
  batchRow(after: number): Promise<OutboxRow | undefined>;
  asOwner(): Deployed["diamond"];
  snapshot(): Promise<string>;
  revert(id: string): Promise<void>;
  /** The last outbox row's id (0 when empty). */
  lastId(): Promise<number>;
  /** A chain layer on this test's store (stopped after the test unless `stop` stopped it). */
  start(extra?: Partial<ChainOptions>): Promise<Chain>;
  stop(c: Chain): Promise<void>;
  /** addGroup through the writer; the new group's id. */
  newGroup(c: Chain, name: string): Promise<string>;
  /** One pre-flighted batch of [updateGroup, addGroup]: both call shapes' gas cached. */
  warmGasCache(c: Chain, group: string): Promise<void>;
  /**
   * The owner grows `group` to ten actions (updateGroup of it now costs far more than cached), then
   * [updateGroup(group, updated), addGroup(added)] go out as one batch from the cached gas: waits
   * until the batch's row reverted on chain.
   */
  revertedBatch(c: Chain, group: string, updated: string, added: string): Promise<{ update: Answer; add: Answer; reverted: OutboxRow }>;
  /** The rows of calls sent alone after outbox row `id`. */
  callsAfter(id: number): Promise<OutboxRow[]>;
  /** The name of the account's group `group` on chain (undefined when there is none). */
  groupName(group: string): Promise<string | undefined>;
  /** Waits until outbox row `id` is final. */
  untilFinal(id: number): Promise<void>;
  /** Waits until every outbox row is final or failed. */
  untilEveryRowFinal(): Promise<void>;
  /** Mines the reverted batch final, waits until its addGroup `added` was applied alone, then mines every row final. */
  untilSentAloneAndFinal(added: string): Promise<void>;
  /** After a reorg: waits until batch row `id` is mined again on the new branch, then mines it and every row final. */
  untilMinedAgainAndFinal(id: number): Promise<void>;
  /** Syncs `c`'s index to the head: `added` is there once, on chain and in the index, and `group` is named `updated`. */
  expectApplied(c: Chain, added: string, group: string, updated: string): Promise<void>;
}

export function batchFinalHarness(opts: { label: string; writeTimeoutMs: number; backend?: BackendName }): BatchFinalHarness {
  let node: ChainNode | undefined;
  let d: Deployed | undefined;
  let account: string | undefined;
  let ts: TestStore | null = null;
  const running = new Set<Chain>();
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`batchFinalHarness: no ${what} (used outside a test?)`);
    return v;
  };

  const t: BatchFinalHarness = {
    get node() {
      return need(node, "node");
    },
    get d() {
      return need(d, "diamond");
    },
    get account() {
      return need(account, "account");
    },
    store: () => need(ts ?? undefined, "store").store,
    head: async () => Number(await rpcCall(t.node.url, "eth_blockNumber")),
    mine: async (n = 1) => {
      for (let i = 0; i < n; i++) await rpcCall(t.node.url, "evm_mine");
    },
    addGroup: (name) => ({ method: "addGroup", args: [t.account, name, "", [], []] }),
    updateGroup: (group, name) => ({ method: "updateGroup", args: [t.account, group, name, "", [], []] }),
    onChain: async (name) => (await t.d.diamond.listGroups(t.account, 0, 100)).filter((g) => g.name === name).length,
    inIndex: async (name) => {
      const row = await t.store().db.one<{ n: number | string }>("SELECT COUNT(*) AS n FROM account_groups WHERE name = $1", [name]);
      return Number(row?.n ?? 0);
    },
    batchRow: async (after) => (await t.store().outbox.list()).find((r) => r.id > after && r.method === "batchCalls"),
    asOwner: () => {
      t.d.owner.reset();
      return t.d.diamond.connect(t.d.owner);
    },
    snapshot: async () => (await rpcCall(t.node.url, "evm_snapshot")) as string,
    revert: async (id) => {
      expect(await rpcCall(t.node.url, "evm_revert", [id])).to.equal(true);
    },
    lastId: async () => (await t.store().outbox.list()).at(-1)?.id ?? 0,
    start: async (extra = {}) => {
      const c = await startChain(t.store(), {
        rpcUrl: t.node.url,
        diamondAddress: t.d.diamondAddress,
        payerKeys: [devKey(4)],
        adminPayerKey: devKey(3),
        startBlock: t.d.deployBlock,
        pollIntervalMs: 50,
        stuckAfterMs: 60_000,
        writeTimeoutMs: opts.writeTimeoutMs,
        balanceCheckIntervalMs: 0,
        batchMaxInFlight: 1,
        confirmationDepth: 3,
        ...extra,
      });
      running.add(c);
      return c;
    },
    stop: async (c) => {
      running.delete(c);
      await c.stop();
    },
    newGroup: async (c, name) => {
      const r = await c.writer.write(t.addGroup(name));
      const id = r.events.find((e) => e.name === "GroupAdded")?.args.groupId;
      if (typeof id !== "string") throw new Error("no GroupAdded event");
      return id;
    },
    warmGasCache: async (c, group) => {
      const before = c.status().batches.batches;
      await Promise.all([c.writes.write(t.updateGroup(group, "warm")), c.writes.write(t.addGroup("warm"))]);
      expect(c.status().batches.batches - before, "one pre-flighted batch").to.equal(1);
    },
    revertedBatch: async (c, group, updated, added) => {
      await (await t.asOwner().updateGroup(t.account, group, "grown", "", TEN_CIDS, [])).wait();
      const from = await t.lastId();
      const update = new Answer(c.writes.write(t.updateGroup(group, updated)));
      const add = new Answer(c.writes.write(t.addGroup(added)));
      const reverted = await waitUntil("the batch reverted on chain", async () => {
        const r = await t.batchRow(from);
        return r && r.status === "reverted" ? r : undefined;
      }, 30_000);
      return { update, add, reverted };
    },
    callsAfter: async (id) => (await t.store().outbox.list()).filter((r) => r.id > id && r.kind === "call"),
    groupName: async (group) => (await t.d.diamond.listGroups(t.account, 0, 100)).find((g) => String(g.id) === group)?.name,
    untilFinal: async (id) => {
      await waitUntil("the batch final", async () => (await t.store().outbox.get(id))?.final === true, 30_000);
    },
    untilEveryRowFinal: async () => {
      await waitUntil("every row final", async () => (await t.store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    },
    untilSentAloneAndFinal: async (added) => {
      await t.mine(4); // the batch is final reverted
      await waitUntil("the calls applied alone", async () => (await t.onChain(added)) === 1, 30_000);
      await t.mine(4);
      await t.untilEveryRowFinal();
    },
    untilMinedAgainAndFinal: async (id) => {
      await waitUntil("the batch mined again on the new branch", async () => {
        const r = await t.store().outbox.get(id);
        return r?.status === "mined" ? r : undefined;
      }, 30_000);
      await t.mine(4);
      await t.untilFinal(id);
      await t.mine(4);
      await t.untilEveryRowFinal();
    },
    expectApplied: async (c, added, group, updated) => {
      await c.indexer.syncTo(await t.head(), 30_000);
      expect(await t.onChain(added), "on chain").to.equal(1);
      expect(await t.inIndex(added), "in the index").to.equal(1);
      expect(await t.groupName(group)).to.equal(updated);
    },
  };

  before(async function () {
    node = await startChainNode();
    d = await deployDiamondTo(node.url);
    account = h(`${opts.label} account`);
    const owner = (await d.owner.getAddress()).toLowerCase();
    await (await d.diamond.connect(d.owner).newAccount(account, true, opts.label, "", owner)).wait();
  });

  after(async () => {
    d?.provider.destroy();
    await node?.stop();
  });

  beforeEach(async function () {
    await skipUnlessAvailable(this, opts.backend ?? "sqlite");
    ts = await makeStore(opts.backend ?? "sqlite");
  });

  afterEach(async () => {
    for (const c of [...running]) await t.stop(c);
    await ts?.cleanup();
    ts = null;
  });

  return t;
}
