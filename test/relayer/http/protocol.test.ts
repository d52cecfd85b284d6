/** Cross-cutting HTTP behaviour: ids, CORS, body limits, error mapping, rate limits, log redaction. */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { ChainUnavailableError, IdempotencyConflictError, RevertError } from "../../../src/relayer/ports";
import { bearer, CID, errorBody, get, makeApp, newAccount, OPEN_LIMITS, post, usageKey, usageKeyBody } from "./support";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("relayer http: protocol", () => {
  describe("X-Request-Id and X-Correlation-Id", () => {
    it("every response carries a fresh UUIDv4 request id (a client one is ignored); correlation ids are echoed", async () => {
      const { app } = await makeApp();
      const seen = new Set<string>();
      const responses = [
        await get(app, "/version", { "x-request-id": "client-chosen", "x-correlation-id": "corr-1" }),
        await get(app, "/list_groups?page_number=0&page_size=1"),
        await get(app, "/nope"),
        await app.inject({ method: "GET", url: "/core/v1/%zz" }),
        await app.inject({
          method: "POST",
          url: "/core/v1/new_account",
          payload: "{",
          headers: { "content-type": "application/json" },
        }),
        await app.inject({ method: "GET", url: "/health" }),
        await app.inject({ method: "GET", url: "/metrics" }),
        await app.inject({ method: "OPTIONS", url: "/core/v1/add_group" }),
      ];
      for (const r of responses) {
        const id = r.headers["x-request-id"];
        expect(id, r.body).to.be.a("string").and.match(UUID_V4);
        expect(seen.has(id as string)).to.equal(false);
        seen.add(id as string);
        if (r.statusCode >= 400 && r.statusCode !== 404 && r.headers["content-type"]?.toString().includes("json")) {
          expect((r.json() as { request_id: string }).request_id).to.equal(id);
        }
      }
      expect(responses[0].headers["x-correlation-id"]).to.equal("corr-1");
      expect(responses[1].headers["x-correlation-id"]).to.equal(undefined);
      const empty = await get(app, "/version", { "x-correlation-id": "" });
      expect(empty.headers["x-correlation-id"]).to.equal(undefined);
      const err = await get(app, "/list_groups?page_number=0&page_size=1", { "x-correlation-id": "c 2" });
      expect(err.statusCode).to.equal(401);
      expect(err.headers["x-correlation-id"]).to.equal("c 2");
    });

    it("logs both ids with the request line", async () => {
      const { app, logs } = await makeApp();
      const r = await get(app, "/version", { "x-correlation-id": "trace-42" });
      const line = logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === "request" && l.request_id === r.headers["x-request-id"]);
      expect(line).to.include({ correlation_id: "trace-42", status: 200, path: "/core/v1/version", method: "GET" });
    });
  });

  describe("CORS", () => {
    it("allows listed origins, exposing the id headers; others get no CORS headers", async () => {
      const { app } = await makeApp();
      const ok = await get(app, "/version", { origin: "https://dashboard.example" });
      expect(ok.headers["access-control-allow-origin"]).to.equal("https://dashboard.example");
      expect(ok.headers["access-control-expose-headers"]).to.contain("X-Request-Id").and.contain("X-Correlation-Id");
      expect(ok.headers.vary).to.contain("Origin");
      const no = await get(app, "/version", { origin: "https://evil.example" });
      expect(no.headers["access-control-allow-origin"]).to.equal(undefined);
      const pre = await app.inject({
        method: "OPTIONS",
        url: "/core/v1/add_group",
        headers: {
          origin: "https://dashboard.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type",
        },
      });
      expect(pre.statusCode).to.equal(204);
      expect(pre.headers["access-control-allow-methods"]).to.contain("POST");
      expect(pre.headers["access-control-allow-headers"])
        .to.contain("Authorization")
        .and.contain("X-Api-Key")
        .and.contain("Idempotency-Key");
      const preBad = await app.inject({
        method: "OPTIONS",
        url: "/core/v1/add_group",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      });
      expect(preBad.statusCode).to.equal(204);
      expect(preBad.headers["access-control-allow-origin"]).to.equal(undefined);
      // Errors carry CORS headers too, so browsers can read them.
      const err = await get(app, "/list_groups?page_number=0&page_size=1", { origin: "https://dashboard.example" });
      expect(err.statusCode).to.equal(401);
      expect(err.headers["access-control-allow-origin"]).to.equal("https://dashboard.example");
    });

    it('"*" allows any origin', async () => {
      const { app } = await makeApp({ config: { corsOrigins: ["*"] } });
      expect(
        (await get(app, "/version", { origin: "https://any.example" })).headers["access-control-allow-origin"],
      ).to.equal("*");
    });
  });

  describe("bodies", () => {
    it("413 above 10 MiB, nothing written; 10 MiB itself is parsed", async () => {
      const { app, chain } = await makeApp();
      const limit = 10 * 1024 * 1024;
      const big = JSON.stringify({ account_name: "n", account_description: "d", pad: "x".repeat(limit) });
      const r = await app.inject({
        method: "POST",
        url: "/core/v1/new_account",
        payload: big,
        headers: { "content-type": "application/json" },
      });
      expect(r.statusCode).to.equal(413);
      expect(errorBody(r).code).to.equal("BodyTooLarge");
      const fits = JSON.stringify({ account_name: "n", account_description: "d", pad: "" });
      const exact = fits.replace('"pad":""', `"pad":"${"x".repeat(limit - fits.length)}"`);
      expect(exact.length).to.equal(limit);
      const ok = await app.inject({
        method: "POST",
        url: "/core/v1/new_account",
        payload: exact,
        headers: { "content-type": "application/json" },
      });
      expect(ok.statusCode).to.equal(200);
      expect(chain.accounts.size).to.equal(1);
    });

    it("malformed JSON is 400, a non-JSON content type 415, prototype poisoning 400", async () => {
      const { app } = await makeApp();
      const send = (payload: string, type: string) =>
        app.inject({ method: "POST", url: "/core/v1/new_account", payload, headers: { "content-type": type } });
      for (const payload of ["{", '{"a":}', "", "nul", "{'a':1}"]) {
        const r = await send(payload, "application/json");
        expect(r.statusCode, payload).to.equal(400);
        expect(errorBody(r).code).to.equal("MalformedJson");
      }
      const form = await send("account_name=x", "application/x-www-form-urlencoded");
      expect(form.statusCode).to.equal(415);
      expect(errorBody(form).code).to.equal("UnsupportedMediaType");
      const proto = await send(
        '{"__proto__":{"x":1},"account_name":"n","account_description":"d"}',
        "application/json",
      );
      expect(proto.statusCode).to.equal(400);
      errorBody(proto);
      const charset = await send('{"account_name":"n","account_description":"d"}', "application/json; charset=utf-8");
      expect(charset.statusCode).to.equal(200);
    });
  });

  describe("errors", () => {
    it("maps every decoded revert by its name (http-api.md §2)", async () => {
      const { app, chain } = await makeApp();
      const { key } = await newAccount(app);
      const table: [RevertError, number, string][] = [
        [new RevertError("NoAccountAccess", [1n, "0x01"]), 403, "NoAccountAccess"],
        [new RevertError("NotMasterAccount", [1n]), 403, "NotMasterAccount"],
        [new RevertError("NotAllowedToCreateGroup", [1n]), 403, "NotAllowedToCreateGroup"],
        [new RevertError("NotAllowedToDeleteGroup", [1n]), 403, "NotAllowedToDeleteGroup"],
        [new RevertError("NotAllowedToCreatePkp", [1n]), 403, "NotAllowedToCreatePkp"],
        [new RevertError("NotAllowedToManageIPFSIdsInGroup", [1n, 2n]), 403, "NotAllowedToManageIPFSIdsInGroup"],
        [new RevertError("NotAllowedToAddPkpToGroup", [1n, 2n]), 403, "NotAllowedToAddPkpToGroup"],
        [new RevertError("NotAllowedToRemovePkpFromGroup", [1n, 2n]), 403, "NotAllowedToRemovePkpFromGroup"],
        [new RevertError("GroupDoesNotExist", [1n, 2n]), 404, "GroupDoesNotExist"],
        [new RevertError("ActionDoesNotExist", [1n, 0n, 3n]), 404, "ActionDoesNotExist"],
        [new RevertError("PkpDoesNotExist", [1n, 0n, "0x01"]), 404, "PkpDoesNotExist"],
        [new RevertError("UsageApiKeyDoesNotExist", [1n, 2n]), 404, "UsageApiKeyDoesNotExist"],
        [new RevertError("AccountDoesNotExist", [1n]), 404, "AccountDoesNotExist"],
        [new RevertError("AccountAlreadyExists", [1n]), 409, "AccountAlreadyExists"],
        [new RevertError("WalletAlreadyRegistered", ["0x01", 1n]), 409, "WalletAlreadyRegistered"],
        [new RevertError("DerivationAlreadyRegistered", [1n]), 409, "DerivationAlreadyRegistered"],
        [new RevertError("InvalidRequest", ["account is already ChainSecured"]), 409, "InvalidRequest"],
        [new RevertError("InvalidRequest", ["group cidHashes: more than 100 entries"]), 400, "InvalidRequest"],
        [new RevertError("UsageApiKeyExpired", [1n, 5n]), 401, "UsageApiKeyExpired"],
        [new RevertError("InsufficientBalance", [1n, 5n]), 402, "InsufficientBalance"],
        [new RevertError("OnlyApiPayerOrOwner", ["0x01"]), 503, "OnlyApiPayerOrOwner"],
      ];
      for (const [revert, status, code] of table) {
        chain.failNext(revert);
        const r = await post(app, "/add_action", { action_ipfs_cid: CID, name: "n", description: "" }, bearer(key));
        expect(r.statusCode, revert.errorName).to.equal(status);
        const body = errorBody(r);
        expect(body.code).to.equal(code);
        if (status === 503) expect(r.headers["retry-after"]).to.match(/^[1-9]/);
      }
      chain.failNext(new RevertError("InvalidRequest", ["group cidHashes: more than 100 entries"]));
      const msg = await post(app, "/add_action", { action_ipfs_cid: CID, name: "n", description: "" }, bearer(key));
      expect(errorBody(msg).error).to.equal("group cidHashes: more than 100 entries");
    });

    it("chain outages are 503 with Retry-After; an idempotency conflict 422; a bug 500 without details", async () => {
      const { app, chain, logs } = await makeApp();
      const { key } = await newAccount(app);
      const call = () => post(app, "/add_action", { action_ipfs_cid: CID, name: "n", description: "" }, bearer(key));
      chain.failNext(new ChainUnavailableError("rpc down", true));
      const queued = await call();
      expect(queued.statusCode).to.equal(503);
      expect(queued.headers["retry-after"]).to.equal("5");
      expect(errorBody(queued).error).to.contain("Idempotency-Key");
      chain.failNext(new IdempotencyConflictError());
      const conflict = await call();
      expect(conflict.statusCode).to.equal(422);
      expect(errorBody(conflict).code).to.equal("IdempotencyKeyReused");
      chain.failNext(new Error("secret internals: connection string postgres://u:p@h"));
      const bug = await call();
      expect(bug.statusCode).to.equal(500);
      expect(errorBody(bug)).to.include({ code: "InternalError" });
      expect(bug.body).to.not.contain("postgres");
      expect(logs.some((l) => l.includes('"level":50') && l.includes(bug.headers["x-request-id"] as string))).to.equal(
        true,
      );
      // An index read failing with ChainUnavailableError is a 503 too.
      chain.readError = new ChainUnavailableError("database down", false);
      const read = await get(app, "/list_groups?page_number=0&page_size=1", bearer(key));
      expect(read.statusCode).to.equal(503);
    });

    it("unknown routes and wrong methods are JSON 404s", async () => {
      const { app } = await makeApp();
      for (const [method, url] of [
        ["GET", "/core/v1/nope"],
        ["GET", "/core/v1/new_account"],
        ["POST", "/core/v1/list_groups"],
        ["DELETE", "/core/v1/add_group"],
        ["GET", "/core/v2/version"],
      ] as ["GET" | "POST" | "DELETE", string][]) {
        const r = await app.inject({ method, url });
        expect(r.statusCode, `${method} ${url}`).to.equal(404);
        expect(errorBody(r).code).to.equal("RouteNotFound");
      }
    });
  });

  describe("rate limits", () => {
    it("per key: 429 with Retry-After once the burst is spent, refilled over time", async () => {
      let now = 1000;
      const { app } = await makeApp({
        config: { rateLimits: { ...OPEN_LIMITS, perKey: { perSecond: 0.5, burst: 3 } } },
        limiterNow: () => now,
      });
      const { key } = await newAccount(app);
      const call = () => get(app, "/list_groups?page_number=0&page_size=1", bearer(key));
      for (let i = 0; i < 3; i++) expect((await call()).statusCode).to.equal(200);
      const limited = await call();
      expect(limited.statusCode).to.equal(429);
      expect(limited.headers["retry-after"]).to.equal("2");
      expect(errorBody(limited).code).to.equal("RateLimited");
      // Another key is not affected; a key sent via X-Api-Key shares the same bucket.
      expect((await get(app, "/list_groups?page_number=0&page_size=1", { "x-api-key": key })).statusCode).to.equal(429);
      expect((await get(app, "/version")).statusCode).to.equal(200);
      now += 2;
      expect((await call()).statusCode).to.equal(200);
      expect((await call()).statusCode).to.equal(429);
    });

    it("per IP, and stricter for new_account; health, ready and metrics are exempt", async () => {
      let now = 0;
      const { app, chain } = await makeApp({
        config: {
          rateLimits: {
            perKey: OPEN_LIMITS.perKey,
            perIp: { perSecond: 1, burst: 5 },
            newAccount: { perSecond: 1 / 3600, burst: 2 },
          },
        },
        limiterNow: () => now,
      });
      const body = { account_name: "n", account_description: "d" };
      expect((await post(app, "/new_account", body)).statusCode).to.equal(200);
      expect((await post(app, "/new_account", body)).statusCode).to.equal(200);
      const minted = await post(app, "/new_account", body);
      expect(minted.statusCode).to.equal(429);
      expect(Number(minted.headers["retry-after"])).to.be.greaterThan(3000);
      expect(chain.accounts.size).to.equal(2);
      expect((await get(app, "/version")).statusCode).to.equal(200);
      expect((await get(app, "/version")).statusCode).to.equal(200);
      expect((await get(app, "/version")).statusCode).to.equal(429); // the IP's 5 tokens are spent
      for (const p of ["/health", "/ready", "/metrics"])
        expect((await app.inject({ method: "GET", url: p })).statusCode).to.equal(200);
      const other = await app.inject({ method: "GET", url: "/core/v1/version", remoteAddress: "10.0.0.9" });
      expect(other.statusCode).to.equal(200);
      now += 1;
      expect((await get(app, "/version")).statusCode).to.equal(200);
    });
  });

  describe("log redaction", () => {
    it("API keys and Authorization headers never appear in the logs", async () => {
      const { app, chain, logs } = await makeApp();
      const { key } = await newAccount(app);
      const usage = await usageKey(app, key, { execute_in_groups: [0] });
      await get(app, "/list_groups?page_number=0&page_size=1", bearer(key));
      await get(app, "/list_groups?page_number=0&page_size=1", { "x-api-key": usage });
      await get(app, "/list_groups?page_number=x&page_size=1", bearer(key));
      await post(
        app,
        "/update_usage_api_key",
        { usage_api_key: usage, ...usageKeyBody({ execute_in_groups: [1, 1] }) },
        bearer(key),
      );
      await post(app, "/update_usage_api_key", { usage_api_key: `${usage}x`, ...usageKeyBody() }, bearer(key));
      await post(
        app,
        "/remove_usage_api_key",
        { usage_api_key: usage },
        { authorization: `Bearer ${key}`, "x-api-key": usage },
      );
      chain.failNext(new Error(`boom`));
      await post(app, "/add_action", { action_ipfs_cid: CID, name: "n", description: "" }, bearer(key));
      await get(app, `/list_groups?page_number=0&page_size=1&api_key=${encodeURIComponent(key)}`, bearer(key));
      await get(app, "/list_groups?page_number=0&page_size=1", bearer("unknown-secret-key-123"));
      expect(logs.length).to.be.greaterThan(8);
      const all = logs.join("\n");
      for (const secret of [key, usage, encodeURIComponent(key), "unknown-secret-key-123", key.slice(0, 20)]) {
        expect(all).to.not.contain(secret);
      }
      expect(all.toLowerCase()).to.not.contain("bearer");
      // Hashes may be logged; request lines are present.
      expect(all).to.contain('"msg":"request"');
      void keccak256(toUtf8Bytes(key));
    });
  });
});
