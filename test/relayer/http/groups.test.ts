/** Groups and their action / wallet lists (http-api.md §3; GroupsFacet check order). */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { RevertError } from "../../../src/relayer/ports";
import {
  addGroup,
  bearer,
  CID,
  CID2,
  CID_HASH,
  createWallet,
  errorBody,
  get,
  makeApp,
  newAccount,
  post,
  usageKey,
} from "./support";

const hashOf = (key: string): string => keccak256(toUtf8Bytes(key));
const ZERO = "0x0000000000000000000000000000000000000000";

async function setup() {
  const t = await makeApp();
  const { key, wallet } = await newAccount(t.app);
  return { ...t, key, wallet, master: hashOf(key) };
}

describe("relayer http: groups", () => {
  describe("POST /add_group", () => {
    it("creates a group and returns its id (decimal) from the GroupAdded event", async () => {
      const { app, chain, key, wallet, master } = await setup();
      const r = await post(
        app,
        "/add_group",
        {
          group_name: "g",
          group_description: "d",
          pkp_ids_permitted: [wallet.toUpperCase().replace("0X", "0x"), ZERO],
          cid_hashes_permitted: [CID_HASH, "0", "12"],
        },
        bearer(key),
      );
      expect(r.statusCode).to.equal(200);
      expect(r.json()).to.deep.equal({ success: true, group_id: "1" });
      expect(chain.requests.at(-1)).to.deep.include({
        method: "addGroup",
        args: [master, "g", "d", [CID_HASH, `0x${"0".repeat(64)}`, `0x${"0".repeat(62)}0c`], [wallet, ZERO]],
      });
      expect(chain.requests.at(-1)?.idempotencyKey).to.equal(undefined);
      expect(
        (
          await post(
            app,
            "/add_group",
            { group_name: "h", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
            bearer(key),
          )
        ).json(),
      ).to.deep.equal({ success: true, group_id: "2" });
    });

    it("needs can_create_groups for a usage key (403 before any write)", async () => {
      const { app, chain, key } = await setup();
      const without = await usageKey(app, key, { manage_ipfs_ids_in_groups: [0], execute_in_groups: [0] });
      const withIt = await usageKey(app, key, { can_create_groups: true });
      const writes = chain.requests.length;
      const body = { group_name: "g", group_description: "d", pkp_ids_permitted: [], cid_hashes_permitted: [] };
      const r = await post(app, "/add_group", body, bearer(without));
      expect(r.statusCode).to.equal(403);
      expect(errorBody(r).code).to.equal("NotAllowedToCreateGroup");
      expect(chain.requests.length).to.equal(writes);
      expect((await post(app, "/add_group", body, bearer(withIt))).statusCode).to.equal(200);
    });

    it("rejects bad values with 400 naming the field, unknown wallets with 404, writing nothing", async () => {
      const { app, chain, key } = await setup();
      const other = await newAccount(app);
      const writes = chain.requests.length;
      const base = {
        group_name: "g",
        group_description: "d",
        pkp_ids_permitted: [] as unknown[],
        cid_hashes_permitted: [] as unknown[],
      };
      const cases: [Record<string, unknown>, number, string][] = [
        [{ cid_hashes_permitted: ["0xzz"] }, 400, "cid_hashes_permitted[0]"],
        [{ cid_hashes_permitted: [CID] }, 400, "cid_hashes_permitted[0]"],
        [{ cid_hashes_permitted: [`0x${"f".repeat(65)}`] }, 400, "cid_hashes_permitted[0]"],
        [{ cid_hashes_permitted: Array.from({ length: 11 }, (_, i) => String(i + 1)) }, 400, "cid_hashes_permitted"],
        [{ pkp_ids_permitted: ["0x1234"] }, 400, "pkp_ids_permitted[0]"],
        [{ pkp_ids_permitted: Array.from({ length: 11 }, () => ZERO) }, 400, "pkp_ids_permitted"],
        [{ pkp_ids_permitted: [other.wallet] }, 404, "not registered"],
        [{ pkp_ids_permitted: [`0x${"12".repeat(20)}`] }, 404, "not registered"],
        [{ group_name: "x".repeat(129) }, 400, "group_name"],
        [{ group_description: "x".repeat(1025) }, 400, "group_description"],
        [{ group_name: 3 }, 422, "group_name"],
        [{ pkp_ids_permitted: "0x" }, 422, "pkp_ids_permitted"],
        [{ cid_hashes_permitted: [1] }, 422, "cid_hashes_permitted[0]"],
        [{ cid_hashes_permitted: undefined }, 422, "cid_hashes_permitted"],
      ];
      for (const [patch, status, text] of cases) {
        const r = await post(app, "/add_group", { ...base, ...patch }, bearer(key));
        expect(r.statusCode, JSON.stringify(patch)).to.equal(status);
        expect(errorBody(r).error).to.contain(text);
      }
      expect(chain.requests.length).to.equal(writes);
    });
  });

  describe("GET /list_groups", () => {
    it("lists the account's groups with id as 0x + 64 hex", async () => {
      const { app, key } = await setup();
      await addGroup(app, key);
      const other = await newAccount(app);
      await addGroup(app, other.key);
      await post(
        app,
        "/add_group",
        { group_name: "second", group_description: "two", pkp_ids_permitted: [], cid_hashes_permitted: [] },
        bearer(key),
      );
      const r = await get(app, "/list_groups?page_number=0&page_size=10", bearer(key));
      expect(r.statusCode).to.equal(200);
      expect(r.json()).to.deep.equal([
        { id: `0x${"0".repeat(63)}1`, name: "g", description: "d" },
        { id: `0x${"0".repeat(63)}3`, name: "second", description: "two" },
      ]);
      expect((await get(app, "/list_groups?page_number=1&page_size=2", bearer(key))).json()).to.deep.equal([]);
    });
  });

  describe("POST /update_group", () => {
    it("replaces name, description and lists (absent lists = empty); account key only", async () => {
      const { app, chain, key, wallet, master } = await setup();
      const g = await addGroup(app, key, [wallet], [CID_HASH]);
      const r = await post(app, "/update_group", { group_id: Number(g), name: "n2", description: "d2" }, bearer(key));
      expect(r.statusCode).to.equal(200);
      expect(r.json()).to.deep.equal({ success: true });
      expect(chain.requests.at(-1)).to.deep.include({ method: "updateGroup", args: [master, g, "n2", "d2", [], []] });
      const nulls = await post(
        app,
        "/update_group",
        { group_id: Number(g), name: "n2", description: "d2", pkp_ids_permitted: null, cid_hashes_permitted: null },
        bearer(key),
      );
      expect(nulls.statusCode).to.equal(200);
      expect(chain.requests.at(-1)?.args).to.deep.equal([master, g, "n2", "d2", [], []]);
      const r2 = await post(
        app,
        "/update_group",
        {
          group_id: Number(g),
          name: "n3",
          description: "",
          pkp_ids_permitted: [wallet],
          cid_hashes_permitted: ["0x1"],
        },
        bearer(key),
      );
      expect(r2.statusCode).to.equal(200);
      expect(chain.groups.get(g)?.wallets).to.deep.equal([wallet]);

      const u = await usageKey(app, key, {
        can_create_groups: true,
        can_delete_groups: true,
        manage_ipfs_ids_in_groups: [0],
      });
      const writes = chain.requests.length;
      const denied = await post(app, "/update_group", { group_id: Number(g), name: "n", description: "" }, bearer(u));
      expect(denied.statusCode).to.equal(403);
      expect(errorBody(denied).code).to.equal("NotMasterAccount");
      expect(chain.requests.length).to.equal(writes);
    });

    it("404 for unknown or foreign groups, 400 for group_id 0, 422 for a string id", async () => {
      const { app, chain, key } = await setup();
      const other = await newAccount(app);
      const foreign = await addGroup(app, other.key);
      const writes = chain.requests.length;
      const cases: [unknown, number][] = [
        [Number(foreign), 404],
        [99, 404],
        [0, 400],
        ["1", 422],
        [-1, 422],
        [1.5, 422],
        [2 ** 60, 422],
      ];
      for (const [id, status] of cases) {
        const r = await post(app, "/update_group", { group_id: id, name: "n", description: "" }, bearer(key));
        expect(r.statusCode, String(id)).to.equal(status);
        if (status !== 422) expect(errorBody(r).code).to.equal(status === 404 ? "GroupDoesNotExist" : "InvalidValue");
      }
      expect(chain.requests.length).to.equal(writes);
    });
  });

  describe("POST /remove_group", () => {
    it("accepts decimal and 0x strings and integers; 0 and junk are 400", async () => {
      const { app, chain, key, master } = await setup();
      for (let i = 0; i < 3; i++) await addGroup(app, key);
      for (const [ref, id] of [
        ["1", "1"],
        ["0x2", "2"],
        [3, "3"],
      ] as [string | number, string][]) {
        const r = await post(app, "/remove_group", { group_id: ref }, bearer(key));
        expect(r.statusCode, String(ref)).to.equal(200);
        expect(r.json()).to.deep.equal({ success: true });
        expect(chain.requests.at(-1)).to.deep.include({ method: "removeGroup", args: [master, id] });
      }
      const writes = chain.requests.length;
      for (const ref of ["0", "0x0", "abc", "", "-1", "1.5"]) {
        const r = await post(app, "/remove_group", { group_id: ref }, bearer(key));
        expect(r.statusCode, ref).to.equal(400);
        expect(errorBody(r).error).to.contain("group_id");
      }
      expect((await post(app, "/remove_group", { group_id: "1" }, bearer(key))).statusCode).to.equal(404);
      expect((await post(app, "/remove_group", { group_id: true }, bearer(key))).statusCode).to.equal(422);
      expect((await post(app, "/remove_group", {}, bearer(key))).statusCode).to.equal(422);
      expect(chain.requests.length).to.equal(writes);
    });

    it("checks can_delete_groups before the group's existence, as the contract does", async () => {
      const { app, chain, key } = await setup();
      const g = await addGroup(app, key);
      const without = await usageKey(app, key, { can_create_groups: true });
      const withIt = await usageKey(app, key, { can_delete_groups: true });
      const writes = chain.requests.length;
      for (const id of [g, "77"]) {
        const r = await post(app, "/remove_group", { group_id: id }, bearer(without));
        expect(r.statusCode).to.equal(403);
        expect(errorBody(r).code).to.equal("NotAllowedToDeleteGroup");
      }
      expect((await post(app, "/remove_group", { group_id: "77" }, bearer(withIt))).statusCode).to.equal(404);
      expect(chain.requests.length).to.equal(writes);
      expect((await post(app, "/remove_group", { group_id: g }, bearer(withIt))).statusCode).to.equal(200);
    });
  });

  describe("actions in groups", () => {
    it("add_action_to_group hashes the raw CID; remove_action_from_group takes the hash", async () => {
      const { app, chain, key, master } = await setup();
      const g = await addGroup(app, key);
      const r = await post(app, "/add_action_to_group", { group_id: Number(g), action_ipfs_cid: CID }, bearer(key));
      expect(r.statusCode).to.equal(200);
      expect(chain.requests.at(-1)).to.deep.include({ method: "addActionToGroup", args: [master, g, CID_HASH] });
      expect(chain.groups.get(g)?.cids).to.deep.equal([CID_HASH]);
      const writes = chain.requests.length;
      const missing = await post(
        app,
        "/remove_action_from_group",
        { group_id: Number(g), hashed_cid: keccak256(toUtf8Bytes(CID2)) },
        bearer(key),
      );
      expect(missing.statusCode).to.equal(404);
      expect(errorBody(missing).code).to.equal("ActionDoesNotExist");
      expect(chain.requests.length).to.equal(writes);
      const rm = await post(
        app,
        "/remove_action_from_group",
        { group_id: Number(g), hashed_cid: BigInt(CID_HASH).toString() },
        bearer(key),
      );
      expect(rm.statusCode).to.equal(200);
      expect(chain.requests.at(-1)).to.deep.include({ method: "removeActionFromGroup", args: [master, g, CID_HASH] });
    });

    it("a usage key needs manage_ipfs_ids_in_groups for that group or [0]; the group is checked first", async () => {
      const { app, chain, key } = await setup();
      const g1 = await addGroup(app, key);
      const g2 = await addGroup(app, key);
      const only1 = await usageKey(app, key, { manage_ipfs_ids_in_groups: [Number(g1)], add_pkp_to_groups: [0] });
      const all = await usageKey(app, key, { manage_ipfs_ids_in_groups: [0] });
      const none = await usageKey(app, key, {
        can_create_groups: true,
        can_delete_groups: true,
        add_pkp_to_groups: [0],
        remove_pkp_from_groups: [0],
      });
      // a usage key lists registered actions only (the master registers them)
      expect((await post(app, "/add_action", { action_ipfs_cid: CID, name: "a", description: "" }, bearer(key))).statusCode).to.equal(200);
      const writes = chain.requests.length;
      const add = (k: string, g: string) =>
        post(app, "/add_action_to_group", { group_id: Number(g), action_ipfs_cid: CID }, bearer(k));
      const denied = await add(only1, g2);
      expect(denied.statusCode).to.equal(403);
      expect(errorBody(denied).code).to.equal("NotAllowedToManageIPFSIdsInGroup");
      expect((await add(none, g1)).statusCode).to.equal(403);
      expect((await add(none, "99")).statusCode).to.equal(404); // GroupDoesNotExist before the permission
      expect(chain.requests.length).to.equal(writes);
      expect((await add(only1, g1)).statusCode).to.equal(200);
      expect((await add(all, g2)).statusCode).to.equal(200);
      const rm = await post(
        app,
        "/remove_action_from_group",
        { group_id: Number(g2), hashed_cid: CID_HASH },
        bearer(only1),
      );
      expect(rm.statusCode).to.equal(403);
    });

    it("a usage key cannot list an action the account has not registered: 403 NotMasterAccount before any write", async () => {
      const { app, chain, key } = await setup();
      const g = await addGroup(app, key, [], ["0"]);
      const runner = await usageKey(app, key, { can_create_groups: true, manage_ipfs_ids_in_groups: [0], execute_in_groups: [Number(g)] });
      const writes = chain.requests.length;
      const viaAddGroup = await post(
        app,
        "/add_group",
        { group_name: "tmp", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: ["0", CID_HASH] },
        bearer(runner),
      );
      expect(viaAddGroup.statusCode).to.equal(403);
      expect(errorBody(viaAddGroup).code).to.equal("NotMasterAccount");
      expect(errorBody(viaAddGroup).error).to.include(CID_HASH);
      const viaAddAction = await post(app, "/add_action_to_group", { group_id: Number(g), action_ipfs_cid: CID }, bearer(runner));
      expect(viaAddAction.statusCode).to.equal(403);
      expect(errorBody(viaAddAction).code).to.equal("NotMasterAccount");
      expect(chain.requests.length).to.equal(writes);
      // the master key may, and registers the action on the way
      expect((await post(app, "/add_action_to_group", { group_id: Number(g), action_ipfs_cid: CID }, bearer(key))).statusCode).to.equal(200);
      // then the usage key may list it
      expect(
        (
          await post(
            app,
            "/add_group",
            { group_name: "ok", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [CID_HASH] },
            bearer(runner),
          )
        ).statusCode,
      ).to.equal(200);
    });

    it("rejects bad CIDs and ids with 400, wrong shapes with 422", async () => {
      const { app, chain, key } = await setup();
      const g = Number(await addGroup(app, key));
      const writes = chain.requests.length;
      const cases: [string, Record<string, unknown>, number, string][] = [
        ["/add_action_to_group", { group_id: g, action_ipfs_cid: "Qm123" }, 400, "action_ipfs_cid"],
        ["/add_action_to_group", { group_id: g, action_ipfs_cid: CID_HASH }, 400, "action_ipfs_cid"],
        ["/add_action_to_group", { group_id: g, action_ipfs_cid: "" }, 400, "action_ipfs_cid"],
        ["/add_action_to_group", { group_id: 0, action_ipfs_cid: CID }, 400, "group_id"],
        ["/add_action_to_group", { group_id: String(g), action_ipfs_cid: CID }, 422, "group_id"],
        ["/add_action_to_group", { group_id: g }, 422, "action_ipfs_cid"],
        ["/remove_action_from_group", { group_id: g, hashed_cid: "0xnothex" }, 400, "hashed_cid"],
        ["/remove_action_from_group", { group_id: g, hashed_cid: 5 }, 422, "hashed_cid"],
      ];
      for (const [path, body, status, field] of cases) {
        const r = await post(app, path, body, bearer(key));
        expect(r.statusCode, `${path} ${JSON.stringify(body)}`).to.equal(status);
        expect(errorBody(r).error).to.contain(field);
      }
      expect(chain.requests.length).to.equal(writes);
    });
  });

  describe("wallets in groups", () => {
    it("add/remove_pkp_to/from_group with permissions per group; unregistered wallets 404", async () => {
      const { app, chain, key, wallet } = await setup();
      const g1 = await addGroup(app, key);
      const g2 = await addGroup(app, key);
      const w2 = await createWallet(app, key);
      const adder = await usageKey(app, key, { add_pkp_to_groups: [Number(g1)] });
      const remover = await usageKey(app, key, { remove_pkp_from_groups: [0] });
      const other = await newAccount(app);

      const ok = await post(
        app,
        "/add_pkp_to_group",
        { group_id: Number(g1), pkp_id: wallet.slice(2).toUpperCase() },
        bearer(adder),
      );
      expect(ok.statusCode).to.equal(200);
      expect(chain.requests.at(-1)).to.deep.include({ method: "addPkpToGroup", args: [hashOf(adder), g1, wallet] });
      expect(
        (await post(app, "/add_pkp_to_group", { group_id: Number(g1), pkp_id: ZERO }, bearer(key))).statusCode,
      ).to.equal(200);
      const writes = chain.requests.length;
      const deniedAdd = await post(app, "/add_pkp_to_group", { group_id: Number(g2), pkp_id: w2 }, bearer(adder));
      expect(deniedAdd.statusCode).to.equal(403);
      expect(errorBody(deniedAdd).code).to.equal("NotAllowedToAddPkpToGroup");
      const foreign = await post(app, "/add_pkp_to_group", { group_id: Number(g1), pkp_id: other.wallet }, bearer(key));
      expect(foreign.statusCode).to.equal(404);
      expect(errorBody(foreign).code).to.equal("PkpDoesNotExist");
      const deniedRemove = await post(
        app,
        "/remove_pkp_from_group",
        { group_id: Number(g1), pkp_id: wallet },
        bearer(adder),
      );
      expect(deniedRemove.statusCode).to.equal(403);
      expect(errorBody(deniedRemove).code).to.equal("NotAllowedToRemovePkpFromGroup");
      const notListed = await post(
        app,
        "/remove_pkp_from_group",
        { group_id: Number(g1), pkp_id: w2 },
        bearer(remover),
      );
      expect(notListed.statusCode).to.equal(404);
      expect(
        (await post(app, "/add_pkp_to_group", { group_id: Number(g1), pkp_id: "0xabc" }, bearer(key))).statusCode,
      ).to.equal(400);
      expect((await post(app, "/add_pkp_to_group", { group_id: Number(g1) }, bearer(key))).statusCode).to.equal(422);
      expect(chain.requests.length).to.equal(writes);
      const rm = await post(app, "/remove_pkp_from_group", { group_id: Number(g1), pkp_id: wallet }, bearer(remover));
      expect(rm.statusCode).to.equal(200);
      expect(chain.requests.at(-1)).to.deep.include({
        method: "removePkpFromGroup",
        args: [hashOf(remover), g1, wallet],
      });
    });

    it("GET /list_wallets_in_group lists the group's wallets (wildcard entry with id 0)", async () => {
      const { app, key, wallet } = await setup();
      const g = await addGroup(app, key, [wallet, ZERO]);
      const r = await get(app, `/list_wallets_in_group?group_id=${g}&page_number=0&page_size=10`, bearer(key));
      expect(r.statusCode).to.equal(200);
      const items = r.json() as { id: string; wallet_address: string; name: string }[];
      expect(items).to.have.length(2);
      expect(items[0]).to.include({ wallet_address: wallet, name: "AMW", description: "Account Master Wallet" });
      expect(items[0].id).to.match(/^[1-9][0-9]*$/);
      expect(items[1]).to.deep.equal({ id: "0", wallet_address: ZERO, name: "", description: "" });
      expect(
        (await get(app, `/list_wallets_in_group?group_id=${g}&page_number=1&page_size=1`, bearer(key))).json(),
      ).to.have.length(1);
      expect(
        (await get(app, `/list_wallets_in_group?group_id=${g}&page_number=2&page_size=1`, bearer(key))).json(),
      ).to.deep.equal([]);
      for (const [q, status] of [
        ["group_id=0&page_number=0&page_size=1", 400],
        ["group_id=9&page_number=0&page_size=1", 404],
        ["page_number=0&page_size=1", 422],
        ["group_id=x&page_number=0&page_size=1", 422],
      ] as [string, number][]) {
        expect((await get(app, `/list_wallets_in_group?${q}`, bearer(key))).statusCode, q).to.equal(status);
      }
    });
  });

  it("a ChainSecured account's writes are refused with 403 (its admin wallet must sign), nothing sent", async () => {
    const { app, chain, key, master } = await setup();
    const g = Number(await addGroup(app, key));
    chain.accounts.get(master)!.managed = false;
    const writes = chain.requests.length;
    const calls: [string, Record<string, unknown>][] = [
      ["/add_group", { group_name: "g", group_description: "d", pkp_ids_permitted: [], cid_hashes_permitted: [] }],
      ["/update_group", { group_id: g, name: "n", description: "" }],
      ["/remove_group", { group_id: String(g) }],
      ["/add_action_to_group", { group_id: g, action_ipfs_cid: CID }],
      ["/add_action", { action_ipfs_cid: CID, name: "n", description: "" }],
    ];
    for (const [path, body] of calls) {
      const r = await post(app, path, body, bearer(key));
      expect(r.statusCode, path).to.equal(403);
      const e = errorBody(r);
      expect(e.code).to.equal("NoAccountAccess");
      expect(e.error).to.contain("ChainSecured");
    }
    expect((await get(app, "/create_wallet", bearer(key))).statusCode).to.equal(403);
    expect(chain.requests.length).to.equal(writes);
    // Reads still work.
    expect((await get(app, "/list_groups?page_number=0&page_size=10", bearer(key))).statusCode).to.equal(200);
  });

  it("a revert that slipped past the pre-checks maps by its error name", async () => {
    const { app, chain, key } = await setup();
    const g = Number(await addGroup(app, key));
    chain.failNext(new RevertError("GroupDoesNotExist", [hashOf(key), BigInt(g)]));
    const r = await post(app, "/add_action_to_group", { group_id: g, action_ipfs_cid: CID }, bearer(key));
    expect(r.statusCode).to.equal(404);
    expect(errorBody(r)).to.include({ code: "GroupDoesNotExist" });
  });
});
