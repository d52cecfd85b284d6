/**
 * A sent transaction that the node loses before mining it (a reorg onto blocks from a node that
 * never saw it; here evm_revert, which restores the node's pool as it was at the snapshot) is
 * broadcast again with the same signed bytes within seconds, not after the stuck timeout, so
 * neither the write nor the payer's later nonces wait a minute (chain/writer/pool-loss.ts).
 */
import { expect } from "chai";
import { startChain } from "../../../src/relayer/chain";
import type { OutboxRow } from "../../../src/relayer/ports";
import { chainPerTest } from "../support";
import { devKey, rpcCall, nodeWithAccountPerDescribe, waitUntil } from "./support";

describe("relayer outbox: a sent transaction dropped from the node's pool", function () {
  const n = nodeWithAccountPerDescribe("pool loss account", "pool loss");
  const t = chainPerTest("sqlite");

  it("is rebroadcast unchanged within seconds (stuck timeout 60 s) and applied once", async () => {
    const store = t.store();
    const chain = t.keep(
      await startChain(store, {
        rpcUrl: n.node.url,
        diamondAddress: n.d.diamondAddress,
        payerKeys: [devKey(4)],
        adminPayerKey: devKey(3),
        startBlock: n.d.deployBlock,
        pollIntervalMs: 100,
        stuckAfterMs: 60_000,
        writeTimeoutMs: 120_000,
        balanceCheckIntervalMs: 0,
        confirmationDepth: 0,
      }),
    );
    await rpcCall(n.node.url, "evm_setAutomine", [false]);
    try {
      const snap = (await rpcCall(n.node.url, "evm_snapshot")) as string;
      const answer = chain.writer.write({ method: "addGroup", args: [n.account, "g-pool-loss", "", [], []] });
      answer.catch(() => undefined); // awaited below
      const sent = await waitUntil(
        "the write sent (in the node's pool)",
        async () => (await store.outbox.list()).find((r: OutboxRow) => r.method === "addGroup" && r.status === "sent"),
        30_000,
      );
      const hash = sent.txHashes.at(-1) as string;
      expect(await rpcCall(n.node.url, "eth_getTransactionByHash", [hash])).to.not.equal(null);
      expect(await rpcCall(n.node.url, "evm_revert", [snap])).to.equal(true);
      expect(await rpcCall(n.node.url, "eth_getTransactionByHash", [hash])).to.equal(null); // gone from the pool

      const started = Date.now();
      let answered = false;
      void answer.then(() => (answered = true), () => (answered = true));
      // blocks keep coming, as on a real chain; the write must be in one of them well before 60 s
      await waitUntil(
        "the write mined again",
        async () => {
          await rpcCall(n.node.url, "evm_mine");
          return answered;
        },
        20_000,
        250,
      );
      const receipt = await answer;
      expect(Date.now() - started).to.be.below(20_000);
      expect(receipt.txHash).to.equal(hash); // the same signed transaction
      const row = await store.outbox.get(sent.id);
      expect(row).to.deep.include({ status: "mined", attempts: 1 }); // not re-signed with higher fees
      const names = (await n.d.diamond.listGroups(n.account, 0, 100)).map((g) => g.name);
      expect(names.filter((n) => n === "g-pool-loss")).to.have.length(1);
    } finally {
      await rpcCall(n.node.url, "evm_setAutomine", [true]);
    }
  });
});
