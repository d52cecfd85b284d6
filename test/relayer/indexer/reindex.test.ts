/**
 * The index rebuilt by `npx hardhat relayer:reindex` (and by the relayer's --reindex flag) equals
 * the live one row by row (rows, positions, the block of each row), after writes of every kind and
 * a reorg the live index followed.
 */
import { expect } from "chai";
import type { LightMyRequestResponse } from "fastify";
import { ethers, network } from "hardhat";
import { openStore } from "../../../src/relayer/store";
import { dumpIndex } from "../store/support";
import { runTask } from "../../tasks/support";
import { mineBlocks, startLocalRelayer, type LocalRelayer } from "./support";

describe("indexer: rebuilding the index (relayer:reindex, --reindex)", function () {
  this.timeout(300_000);
  let t: LocalRelayer | null = null;

  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it("rebuilds an index equal to the live one, row by row", async () => {
    t = await startLocalRelayer();
    const r = t;
    const created = await r.call("POST", "/core/v1/new_account", undefined, { account_name: "reindex", account_description: "d" });
    expect(created.statusCode, created.body).to.equal(200);
    const apiKey = (created.json() as { api_key: string }).api_key;
    const ok = async (p: Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> => {
      const res = await p;
      expect(res.statusCode, res.body).to.equal(200);
      return res;
    };
    const addGroup = (name: string) =>
      ok(r.call("POST", "/core/v1/add_group", apiKey, { group_name: name, group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] }));
    for (const name of ["a", "b", "c"]) await addGroup(name);
    await ok(r.call("POST", "/core/v1/add_action", apiKey, { action_ipfs_cid: "QmWmyoMoctfbAaiEs2G46gpeUmhqFRDW6KWo64y5r581Vz", name: "x", description: "y" }));
    const groups = (await ok(r.call("GET", "/core/v1/list_groups?page_number=0&page_size=10", apiKey))).json() as { id: string }[];
    await ok(r.call("POST", "/core/v1/remove_group", apiKey, { group_id: groups[0].id }));
    // A reorg the live index follows (inside the window): two blocks with writes replaced.
    const snap = (await network.provider.send("evm_snapshot", [])) as string;
    await addGroup("dropped-1");
    await addGroup("dropped-2");
    expect(await network.provider.send("evm_revert", [snap])).to.equal(true);
    await mineBlocks(3);
    await addGroup("after");
    const head = await ethers.provider.getBlockNumber();
    await r.relayer.chain.indexer.syncTo(head, 60_000);
    expect(r.relayer.chain.status().indexer.reorgs).to.be.at.least(1);
    const live = await dumpIndex(r.relayer.store);
    // The writes of the dropped blocks were sent again by the writer: the index lists what the chain has.
    const master = ethers.keccak256(ethers.toUtf8Bytes(apiKey));
    const onChain = (await r.f.diamond.listGroups(master, 0, 100)).map((g) => g.name).sort();
    expect(live.account_groups.map((g) => (g as { name: string }).name).sort()).to.deep.equal(onChain);
    expect(onChain).to.include.members(["after", "b", "c"]);

    // relayer:reindex on the relayer's database, with the relayer stopped.
    await r.relayer.close();
    const out = await runTask("relayer:reindex", { dataDir: r.dataDir, diamond: r.f.diamondAddress, startBlock: "0" });
    expect(out.exitCode, out.printed).to.equal(0);
    expect((out.value as { indexedBlock: number }).indexedBlock).to.be.at.least(head);
    const store = await openStore({ dataDir: r.dataDir });
    try {
      expect(await dumpIndex(store)).to.deep.equal(live);
    } finally {
      await store.close();
    }

    // The relayer's --reindex flag: the same rebuild at start-up.
    const restarted = await r.restart({ reindex: true });
    await restarted.chain.indexer.syncTo(head, 60_000);
    expect(await dumpIndex(restarted.store)).to.deep.equal(live);
  });
});
