/**
 * List pages keep their answers while costing less CPU (docs/relayer-latency.md, "Read path CPU"):
 * the statements no longer read the account column back per row, yet each row still carries the
 * account it belongs to and the stored columns, on both databases; list_groups pads a group id from
 * its number, giving the same 32-byte hex as toHash32.
 */
import { expect } from "chai";
import { apiKeyTextHash, toHash32 } from "../../../src/core";
import { groupItem } from "../../../src/relayer/http/present";
import { accountKey, bigGroup, type ScaleSpec } from "../../../bench/scale/dataset";
import { fillIndex } from "../../../bench/scale/fill";
import { BACKENDS, makeStore, skipUnlessAvailable, type TestStore } from "../support";

const SPEC: ScaleSpec = { accounts: 3, groups: 30, actions: 20, wallets: 20, usageKeys: 2 };

for (const backend of BACKENDS) {
  describe(`list pages carry the stored rows (${backend})`, function () {
    this.timeout(60_000);
    let ts: TestStore | null = null;

    before(async function () {
      await skipUnlessAvailable(this, backend);
      ts = await makeStore(backend);
      await fillIndex(ts.store, SPEC);
    });
    after(async () => ts?.cleanup());

    const master = apiKeyTextHash(accountKey(0));
    // The account in another case: the rows carry the stored (lowercase) form, as before.
    const asked = master.toUpperCase().replace("0X", "0x");

    it("list_groups pages give every stored column, the account included", async () => {
      const { store } = ts as TestStore;
      const want = await store.db.query(
        "SELECT id, account, name, description FROM account_groups WHERE account = $1 ORDER BY pos",
        [master],
      );
      const got = [
        ...(await store.index.listGroups(asked, { pageNumber: 0, pageSize: 16 })),
        ...(await store.index.listGroups(asked, { pageNumber: 1, pageSize: 16 })),
      ];
      expect(want.length).to.equal(SPEC.groups);
      expect(got.map((r) => ({ ...r, id: String(r.id) }))).to.deep.equal(want.map((r) => ({ ...r, id: String(r.id) })));
    });

    it("list_actions pages give every stored column, the account included", async () => {
      const { store } = ts as TestStore;
      const want = await store.db.query("SELECT account, cid, name, description FROM actions WHERE account = $1 ORDER BY pos", [master]);
      const got = await store.index.listActions(asked, { pageNumber: 0, pageSize: 100 });
      expect(want.length).to.equal(SPEC.actions);
      expect(got).to.deep.equal(want);
    });

    it("list_wallets pages give every stored column, the account included", async () => {
      const { store } = ts as TestStore;
      const want = await store.db.query(
        "SELECT pkp, account, derivation, name, description FROM wallets WHERE account = $1 ORDER BY pos",
        [master],
      );
      const got = await store.index.listWallets(asked, { pageNumber: 0, pageSize: 100 });
      expect(want.length).to.equal(SPEC.wallets);
      expect(got).to.deep.equal(want.map((r) => ({ ...r, derivation: String(r.derivation) })));
    });

    it("a group's action and wallet pages give its members with their metadata, in list order", async () => {
      const { store } = ts as TestStore;
      const group = bigGroup(SPEC);
      const cids = await store.db.query<{ cid: string; name: string | null; description: string | null }>(
        `SELECT c.cid, a.name, a.description FROM group_cids c LEFT JOIN actions a ON a.account = $1 AND a.cid = c.cid
         WHERE c.group_id = $2 ORDER BY c.pos`,
        [master, group],
      );
      const actions = await store.index.listActionsInGroup(asked, group, { pageNumber: 0, pageSize: 100 });
      expect(cids.length).to.be.greaterThan(0);
      expect(actions).to.deep.equal(cids.map((r) => ({ account: master, cid: r.cid, name: r.name ?? "", description: r.description ?? "" })));
      const members = await store.db.query<{ wallet: string; derivation: string | null; name: string | null; description: string | null }>(
        `SELECT m.wallet, w.derivation, w.name, w.description FROM group_wallets m LEFT JOIN wallets w ON w.pkp = m.wallet
         WHERE m.group_id = $1 ORDER BY m.pos`,
        [group],
      );
      const wallets = await store.index.listWalletsInGroup(asked, group, { pageNumber: 0, pageSize: 100 });
      expect(members.length).to.be.greaterThan(0);
      expect(wallets).to.deep.equal(
        members.map((r) => ({
          pkp: r.wallet,
          account: master,
          derivation: r.derivation === null ? "0" : String(r.derivation),
          name: r.name ?? "",
          description: r.description ?? "",
        })),
      );
      // Another account's group: null, as before.
      expect(await store.index.listActionsInGroup(apiKeyTextHash(accountKey(1)), group, { pageNumber: 0, pageSize: 10 })).to.equal(null);
      expect(await store.index.listWalletsInGroup(apiKeyTextHash(accountKey(1)), group, { pageNumber: 0, pageSize: 10 })).to.equal(null);
    });
  });
}

describe("list_groups ids", () => {
  const item = (id: string) => groupItem({ id, account: toHash32(1n), name: "n", description: "d" });

  it("answers every group id as the 32-byte hex of its number, small, large and beyond 2^53", () => {
    const ids = ["0", "1", "15", "16", "255", "1000000", String(Number.MAX_SAFE_INTEGER), "9007199254740993", (2n ** 256n - 1n).toString()];
    for (let i = 0; i < 200; i++) ids.push(String(Math.floor(Math.random() * 2 ** 40)));
    for (const id of ids) expect(item(id).id, id).to.equal(toHash32(BigInt(id)));
    expect(item("7")).to.deep.equal({
      id: toHash32(7n),
      name: "n",
      description: "d",
    });
  });

  it("refuses a group id outside uint256 (2^256, negative)", () => {
    expect(() => item((2n ** 256n).toString())).to.throw();
    expect(() => item("-1")).to.throw();
  });
});

