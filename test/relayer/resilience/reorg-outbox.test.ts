/**
 * The outbox through reorgs, on a real chain (`hardhat node` child process) reorganised with
 * evm_snapshot / evm_revert + evm_mine: a mined write whose block is dropped is rebroadcast with
 * the same signed bytes and ends on the canonical chain exactly once; a nonce taken meanwhile by
 * another transaction makes the write pre-flight again and go out at a fresh nonce, or be recorded
 * with its error when it no longer applies; WRITE_CONFIRMATIONS holds the answer until the
 * receipt is deep enough; nonces stay gap-free and the next write lands at once.
 * The chain layer runs in this process (startChain, SQLite store) over HTTP to the node.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { startChain, type Chain, type ChainOptions } from "../../../src/relayer/chain";
import { encodeCall } from "../../../src/relayer/chain/abi";
import type { OutboxRow } from "../../../src/relayer/ports";
import { chainPerTest, h } from "../support";
import { devKey, expectGapFreeNonces, minedTransactions, nodeControls, nodeWithAccountPerDescribe, reorgChainOptions, rpcCall, waitUntil } from "./support";

const PAYER = new Wallet(devKey(4)).address.toLowerCase();

describe("relayer outbox through reorgs (hardhat node, evm_snapshot / evm_revert)", function () {
  const n = nodeWithAccountPerDescribe("reorg account", "reorg");
  const t = chainPerTest("sqlite");

  const store = t.store;
  const { head: blockNumber, mine, snapshot, revert } = nodeControls(() => n.node.url);
  const row = async (id: number): Promise<OutboxRow> => {
    const r = await store().outbox.get(id);
    if (!r) throw new Error(`no outbox row ${id}`);
    return r;
  };
  const lastRow = async (): Promise<OutboxRow> => {
    const all = await store().outbox.list();
    const r = all.at(-1);
    if (!r) throw new Error("outbox is empty");
    return r;
  };
  const groupNames = async (): Promise<string[]> => {
    const names: string[] = [];
    for (let page = 0; ; page++) {
      const groups = await n.d.diamond.listGroups(n.account, page, 100);
      names.push(...groups.map((g) => g.name));
      if (groups.length < 100) return names;
    }
  };
  const addGroup = (name: string) => ({ method: "addGroup", args: [n.account, name, "", [], []] });

  async function start(extra: Partial<ChainOptions>): Promise<Chain> {
    return t.keep(await startChain(store(), reorgChainOptions(n.node.url, n.d, extra)));
  }

  it("rebroadcasts the same signed bytes of a write whose block was reorged out; it is on the canonical chain exactly once", async () => {
    const c = await start({ confirmationDepth: 5 });
    const snap = await snapshot();
    const request = { ...addGroup("g-dropped"), idempotencyKey: "reorg-key", idempotencyScope: n.account };
    const answered = await c.writer.write(request);
    const before = await lastRow();
    expect(before).to.deep.include({ status: "mined", final: false, minedHash: answered.txHash });

    await revert(snap); // the block holding the write is gone, and so is the transaction
    expect(await rpcCall(n.node.url, "eth_getTransactionReceipt", [answered.txHash])).to.equal(null);
    await mine(3); // the canonical chain grows past the old head

    const after = await waitUntil(
      "the write mined again on the canonical chain",
      async () => {
        const r = await row(before.id);
        return r.status === "mined" && r.blockHash !== null && r.blockHash !== before.blockHash ? r : undefined;
      },
      30_000,
    );
    expect(after.txHashes).to.deep.equal(before.txHashes); // the same signed transaction, no new attempt
    expect(after.minedHash).to.equal(answered.txHash);
    const receipt = (await rpcCall(n.node.url, "eth_getTransactionReceipt", [answered.txHash])) as { blockHash: string };
    expect(receipt.blockHash).to.equal(after.blockHash);
    expect((await groupNames()).filter((n) => n === "g-dropped")).to.have.length(1);
    // Seen by the finality rounds either as dropped (its block replaced, the bytes rebroadcast) or,
    // when the indexer reported the reorg first and its early re-send was mined before the next
    // round, as moved (re-mined in another block): one of the two, once.
    const { dropped, moved } = c.status().writer.finality;
    expect(dropped + moved, `dropped ${dropped}, moved ${moved}`).to.equal(1);
    // The Idempotency-Key record followed the row: a retry gets the canonical receipt, nothing new is stored.
    const rows = (await store().outbox.list()).length;
    const retried = await c.writer.write(request);
    expect(retried.txHash).to.equal(answered.txHash);
    expect(retried.blockNumber).to.equal(after.blockNumber);
    expect((await store().outbox.list()).length).to.equal(rows);

    await mine(5);
    await waitUntil("the write final", async () => (await row(before.id)).final, 30_000);
    await expectGapFreeNonces(n.node.url, [PAYER]);
  });

  it("a reorg in the middle of a batched burst: every answered write is on the canonical chain exactly once, and the next write lands at once", async () => {
    const c = await start({ confirmationDepth: 6 });
    const first = Array.from({ length: 12 }, (_, i) => `burst-a-${i}`);
    await Promise.all(first.map((n) => c.writes.write(addGroup(n))));
    const snap = await snapshot();
    const forkHead = await blockNumber();
    const second = Array.from({ length: 12 }, (_, i) => `burst-b-${i}`);
    for (const wave of [second.slice(0, 4), second.slice(4, 8), second.slice(8)]) {
      await Promise.all(wave.map((n) => c.writes.write(addGroup(n))));
    }
    expect(c.status().batches.batches).to.be.greaterThan(0);
    const dropped = (await store().outbox.list()).filter((r) => (r.blockNumber ?? 0) > forkHead);
    expect(dropped.length).to.be.greaterThan(1);

    await revert(snap);
    await mine(2);
    await waitUntil(
      "every reorged-out row mined again",
      async () => {
        for (const r of dropped) {
          const now = await row(r.id);
          if (now.status !== "mined" || now.blockHash === r.blockHash) return false;
        }
        return true;
      },
      30_000,
    );
    const names = await groupNames();
    for (const n of [...first, ...second]) expect(names.filter((x) => x === n), n).to.have.length(1);

    const head = await blockNumber();
    const next = await c.writes.write(addGroup("after-reorg"));
    expect(next.blockNumber - head).to.be.at.most(2);
    await expectGapFreeNonces(n.node.url, [PAYER]);
  });

  it("a nonce taken by another transaction after the reorg: the write is pre-flighted again and applied once at a fresh nonce", async () => {
    const c = await start({ confirmationDepth: 5 });
    const snap = await snapshot();
    await c.writer.write(addGroup("g-nonce-taken"));
    const before = await lastRow();
    await revert(snap);
    // Someone else with the payer's key uses its nonce on the new canonical chain.
    const payer = new Wallet(devKey(4), n.d.provider);
    await (await payer.sendTransaction({ to: PAYER, value: 0n, nonce: before.nonce as number })).wait();
    await mine(2);

    const after = await waitUntil(
      "the write re-sent at a fresh nonce and mined",
      async () => {
        const r = await row(before.id);
        return r.status === "mined" && r.nonce !== before.nonce ? r : undefined;
      },
      30_000,
    );
    expect(after.nonce).to.equal((before.nonce as number) + 1);
    expect(after.txHashes).to.have.length(2);
    expect((await groupNames()).filter((n) => n === "g-nonce-taken")).to.have.length(1);
    await expectGapFreeNonces(n.node.url, [PAYER]);
    expect(await store().outbox.nextNonce(PAYER)).to.equal(Number(await rpcCall(n.node.url, "eth_getTransactionCount", [PAYER, "latest"])));
  });

  it("a nonce taken by a transaction that makes the write no longer apply: recorded with its decoded error, nothing sent", async () => {
    const c = await start({ confirmationDepth: 5 });
    const owner = (await n.d.owner.getAddress()).toLowerCase();
    const hash = h("taken and gone");
    const snap = await snapshot();
    await c.writer.write({ method: "newAccount", args: [hash, true, "mine", "", owner] });
    const before = await lastRow();
    await revert(snap);
    // The payer's nonce is used on the new chain by a transaction creating the same account.
    const payer = new Wallet(devKey(4), n.d.provider);
    await (
      await payer.sendTransaction({
        to: n.d.diamondAddress,
        data: encodeCall("newAccount", [hash, true, "theirs", "", owner]),
        nonce: before.nonce as number,
      })
    ).wait();
    await mine(2);

    const after = await waitUntil(
      "the write recorded as no longer applicable",
      async () => {
        const r = await row(before.id);
        return r.status === "reverted" ? r : undefined;
      },
      30_000,
    );
    expect(after).to.deep.include({ errorName: "AccountAlreadyExists", nonce: null, final: true, minedHash: null });
    expect(after.errorArgs).to.deep.equal([hash]);
    expect((await n.d.diamond.getAccount(hash)).name).to.equal("theirs");
    const sentFromPayer = await minedTransactions(n.node.url, [PAYER], 0);
    expect(sentFromPayer.filter((t) => t.hash === before.txHashes[0])).to.deep.equal([]);
    await expectGapFreeNonces(n.node.url, [PAYER]);
  });

  it("WRITE_CONFIRMATIONS 2: the answer waits for 2 blocks on top, also across a reorg that drops the first inclusion", async () => {
    const c = await start({ confirmationDepth: 4, writeConfirmations: 2 });
    const snap = await snapshot();
    let answered = false;
    const pending = c.writer.write(addGroup("g-confirmed")).then((r) => {
      answered = true;
      return r;
    });
    pending.catch(() => undefined); // awaited below; a failing test must not leave it unhandled
    const first = await waitUntil("the write mined", async () => {
      const r = await lastRow();
      return r.method === "addGroup" && r.status === "mined" ? r : undefined;
    }, 30_000);
    const rounds = c.status().writer.finality.rounds;
    await waitUntil("two tracker rounds", async () => c.status().writer.finality.rounds >= rounds + 2, 30_000);
    expect(answered, "answered with no block on top").to.equal(false);

    await revert(snap);
    await mine(1); // replaces the write's block: it is rebroadcast (and mined again at once)
    const again = await waitUntil("mined again", async () => {
      const r = await row(first.id);
      return r.status === "mined" && r.blockHash !== first.blockHash ? r : undefined;
    }, 30_000);
    const seen = c.status().writer.finality.rounds;
    await waitUntil("two more tracker rounds", async () => c.status().writer.finality.rounds >= seen + 2, 30_000);
    expect(answered, "answered with no block on top of the new inclusion").to.equal(false);
    await mine(2);
    const r = await pending;
    expect(r.blockNumber).to.equal(again.blockNumber);
    expect(await blockNumber()).to.be.at.least(r.blockNumber + 2);
    expect((await groupNames()).filter((n) => n === "g-confirmed")).to.have.length(1);
  });

  it("confirmation depth 0: a reorg the index reports (noteReorg) still sends a dropped write back and applies it once", async () => {
    const c = await start({ confirmationDepth: 0 });
    const snap = await snapshot();
    const fork = await blockNumber();
    await c.writer.write(addGroup("g-noted"));
    const before = await lastRow();
    expect(before.final).to.equal(true); // nothing watches it by itself
    await revert(snap);
    await mine(3);
    c.writer.noteReorg(fork + 1);
    await waitUntil(
      "the write mined again",
      async () => {
        const r = await row(before.id);
        return r.status === "mined" && r.blockHash !== before.blockHash ? r : undefined;
      },
      30_000,
    );
    expect((await groupNames()).filter((n) => n === "g-noted")).to.have.length(1);
    await expectGapFreeNonces(n.node.url, [PAYER]);
  });
});
