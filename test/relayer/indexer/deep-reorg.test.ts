/**
 * A reorg deeper than REORG_WINDOW (docs/finality.md): the index cannot follow it, so it stops
 * rather than diverge silently: an error log that names the cause and the fix, /health chain
 * false and /ready false, the relayer_index_reorgs{counter="halted"} metric 1, and every read of
 * the index refused (503 IndexUnavailable) instead of serving groups the chain no longer has.
 * The writer is told all the same and sends the writes of the dropped blocks again (each applied
 * once). A rebuild (--reindex) brings the index back, equal to the chain.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { dumpIndex } from "../store/support";
import { keyHash, waitUntil } from "../resilience/support";
import { mineBlocks, rebuildIndex, startLocalRelayer, type LocalRelayer } from "./support";
import { ethers } from "hardhat";

describe("indexer: a reorg deeper than the reorg window", function () {
  this.timeout(300_000);
  let t: LocalRelayer | null = null;

  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it("stops the index with a clear error, health and ready false, reads refused; --reindex rebuilds it equal to the chain", async () => {
    t = await startLocalRelayer({ REORG_WINDOW: "3" });
    const r = t;
    const created = await r.call("POST", "/core/v1/new_account", undefined, { account_name: "deep", account_description: "" });
    expect(created.statusCode, created.body).to.equal(200);
    const apiKey = (created.json() as { api_key: string }).api_key;
    const addGroup = (name: string) =>
      r.call("POST", "/core/v1/add_group", apiKey, { group_name: name, group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] });
    expect((await addGroup("kept")).statusCode).to.equal(200);

    const snap = (await network.provider.send("evm_snapshot", [])) as string;
    for (let i = 0; i < 5; i++) expect((await addGroup(`dropped-${i}`)).statusCode).to.equal(200);
    const listed = await r.call("GET", "/core/v1/list_groups?page_number=0&page_size=100", apiKey);
    expect((listed.json() as unknown[]).length).to.equal(6);

    // Five blocks holding writes replaced by eight others: deeper than the 3 blocks the index keeps.
    expect(await network.provider.send("evm_revert", [snap])).to.equal(true);
    await mineBlocks(8);

    const health = await waitUntil(
      "health to report the index stopped",
      async () => {
        const res = await r.call("GET", "/health");
        return res.statusCode === 503 && (res.json() as { components: { chain: boolean } }).components.chain === false ? res : undefined;
      },
      60_000,
      50,
    );
    expect((health.json() as { components: Record<string, boolean> }).components).to.deep.include({ chain: false });
    expect((await r.call("GET", "/ready")).statusCode).to.equal(503);
    const error = r.log.lines.find((l) => l.level === "error" && /index stopped/.test(l.msg));
    expect(error, "the error log line").to.not.equal(undefined);
    expect(error?.msg).to.include("deeper than the window").and.include("REORG_WINDOW 3").and.include("relayer:reindex");
    expect(r.relayer.chain.status().indexer.halted).to.be.a("string");
    const metrics = await r.call("GET", "/metrics");
    expect(metrics.body).to.match(/relayer_index_reorgs\{counter="halted"\} 1/);

    // Nothing served as true that is not: the dropped groups are not listed, the read is refused.
    const refused = await r.call("GET", "/core/v1/list_groups?page_number=0&page_size=100", apiKey);
    expect(refused.statusCode, refused.body).to.equal(503);
    expect((refused.json() as { error?: string; code?: string }).code ?? refused.body).to.include("IndexUnavailable");

    // The writer was told all the same: it sent the dropped writes again (answered, so made true),
    // each applied once on the new chain.
    const onChain = async (): Promise<string[]> =>
      (await r.f.diamond.listGroups(keyHash(apiKey), 0, 100)).map((g: { name: string }) => g.name).sort();
    const answered = ["dropped-0", "dropped-1", "dropped-2", "dropped-3", "dropped-4", "kept"];
    await waitUntil("the dropped writes back on chain", async () => (await onChain()).length >= answered.length, 60_000, 50);
    expect(await onChain()).to.deep.equal(answered);

    // Rebuilt from the start block: equal to an index built from the chain, and serving again.
    const restarted = await r.restart({ reindex: true });
    await restarted.chain.indexer.syncTo(await ethers.provider.getBlockNumber(), 60_000);
    const fresh = await rebuildIndex(ethers.provider, r.f.diamondAddress, 0);
    try {
      expect(await dumpIndex(restarted.store)).to.deep.equal(await dumpIndex(fresh.store));
    } finally {
      await fresh.cleanup();
    }
    expect((await r.call("GET", "/health")).statusCode).to.equal(200);
    // The rebuilt index lists what the chain has: every answered write, once.
    const after = await r.call("GET", "/core/v1/list_groups?page_number=0&page_size=100", apiKey);
    expect(after.statusCode, after.body).to.equal(200);
    expect((after.json() as { name: string }[]).map((g) => g.name).sort()).to.deep.equal(answered);
  });
});
