/**
 * Text a database refuses (issue 13 items 5 and 10; docs/relayer-untrusted-input.md "Text"): on input
 * it is 400 naming the field, before anything is written; on the indexing side (names a wallet
 * writes straight on-chain) it is stored with U+FFFD in place of what cannot be stored, and the
 * indexer never stalls on it. On SQLite and on Postgres.
 */
import { expect } from "chai";
import { solidityPackedKeccak256 } from "ethers";
import { BACKENDS, errorOf, newAccount, skipUnlessAvailable, startRelayerOn, type RealRelayer } from "./support";

for (const backend of BACKENDS) {
  describe(`relayer hardening: text a database refuses (${backend})`, function () {
    let r: RealRelayer | null = null;

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
    });

    afterEach(async () => {
      await r?.close();
      r = null;
    });

    it("add_group with a NUL in group_name answers 400 naming group_name and writes nothing", async () => {
      r = await startRelayerOn(backend);
      const key = await newAccount(r);
      const block = await r.relayer.store.index.indexedBlock();
      const res = await r.call("POST", "/add_group", {
        key,
        body: { group_name: "x\u0000y", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
      });
      expect(res.statusCode, res.body).to.equal(400);
      expect(errorOf(res).error).to.contain("group_name");
      expect(await r.relayer.store.index.indexedBlock()).to.equal(block);
      const groups = await r.call("GET", "/list_groups?page_number=0&page_size=10", { key });
      expect(groups.json()).to.deep.equal([]);
    });

    it("new_account with a lone surrogate in account_name answers 400 naming account_name, never 500", async () => {
      r = await startRelayerOn(backend);
      const res = await r.call("POST", "/new_account", { body: { account_name: "\ud800", account_description: "" } });
      expect(res.statusCode, res.body).to.equal(400);
      expect(errorOf(res).error).to.contain("account_name");
    });

    it("a body that is not valid UTF-8 (an over-long NUL) answers 400 and writes nothing", async () => {
      const relayer = await startRelayerOn(backend);
      r = relayer;
      const raw = Buffer.concat([
        Buffer.from('{"account_name":"a'),
        Buffer.from([0xc0, 0x80]), // over-long encoding of U+0000
        Buffer.from('b","account_description":""}'),
      ]);
      // "Writes nothing": no outbox row (the index may still move: the relayer's own start-up
      // transactions can be indexed meanwhile).
      const rows = async () =>
        Number((await relayer.relayer.store.db.one<{ n: number | string }>("SELECT COUNT(*) AS n FROM outbox"))?.n ?? 0);
      const before = await rows();
      const res = await relayer.call("POST", "/new_account", { raw });
      expect(res.statusCode, res.body).to.equal(400);
      expect(errorOf(res).error).to.match(/UTF-8/);
      expect(await rows()).to.equal(before);
    });

    it("a group name with a NUL written straight on-chain by a ChainSecured wallet: the indexer keeps going, later writes and reads work", async () => {
      r = await startRelayerOn(backend);
      const { diamond, users } = r.f;
      const wallet = users[3];
      const master = solidityPackedKeccak256(["address"], [wallet.address]);
      await (await diamond.connect(wallet).newChainSecuredAccount("cs", "")).wait();
      const tx = await (await diamond.connect(wallet).addGroup(master, "x\u0000y", "d\u0000", [], [])).wait();
      await r.relayer.chain.indexer.syncTo(Number(tx?.blockNumber), 15_000);
      const [group] = await r.relayer.store.index.listGroups(master, { pageNumber: 0, pageSize: 10 });
      expect(group).to.deep.include({ name: "x\ufffdy", description: "d\ufffd" });

      // The index keeps following the chain: a managed account's writes through the relayer complete
      // (each waits for the indexer) and read back.
      const key = await newAccount(r);
      const added = await r.call("POST", "/add_group", {
        key,
        body: { group_name: "after", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
      });
      expect(added.statusCode, added.body).to.equal(200);
      const groups = await r.call("GET", "/list_groups?page_number=0&page_size=10", { key });
      expect((groups.json() as { name: string }[]).map((g) => g.name)).to.deep.equal(["after"]);
      expect(r.relayer.chain.status().indexer.consecutiveFailures).to.equal(0);
    });
  });
}
