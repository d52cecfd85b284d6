/**
 * FreshIndexGate on its own (fake RPC and indexer): one head read shared by concurrent requests,
 * never a read that started before the request, a catch-up only when the index is behind, and
 * StaleIndexError (503 IndexBehindHead with Retry-After) past the bound.
 */
import { expect } from "chai";
import fc from "fast-check";
import { FreshIndexGate, type HeadFollower } from "../../../src/relayer/chain/fresh-index";
import type { RpcLike } from "../../../src/relayer/chain/rpc";
import { StaleIndexError } from "../../../src/relayer/ports";
import { classifyError } from "../../../src/relayer/http/errors";

/** eth_blockNumber answered by hand: each call waits until the test settles it. */
class ManualRpc implements RpcLike {
  head = 10;
  readonly pending: { resolve: (v: unknown) => void; reject: (e: unknown) => void; headAtStart: number }[] = [];
  calls = 0;
  send(method: string): Promise<unknown> {
    if (method !== "eth_blockNumber") return Promise.reject(new Error(`unexpected ${method}`));
    this.calls++;
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject, headAtStart: this.head }));
  }
  /** Answers the oldest read with the head as it was when that read started. */
  answerNext(): void {
    const p = this.pending.shift();
    if (p === undefined) throw new Error("no read in flight");
    p.resolve(`0x${p.headAtStart.toString(16)}`);
  }
  failNext(message: string): void {
    this.pending.shift()?.reject(new Error(message));
  }
}

/** An indexer at `indexed` that reaches a synced block after `delayMs` (never, when null). */
class FakeFollower implements HeadFollower {
  synced: number[] = [];
  constructor(
    public indexed: number,
    public delayMs: number | null = 0,
  ) {}
  status(): { indexedBlock: number } {
    return { indexedBlock: this.indexed };
  }
  syncTo(block: number, timeoutMs: number): Promise<void> {
    this.synced.push(block);
    const delay = this.delayMs;
    if (delay === null) return new Promise(() => undefined);
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        if (delay > timeoutMs) return reject(new Error("too slow"));
        this.indexed = Math.max(this.indexed, block);
        resolve();
      }, delay),
    );
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

async function settle(rpc: ManualRpc): Promise<void> {
  while (rpc.pending.length > 0) {
    rpc.answerNext();
    await tick();
  }
}

describe("FreshIndexGate", function () {
  this.timeout(30_000);

  it("an index already at the head passes after one head read, without a catch-up", async () => {
    const rpc = new ManualRpc();
    const follower = new FakeFollower(10);
    const gate = new FreshIndexGate(rpc, follower);
    const done = gate.ensureFresh();
    await tick();
    rpc.answerNext();
    await done;
    expect(follower.synced).to.deep.equal([]);
    expect(gate.stats()).to.include({ checks: 1, headReads: 1, waits: 0, failures: 0 });
  });

  it("an index behind the head is caught up to exactly that head before the check passes", async () => {
    const rpc = new ManualRpc();
    rpc.head = 15;
    const follower = new FakeFollower(10, 5);
    const gate = new FreshIndexGate(rpc, follower);
    const done = gate.ensureFresh();
    await tick();
    rpc.answerNext();
    await done;
    expect(follower.synced).to.deep.equal([15]);
    expect(follower.indexed).to.equal(15);
    expect(gate.stats().waits).to.equal(1);
  });

  it("a request arriving while a head read is in flight waits for a read started after it (a block mined meanwhile counts)", async () => {
    const rpc = new ManualRpc();
    const follower = new FakeFollower(10, 1);
    const gate = new FreshIndexGate(rpc, follower);
    const first = gate.ensureFresh();
    await tick();
    rpc.head = 11; // mined after the first read started, before the second request arrives
    const second = gate.ensureFresh();
    await tick();
    expect(rpc.calls).to.equal(1); // the second read starts only once the first settles
    rpc.answerNext(); // answers 10: the first request passes
    await first;
    await tick();
    expect(rpc.calls).to.equal(2);
    rpc.answerNext(); // answers 11
    await second;
    expect(follower.synced).to.deep.equal([11]);
  });

  it("concurrent requests share reads: at most one in flight and one queued, whatever their number", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }), async (gaps) => {
        const rpc = new ManualRpc();
        const gate = new FreshIndexGate(rpc, new FakeFollower(1_000_000));
        const checks: Promise<void>[] = [];
        for (const gap of gaps) {
          checks.push(gate.ensureFresh());
          for (let i = 0; i < gap; i++) await tick();
          expect(rpc.pending.length).to.be.at.most(1);
          if (gap === 3 && rpc.pending.length > 0) rpc.answerNext();
        }
        await tick();
        await settle(rpc);
        await Promise.all(checks);
        // every answered read served every request that arrived before it started
        expect(rpc.calls).to.be.at.most(gaps.length);
        expect(rpc.calls).to.be.at.most(gaps.filter((g) => g === 3).length + 2);
      }),
      { numRuns: 60 },
    );
  });

  it("an index that does not reach the head within the bound fails with StaleIndexError, 503 IndexBehindHead + Retry-After", async () => {
    const rpc = new ManualRpc();
    rpc.head = 20;
    const gate = new FreshIndexGate(rpc, new FakeFollower(10, null), { timeoutMs: 50, retryAfterSeconds: 2 });
    const done = gate.ensureFresh();
    await tick();
    rpc.answerNext();
    let error: unknown;
    try {
      await done;
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(StaleIndexError);
    expect(error).to.include({ headBlock: 20, indexedBlock: 10, retryAfterSeconds: 2 });
    const reply = classifyError(error);
    expect(reply).to.include({ status: 503, code: "IndexBehindHead", retryAfterSeconds: 2 });
    expect(reply.message).to.contain("block 20");
    expect(gate.stats().failures).to.equal(1);
  });

  it("a head that cannot be read fails with StaleIndexError too (no answer from the last poll)", async () => {
    const rpc = new ManualRpc();
    const gate = new FreshIndexGate(rpc, new FakeFollower(10));
    const done = gate.ensureFresh();
    await tick();
    rpc.failNext("connection refused");
    let error: unknown;
    try {
      await done;
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(StaleIndexError);
    expect((error as StaleIndexError).headBlock).to.equal(null);
    expect((error as Error).message).to.contain("connection refused");
    // the failed read does not wedge the gate: the next request reads again
    const next = gate.ensureFresh();
    await tick();
    rpc.answerNext();
    await next;
  });

  it("a head read that never answers is bounded as well", async () => {
    const rpc = new ManualRpc();
    const gate = new FreshIndexGate(rpc, new FakeFollower(10), { timeoutMs: 50 });
    let error: unknown;
    try {
      await gate.ensureFresh();
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(StaleIndexError);
    expect((error as Error).message).to.contain("could not be read within 50 ms");
    // the hung read is given up: the next request reads again rather than queueing behind it
    const next = gate.ensureFresh();
    await tick();
    expect(rpc.calls).to.equal(2);
    rpc.pending.pop()?.resolve("0xa");
    await next;
  });
});
