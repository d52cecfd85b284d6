/** add / update / update_metadata / remove usage keys and list_api_keys (http-api.md §3). */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { bearer, errorBody, get, makeApp, newAccount, post, usageKey, usageKeyBody } from "./support";

const hashOf = (key: string): string => keccak256(toUtf8Bytes(key));

describe("relayer http: usage keys", () => {
  describe("POST /add_usage_api_key", () => {
    it("creates a key with exactly the given permissions and returns it once", async () => {
      const { app, chain } = await makeApp();
      const { key } = await newAccount(app);
      const body = usageKeyBody({
        can_create_groups: true,
        can_create_pkps: true,
        manage_ipfs_ids_in_groups: [0],
        add_pkp_to_groups: [3, 1],
        execute_in_groups: [2],
        expiration: 1_900_000_000,
      });
      const r = await post(app, "/add_usage_api_key", body, bearer(key));
      expect(r.statusCode).to.equal(200);
      const res = r.json() as { success: boolean; usage_api_key: string };
      expect(res.success).to.equal(true);
      expect(res.usage_api_key).to.match(/^[A-Za-z0-9+/]{43}=$/);
      const req = chain.requests.at(-1);
      expect(req?.method).to.equal("setUsageApiKey");
      expect(req?.args).to.deep.equal([
        hashOf(key),
        hashOf(res.usage_api_key),
        "1900000000",
        "0",
        "usage",
        "a usage key",
        true,
        false,
        true,
        ["0"],
        ["3", "1"],
        [],
        ["2"],
      ]);
      expect(req?.idempotencyScope).to.equal(undefined);
    });

    it("is for the account key only (403 NotMasterAccount for a usage key, before any write)", async () => {
      const { app, chain } = await makeApp();
      const { key } = await newAccount(app);
      const usage = await usageKey(app, key, {
        can_create_groups: true,
        execute_in_groups: [0],
        manage_ipfs_ids_in_groups: [0],
      });
      const writes = chain.requests.length;
      const r = await post(app, "/add_usage_api_key", usageKeyBody(), bearer(usage));
      expect(r.statusCode).to.equal(403);
      expect(errorBody(r).code).to.equal("NotMasterAccount");
      expect(chain.requests.length).to.equal(writes);
    });

    it("validates shapes (422) and values (400) before writing", async () => {
      const { app, chain } = await makeApp();
      const { key } = await newAccount(app);
      const writes = chain.requests.length;
      const cases: [Record<string, unknown>, number, string][] = [
        [{ can_create_groups: "true" }, 422, "can_create_groups"],
        [{ execute_in_groups: [-1] }, 422, "execute_in_groups[0]"],
        [{ execute_in_groups: [1.5] }, 422, "execute_in_groups[0]"],
        [{ execute_in_groups: ["1"] }, 422, "execute_in_groups[0]"],
        [{ add_pkp_to_groups: 1 }, 422, "add_pkp_to_groups"],
        [{ expiration: -5 }, 422, "expiration"],
        [{ expiration: "never" }, 422, "expiration"],
        [{ manage_ipfs_ids_in_groups: Array.from({ length: 51 }, (_, i) => i + 1) }, 400, "manage_ipfs_ids_in_groups"],
        [{ remove_pkp_from_groups: [2, 2] }, 400, "remove_pkp_from_groups"],
        [{ execute_in_groups: [0, 0] }, 400, "execute_in_groups"],
        [{ name: "n".repeat(129) }, 400, "name"],
        [{ description: "d".repeat(1025) }, 400, "description"],
      ];
      for (const [patch, status, field] of cases) {
        const r = await post(app, "/add_usage_api_key", usageKeyBody(patch as never), bearer(key));
        expect(r.statusCode, JSON.stringify(patch)).to.equal(status);
        expect(errorBody(r).error).to.contain(field);
      }
      for (const missing of [
        "name",
        "description",
        "can_create_groups",
        "can_delete_groups",
        "can_create_pkps",
        "manage_ipfs_ids_in_groups",
        "add_pkp_to_groups",
        "remove_pkp_from_groups",
        "execute_in_groups",
      ]) {
        const body = usageKeyBody();
        delete body[missing];
        const r = await post(app, "/add_usage_api_key", body, bearer(key));
        expect(r.statusCode, missing).to.equal(422);
        expect(errorBody(r).error).to.contain(missing);
      }
      expect(chain.requests.length).to.equal(writes);
      const ok = await post(
        app,
        "/add_usage_api_key",
        usageKeyBody({ execute_in_groups: Array.from({ length: 50 }, (_, i) => i) }),
        bearer(key),
      );
      expect(ok.statusCode).to.equal(200);
      const nullExpiration = await post(
        app,
        "/add_usage_api_key",
        { ...usageKeyBody(), expiration: null },
        bearer(key),
      );
      expect(nullExpiration.statusCode).to.equal(200);
      expect(chain.requests.at(-1)?.args[2]).to.equal("0");
    });
    it("with an Idempotency-Key, a retry returns the same usage key (scoped by account)", async () => {
      const { app, chain } = await makeApp();
      const { key } = await newAccount(app);
      const other = await newAccount(app);
      const headers = { ...bearer(key), "idempotency-key": "uk-1" };
      const a = await post(app, "/add_usage_api_key", usageKeyBody(), headers);
      const b = await post(app, "/add_usage_api_key", usageKeyBody(), headers);
      expect(a.statusCode).to.equal(200);
      expect(b.json()).to.deep.equal(a.json());
      expect(chain.requests.at(-1)).to.deep.include({ idempotencyKey: "uk-1", idempotencyScope: hashOf(key) });
      expect(chain.accounts.get(hashOf(key))?.usageKeys).to.have.length(1);
      const c = await post(app, "/add_usage_api_key", usageKeyBody(), { ...bearer(other.key), "idempotency-key": "uk-1" });
      expect(c.statusCode).to.equal(200);
      expect(c.json()).to.not.deep.equal(a.json());
    });
  });

  describe("GET /list_api_keys", () => {
    it("lists usage keys (never the master) with the hosted field names and types", async () => {
      const { app } = await makeApp();
      const { key } = await newAccount(app);
      const u1 = await usageKey(app, key, {
        can_delete_groups: true,
        execute_in_groups: [0],
        expiration: 1_900_000_000,
      });
      await usageKey(app, key, { add_pkp_to_groups: [4, 5] });
      const r = await get(app, "/list_api_keys?page_number=0&page_size=10", bearer(key));
      expect(r.statusCode).to.equal(200);
      const items = r.json() as Record<string, unknown>[];
      expect(items).to.have.length(2);
      expect(items[0]).to.deep.equal({
        id: hashOf(u1),
        api_key_hash: hashOf(u1),
        name: "usage",
        description: "a usage key",
        expiration: "1900000000",
        balance: 0,
        can_create_groups: false,
        can_delete_groups: true,
        can_create_pkps: false,
        can_manage_ipfs_ids_in_groups: [],
        can_add_pkp_to_groups: [],
        can_remove_pkp_from_groups: [],
        can_execute_in_groups: [0],
      });
      expect(items[1].can_add_pkp_to_groups).to.deep.equal([4, 5]);
      expect(items[1].expiration).to.equal("0");
      expect(items.map((i) => i.id)).to.not.include(hashOf(key));
    });

    it("shows a usage key only its own entry", async () => {
      const { app } = await makeApp();
      const { key } = await newAccount(app);
      const u1 = await usageKey(app, key);
      await usageKey(app, key);
      const r = await get(app, "/list_api_keys?page_number=0&page_size=10", bearer(u1));
      expect((r.json() as { id: string }[]).map((i) => i.id)).to.deep.equal([hashOf(u1)]);
      expect((await get(app, "/list_api_keys?page_number=1&page_size=10", bearer(u1))).json()).to.deep.equal([]);
    });

    it("pages zero-based; past the end is []; page_size 1..100", async () => {
      const { app } = await makeApp();
      const { key } = await newAccount(app);
      const keys = [await usageKey(app, key), await usageKey(app, key), await usageKey(app, key)];
      const page = async (n: number, size: number) =>
        (
          (await get(app, `/list_api_keys?page_number=${n}&page_size=${size}`, bearer(key))).json() as { id: string }[]
        ).map((i) => i.id);
      expect(await page(0, 2)).to.deep.equal([hashOf(keys[0]), hashOf(keys[1])]);
      expect(await page(1, 2)).to.deep.equal([hashOf(keys[2])]);
      expect(await page(2, 2)).to.deep.equal([]);
      expect(await page(5, 100)).to.deep.equal([]);
      for (const [query, status, field] of [
        ["page_number=0&page_size=0", 400, "page_size"],
        ["page_number=0&page_size=101", 400, "page_size"],
        ["page_number=0", 422, "page_size"],
        ["page_size=10", 422, "page_number"],
        ["page_number=-1&page_size=10", 422, "page_number"],
        ["page_number=1.5&page_size=10", 422, "page_number"],
        ["page_number=abc&page_size=10", 422, "page_number"],
        ["page_number=0&page_size=1e1", 422, "page_size"],
      ] as [string, number, string][]) {
        const r = await get(app, `/list_api_keys?${query}`, bearer(key));
        expect(r.statusCode, query).to.equal(status);
        expect(errorBody(r).error).to.contain(field);
      }
    });
  });

  describe("POST /update_usage_api_key", () => {
    it("overwrites every permission, by key text or by 0x hash, keeping the balance", async () => {
      const { app, chain } = await makeApp();
      const { key } = await newAccount(app);
      const u = await usageKey(app, key, { can_create_groups: true, execute_in_groups: [1] });
      chain.usageKeys.get(hashOf(u))!.balance = "250";
      for (const ref of [u, hashOf(u), hashOf(u).toUpperCase().replace("0X", "0x")]) {
        const r = await post(
          app,
          "/update_usage_api_key",
          { usage_api_key: ref, ...usageKeyBody({ can_delete_groups: true }, "renamed") },
          bearer(key),
        );
        expect(r.statusCode, ref).to.equal(200);
        expect(r.json()).to.deep.equal({ success: true });
        expect(chain.requests.at(-1)?.args).to.deep.equal([
          hashOf(key),
          hashOf(u),
          "0",
          "250",
          "renamed",
          "a usage key",
          false,
          true,
          false,
          [],
          [],
          [],
          [],
        ]);
      }
      const listed = (await get(app, "/list_api_keys?page_number=0&page_size=10", bearer(key))).json() as Record<
        string,
        unknown
      >[];
      expect(listed[0]).to.include({
        name: "renamed",
        can_create_groups: false,
        can_delete_groups: true,
        balance: 250,
      });
    });

    it("refuses unknown keys (404, not created) and usage-key callers (403)", async () => {
      const { app, chain } = await makeApp();
      const { key } = await newAccount(app);
      const other = await newAccount(app);
      const foreign = await usageKey(app, other.key);
      const u = await usageKey(app, key);
      const writes = chain.requests.length;
      for (const ref of ["never-created", `0x${"ab".repeat(32)}`, foreign, hashOf(key)]) {
        const r = await post(app, "/update_usage_api_key", { usage_api_key: ref, ...usageKeyBody() }, bearer(key));
        expect(r.statusCode, ref).to.equal(404);
        expect(errorBody(r).code).to.equal("UsageApiKeyDoesNotExist");
      }
      const r = await post(app, "/update_usage_api_key", { usage_api_key: u, ...usageKeyBody() }, bearer(u));
      expect(r.statusCode).to.equal(403);
      expect(chain.requests.length).to.equal(writes);
    });

    it("rejects a malformed key reference without echoing it", async () => {
      const { app } = await makeApp();
      const { key } = await newAccount(app);
      for (const ref of ["0x1234", "", "   ", `0x${"0".repeat(64)}`]) {
        const r = await post(app, "/update_usage_api_key", { usage_api_key: ref, ...usageKeyBody() }, bearer(key));
        expect(r.statusCode, JSON.stringify(ref)).to.equal(400);
        expect(errorBody(r).error).to.contain("usage_api_key");
      }
      const r = await post(app, "/update_usage_api_key", { ...usageKeyBody() }, bearer(key));
      expect(r.statusCode).to.equal(422);
    });
  });

  describe("POST /update_usage_api_key_metadata and /remove_usage_api_key", () => {
    it("renames and removes; a removed key no longer authenticates", async () => {
      const { app, chain } = await makeApp();
      const { key } = await newAccount(app);
      const u = await usageKey(app, key, { execute_in_groups: [0] });
      const m = await post(
        app,
        "/update_usage_api_key_metadata",
        { usage_api_key: u, name: "n2", description: "d2" },
        bearer(key),
      );
      expect(m.statusCode).to.equal(200);
      expect(m.json()).to.deep.equal({ success: true });
      expect(chain.requests.at(-1)).to.deep.include({
        method: "updateUsageApiKeyMetadata",
        args: [hashOf(key), hashOf(u), "n2", "d2"],
      });

      const d = await post(app, "/remove_usage_api_key", { usage_api_key: hashOf(u) }, bearer(key));
      expect(d.statusCode).to.equal(200);
      expect(chain.requests.at(-1)).to.deep.include({ method: "removeUsageApiKey", args: [hashOf(key), hashOf(u)] });
      const after = await get(app, "/list_groups?page_number=0&page_size=1", bearer(u));
      expect(after.statusCode).to.equal(401);
      const again = await post(app, "/remove_usage_api_key", { usage_api_key: u }, bearer(key));
      expect(again.statusCode).to.equal(404);
    });

    it("validates and checks authority before writing", async () => {
      const { app, chain } = await makeApp();
      const { key } = await newAccount(app);
      const u = await usageKey(app, key);
      const writes = chain.requests.length;
      const cases: [string, unknown, string | null, number][] = [
        ["/update_usage_api_key_metadata", { usage_api_key: u, name: "x".repeat(129), description: "" }, key, 400],
        ["/update_usage_api_key_metadata", { usage_api_key: u, name: "x" }, key, 422],
        ["/update_usage_api_key_metadata", { usage_api_key: "nope", name: "x", description: "" }, key, 404],
        ["/update_usage_api_key_metadata", { usage_api_key: u, name: "x", description: "" }, u, 403],
        ["/update_usage_api_key_metadata", { usage_api_key: u, name: "x", description: "" }, null, 401],
        ["/remove_usage_api_key", { usage_api_key: 7 }, key, 422],
        ["/remove_usage_api_key", {}, key, 422],
        ["/remove_usage_api_key", { usage_api_key: u }, u, 403],
        ["/remove_usage_api_key", { usage_api_key: u }, null, 401],
      ];
      for (const [path, body, auth, status] of cases) {
        const r = await post(app, path, body, auth === null ? {} : bearer(auth));
        expect(r.statusCode, `${path} ${JSON.stringify(body)}`).to.equal(status);
      }
      expect(chain.requests.length).to.equal(writes);
    });
  });

  it("an expired usage key gets 401 UsageApiKeyExpired", async () => {
    const { app, clock } = await makeApp();
    const { key } = await newAccount(app);
    const u = await usageKey(app, key, { expiration: clock.now + 60 });
    expect((await get(app, "/list_groups?page_number=0&page_size=1", bearer(u))).statusCode).to.equal(200);
    clock.now += 60;
    const r = await get(app, "/list_groups?page_number=0&page_size=1", bearer(u));
    expect(r.statusCode).to.equal(401);
    expect(errorBody(r).code).to.equal("UsageApiKeyExpired");
  });
});
