/**
 * The chain layer against imperfect RPC providers: a real chain (`hardhat node` child process)
 * behind fault-injecting JSON-RPC proxies (scripts/lib/rpc-fault-proxy.ts), the chain layer in
 * this process (startChain, SQLite store) reaching it through RPC_URLS-style failover:
 *  - eth_getLogs capped by block range and result count: the index is built by splitting ranges;
 *  - one of two URLs dies in the middle of a burst: every write is answered and applied once;
 *  - one of two URLs lags 1-3 blocks and traffic moves between them: nothing lost, nothing
 *    indexed twice or skipped;
 *  - a 429 storm with Retry-After: calls wait instead of hammering, every write is applied once.
 */
import { expect } from "chai";
import { RpcFaultProxy } from "../../../scripts/lib/rpc-fault-proxy";
import { ChainUnavailableError, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import { startChain, type Chain, type ChainOptions } from "../../../src/relayer/chain";
import type { Store } from "../../../src/relayer/store";
import { chainPerTest, h } from "../support";
import { Wallet } from "ethers";
import { deployDiamondTo, devKey, expectGapFreeNonces, rpcCall, startChainNode, waitUntil, type ChainNode, type Deployed } from "./support";

const PAYERS = [devKey(4), devKey(5)].map((k) => new Wallet(k).address.toLowerCase());

describe("relayer chain layer against imperfect RPC providers (hardhat node behind fault proxies)", function () {
  let node: ChainNode;
  let d: Deployed;
  let account: string;
  /** The block that created the test account: indexers start there (past the deployment's many logs). */
  let accountBlock: number;
  const proxies: RpcFaultProxy[] = [];
  const t = chainPerTest("sqlite");

  const store = t.store;
  const proxy = async (opts: ConstructorParameters<typeof RpcFaultProxy>[1] = {}): Promise<RpcFaultProxy> => {
    const p = await new RpcFaultProxy(node.url, opts).start();
    proxies.push(p);
    return p;
  };
  const head = async (): Promise<number> => Number(await rpcCall(node.url, "eth_blockNumber"));
  const addGroup = (name: string): WriteRequest => ({ method: "addGroup", args: [account, name, "", [], []] });

  async function start(urls: string[], extra: Partial<ChainOptions> = {}): Promise<Chain> {
    const chain = await startChain(store(), {
      rpcUrls: urls,
      rpcTimeoutMs: 5000,
      diamondAddress: d.diamondAddress,
      payerKeys: [devKey(4), devKey(5)],
      adminPayerKey: devKey(3),
      startBlock: accountBlock,
      pollIntervalMs: 50,
      writeTimeoutMs: 60_000,
      balanceCheckIntervalMs: 0,
      ...extra,
    });
    return t.keep(chain);
  }

  /** Every group of the test account as [id, name]: on chain (contract views), and in the index. */
  async function chainGroups(): Promise<[string, string][]> {
    const out: [string, string][] = [];
    for (let page = 0; ; page++) {
      const groups = await d.diamond.listGroups(account, page, 100);
      out.push(...groups.map((g): [string, string] => [g.id.toString(), g.name]));
      if (groups.length < 100) return out;
    }
  }
  async function indexGroups(s: Store): Promise<[string, string][]> {
    const out: [string, string][] = [];
    for (let pageNumber = 0; ; pageNumber++) {
      const groups = await s.index.listGroups(account, { pageNumber, pageSize: 100 });
      out.push(...groups.map((g): [string, string] => [g.id, g.name]));
      if (groups.length < 100) return out;
    }
  }
  /** The index, caught up with the chain's head, lists exactly the groups the chain has. */
  async function expectIndexEqualsChain(c: Chain, s: Store): Promise<void> {
    const top = await head();
    await waitUntil("the index at the head", async () => {
      await c.indexer.syncTo(top, 5000).catch(() => undefined);
      return (await s.index.indexedBlock()) >= top;
    }, 60_000);
    expect(await indexGroups(s)).to.deep.equal(await chainGroups());
  }

  /**
   * A client that retries a 503 under its Idempotency-Key (a write answered "queued" is applied
   * once and its retry returns that outcome; one answered "nothing queued" runs again).
   */
  async function writeRetrying(c: Chain, req: WriteRequest, key: string): Promise<WriteReceipt> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await c.writes.write({ ...req, idempotencyKey: key, idempotencyScope: "imperfect-rpc" });
      } catch (err) {
        if (!(err instanceof ChainUnavailableError) || attempt >= 20) throw err;
      }
    }
  }

  before(async function () {
    node = await startChainNode();
    d = await deployDiamondTo(node.url);
    account = h("imperfect rpc account");
    const owner = (await d.owner.getAddress()).toLowerCase();
    const created = await (await d.diamond.connect(d.owner).newAccount(account, true, "rpc", "", owner)).wait();
    accountBlock = created?.blockNumber ?? 0;
    // Groups written straight to the chain, one block each (1 to 2 logs per block).
    for (let i = 0; i < 30; i++) await (await d.diamond.connect(d.owner).addGroup(account, `direct-${i}`, "", [], [])).wait();
  });

  after(async () => {
    d?.provider.destroy();
    await node?.stop();
  });

  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close();
  });

  it("eth_getLogs capped by block range and result count: the index is built by splitting ranges, every group once", async () => {
    const p = await proxy({ maxLogRange: 8, maxLogResults: 10 });
    const c = await start([p.url], { startWorker: false, logBatchSize: 2000 });
    await expectIndexEqualsChain(c, store());
    expect((await indexGroups(store())).length).to.equal(30);
    expect(p.stats.logRangeErrors).to.be.greaterThan(0);
  });

  it("one of two URLs dies in the middle of a burst: every write is answered and applied once, nonces without gaps", async () => {
    const a = await proxy();
    const b = await proxy();
    const c = await start([a.url, b.url], { batchMaxCalls: 4, rpcFailover: { cooldownMs: 60_000 } });
    const names = Array.from({ length: 30 }, (_, i) => `failover-${i}`);
    let answered = 0;
    const writes = names.map((n) =>
      c.writes.write(addGroup(n)).then((r) => {
        answered++;
        return r;
      }),
    );
    await waitUntil("a few writes answered", async () => answered >= 4, 60_000, 5);
    // The URL in use dies (the relayer may have started on either: its first answer decides).
    const inUse = c.status().rpc?.current;
    const [dying, spare] = inUse === b.url.replace(/\/$/, "") ? [b, a] : [a, b];
    dying.set({ down: true });
    const spareBefore = spare.stats.requests;
    const failoversBefore = c.status().rpc?.failovers ?? 0;
    const receipts = await Promise.all(writes);
    expect(receipts).to.have.length(30);
    const onChain = (await chainGroups()).map(([, n]) => n);
    for (const n of names) expect(onChain.filter((x) => x === n), n).to.have.length(1);
    // One more write after the burst: the relayer must reach the chain through the spare URL.
    await c.writes.write(addGroup("failover-after"));
    expect(spare.stats.requests).to.be.greaterThan(spareBefore);
    const rpc = c.status().rpc;
    expect(rpc?.current).to.equal(spare.url.replace(/\/$/, ""));
    expect(rpc?.failovers).to.be.greaterThan(failoversBefore);
    await expectGapFreeNonces(node.url, PAYERS);
    await expectIndexEqualsChain(c, store());
  });

  it("one of two URLs lags 1-3 blocks and traffic moves between them: nothing lost, nothing indexed twice or skipped", async () => {
    const lagging = await proxy({ lag: { min: 1, max: 3 }, fail5xxRate: 0.1, seed: 11 });
    const current = await proxy({ fail5xxRate: 0.1, seed: 12 });
    const c = await start([lagging.url, current.url], { rpcFailover: { cooldownMs: 100 } });
    const names = Array.from({ length: 40 }, (_, i) => `lag-${i}`);
    for (let i = 0; i < names.length; i += 8) {
      await Promise.all(names.slice(i, i + 8).map((n) => writeRetrying(c, addGroup(n), n)));
    }
    const onChain = (await chainGroups()).map(([, n]) => n);
    for (const n of names) expect(onChain.filter((x) => x === n), n).to.have.length(1);
    expect(lagging.stats.lagged).to.be.greaterThan(0);
    expect(c.status().rpc?.failovers).to.be.greaterThan(1); // back and forth
    await expectGapFreeNonces(node.url, PAYERS);
    await expectIndexEqualsChain(c, store());
  });

  it("a 429 storm with Retry-After: calls wait instead of hammering, and every write is applied once", async () => {
    const p = await proxy();
    const c = await start([p.url]);
    await c.writes.write(addGroup("before-storm"));
    const storm = Date.now();
    p.set({ rateLimit: { until: storm + 1500, retryAfterSeconds: 1 } });
    const names = Array.from({ length: 10 }, (_, i) => `storm-${i}`);
    const receipts = await Promise.all(names.map((n) => c.writes.write(addGroup(n))));
    expect(receipts).to.have.length(10);
    expect(Date.now() - storm).to.be.at.least(1000); // the storm was waited out, not slipped through
    const onChain = (await chainGroups()).map(([, n]) => n);
    for (const n of names) expect(onChain.filter((x) => x === n), n).to.have.length(1);
    expect(p.stats.answered429).to.be.greaterThan(0);
    // Honouring Retry-After: a handful of requests hit the storm (those already under way, then
    // one per second), where a client retrying at its own pace (50 ms ticks, batches, the
    // indexer) would have sent dozens.
    expect(p.stats.answered429).to.be.at.most(20);
    expect(c.status().rpc?.rateLimitWaits).to.be.greaterThan(0);
    await expectGapFreeNonces(node.url, PAYERS);
  });
});
