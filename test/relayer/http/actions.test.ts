/** Actions: add (raw CID), delete / rename (hashed CID), list; get_lit_action_ipfs_id (http-api.md §3, §7). */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { keccak256, toUtf8Bytes } from "ethers";
import { addGroup, bearer, CID, CID2, CID_HASH, errorBody, get, makeApp, newAccount, post, usageKey } from "./support";

const hashOf = (key: string): string => keccak256(toUtf8Bytes(key));

/** http-api.md §7 vectors, embedded; checked against shared/spec/vectors.json when present. */
const CID_VECTORS: { text: string; cid: string }[] = [
  {
    text: 'async function main() {\n  return "Hello World!";\n}\n',
    cid: "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR",
  },
  { text: "", cid: "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH" },
  { text: "a".repeat(600_000), cid: "QmafMza76epQKEHgwNP5sJ7yKcbiFJpddrBzp9A9uTXNgp" },
];
const SPEC_VECTORS = path.join(__dirname, "..", "..", "..", "..", "shared", "spec", "vectors.json");

async function setup() {
  const t = await makeApp();
  const { key } = await newAccount(t.app);
  return { ...t, key, master: hashOf(key) };
}

describe("relayer http: actions", () => {
  it("POST /add_action hashes the raw CID (master only); list_actions returns it with id 0x + 64 hex", async () => {
    const { app, chain, key, master } = await setup();
    const r = await post(
      app,
      "/add_action",
      { action_ipfs_cid: CID, name: "hello", description: "says hello" },
      bearer(key),
    );
    expect(r.statusCode).to.equal(200);
    expect(r.json()).to.deep.equal({ success: true });
    expect(chain.requests.at(-1)).to.deep.include({
      method: "addAction",
      args: [master, "hello", "says hello", CID_HASH],
    });
    const list = await get(app, "/list_actions?page_number=0&page_size=10", bearer(key));
    expect(list.statusCode).to.equal(200);
    expect(list.json()).to.deep.equal([{ id: CID_HASH, name: "hello", description: "says hello" }]);
    expect((await get(app, "/list_actions?group_id=0&page_number=0&page_size=10", bearer(key))).json()).to.have.length(
      1,
    );

    const u = await usageKey(app, key, { manage_ipfs_ids_in_groups: [0], can_create_groups: true });
    const writes = chain.requests.length;
    const denied = await post(app, "/add_action", { action_ipfs_cid: CID2, name: "x", description: "" }, bearer(u));
    expect(denied.statusCode).to.equal(403);
    expect(errorBody(denied).code).to.equal("NotMasterAccount");
    expect(chain.requests.length).to.equal(writes);
    // Usage keys may list.
    expect((await get(app, "/list_actions?page_number=0&page_size=10", bearer(u))).json()).to.have.length(1);
  });

  it("add_action rejects bad CIDs (400) and wrong shapes (422), writing nothing", async () => {
    const { app, chain, key } = await setup();
    const writes = chain.requests.length;
    const cases: [Record<string, unknown>, number, string][] = [
      [{ action_ipfs_cid: "not-a-cid", name: "n", description: "" }, 400, "action_ipfs_cid"],
      [{ action_ipfs_cid: `${CID}x`, name: "n", description: "" }, 400, "action_ipfs_cid"],
      [{ action_ipfs_cid: "Qm0OIl" + "a".repeat(40), name: "n", description: "" }, 400, "action_ipfs_cid"],
      [{ action_ipfs_cid: CID_HASH, name: "n", description: "" }, 400, "action_ipfs_cid"],
      [{ action_ipfs_cid: CID, name: "n".repeat(129), description: "" }, 400, "name"],
      [{ action_ipfs_cid: CID, name: "n" }, 422, "description"],
      [{ action_ipfs_cid: ["Qm"], name: "n", description: "" }, 422, "action_ipfs_cid"],
    ];
    for (const [body, status, field] of cases) {
      const r = await post(app, "/add_action", body, bearer(key));
      expect(r.statusCode, JSON.stringify(body)).to.equal(status);
      expect(errorBody(r).error).to.contain(field);
    }
    expect(chain.requests.length).to.equal(writes);
  });

  it("POST /delete_action and /update_action_metadata take the hashed CID as 0x hex or decimal", async () => {
    const { app, chain, key, master } = await setup();
    await post(app, "/add_action", { action_ipfs_cid: CID, name: "a", description: "" }, bearer(key));
    const m = await post(
      app,
      "/update_action_metadata",
      { hashed_cid: BigInt(CID_HASH).toString(), name: "b", description: "c" },
      bearer(key),
    );
    expect(m.statusCode).to.equal(200);
    expect(chain.requests.at(-1)).to.deep.include({
      method: "updateActionMetadata",
      args: [master, CID_HASH, "0", "b", "c"],
    });
    expect((await get(app, "/list_actions?page_number=0&page_size=10", bearer(key))).json()).to.deep.equal([
      { id: CID_HASH, name: "b", description: "c" },
    ]);
    const d = await post(
      app,
      "/delete_action",
      { hashed_cid: CID_HASH.toUpperCase().replace("0X", "0x") },
      bearer(key),
    );
    expect(d.statusCode).to.equal(200);
    expect(chain.requests.at(-1)).to.deep.include({ method: "removeAction", args: [master, CID_HASH] });
    expect((await get(app, "/list_actions?page_number=0&page_size=10", bearer(key))).json()).to.deep.equal([]);
  });

  it("delete / update of unknown actions are 404, bad hashes 400, usage keys 403, all before writing", async () => {
    const { app, chain, key } = await setup();
    const u = await usageKey(app, key, { manage_ipfs_ids_in_groups: [0] });
    const writes = chain.requests.length;
    const cases: [string, Record<string, unknown>, string, number, string][] = [
      ["/delete_action", { hashed_cid: CID_HASH }, key, 404, "ActionDoesNotExist"],
      ["/update_action_metadata", { hashed_cid: CID_HASH, name: "n", description: "" }, key, 404, "ActionDoesNotExist"],
      ["/delete_action", { hashed_cid: "0" }, key, 400, "InvalidValue"],
      ["/delete_action", { hashed_cid: CID }, key, 400, "InvalidValue"],
      ["/delete_action", { hashed_cid: "0xg1" }, key, 400, "InvalidValue"],
      ["/update_action_metadata", { hashed_cid: "12x", name: "n", description: "" }, key, 400, "InvalidValue"],
      ["/delete_action", { hashed_cid: CID_HASH }, u, 403, "NotMasterAccount"],
      ["/update_action_metadata", { hashed_cid: CID_HASH, name: "n", description: "" }, u, 403, "NotMasterAccount"],
    ];
    for (const [p, body, k, status, code] of cases) {
      const r = await post(app, p, body, bearer(k));
      expect(r.statusCode, `${p} ${JSON.stringify(body)}`).to.equal(status);
      expect(errorBody(r).code).to.equal(code);
    }
    expect((await post(app, "/delete_action", { hashed_cid: 5 }, bearer(key))).statusCode).to.equal(422);
    expect(chain.requests.length).to.equal(writes);
  });

  it("GET /list_actions?group_id lists a group's actions (wildcard entry 0 with empty names)", async () => {
    const { app, key } = await setup();
    await post(app, "/add_action", { action_ipfs_cid: CID, name: "hello", description: "d" }, bearer(key));
    const g = await addGroup(app, key, [], [CID_HASH, "0"]);
    const other = await addGroup(app, key);
    const r = await get(app, `/list_actions?group_id=${g}&page_number=0&page_size=10`, bearer(key));
    expect(r.json()).to.deep.equal([
      { id: CID_HASH, name: "hello", description: "d" },
      { id: `0x${"0".repeat(64)}`, name: "", description: "" },
    ]);
    expect(
      (await get(app, `/list_actions?group_id=${other}&page_number=0&page_size=10`, bearer(key))).json(),
    ).to.deep.equal([]);
    expect((await get(app, "/list_actions?group_id=99&page_number=0&page_size=10", bearer(key))).statusCode).to.equal(
      404,
    );
    expect((await get(app, "/list_actions?group_id=-1&page_number=0&page_size=10", bearer(key))).statusCode).to.equal(
      422,
    );
    expect((await get(app, "/list_actions?page_number=0", bearer(key))).statusCode).to.equal(422);
  });

  describe("POST /get_lit_action_ipfs_id", () => {
    it("returns the CIDv0 of the spec's vectors as a JSON string, without authentication", async () => {
      if (fs.existsSync(SPEC_VECTORS)) {
        const spec = JSON.parse(fs.readFileSync(SPEC_VECTORS, "utf8")) as {
          cid: { text?: string; text_repeat?: { char: string; times: number }; cid: string }[];
        };
        const fromSpec = spec.cid.map((v) => ({
          text: v.text ?? v.text_repeat!.char.repeat(v.text_repeat!.times),
          cid: v.cid,
        }));
        expect(fromSpec).to.deep.equal(CID_VECTORS);
      }
      const { app } = await makeApp();
      for (const v of CID_VECTORS) {
        const r = await app.inject({
          method: "POST",
          url: "/core/v1/get_lit_action_ipfs_id",
          payload: JSON.stringify(v.text),
          headers: { "content-type": "application/json" },
        });
        expect(r.statusCode).to.equal(200);
        expect(r.headers["content-type"]).to.match(/^application\/json/);
        expect(r.json()).to.equal(v.cid);
      }
      expect(keccak256(toUtf8Bytes(CID_VECTORS[0].cid))).to.equal(CID_HASH);
    });

    it("rejects a body that is not a JSON string (422) or not JSON (400)", async () => {
      const { app } = await makeApp();
      for (const payload of ['{"code":"x"}', "42", "null", '["a"]']) {
        const r = await app.inject({
          method: "POST",
          url: "/core/v1/get_lit_action_ipfs_id",
          payload,
          headers: { "content-type": "application/json" },
        });
        expect(r.statusCode, payload).to.equal(422);
      }
      const bad = await app.inject({
        method: "POST",
        url: "/core/v1/get_lit_action_ipfs_id",
        payload: '"unterminated',
        headers: { "content-type": "application/json" },
      });
      expect(bad.statusCode).to.equal(400);
      expect(errorBody(bad).code).to.equal("MalformedJson");
    });
  });
});
