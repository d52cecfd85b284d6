/** new_account, account_exists and credential parsing (http-api.md §1, §3, §6). */
import { expect } from "chai";
import { randomBytes, randomUUID } from "crypto";
import { decodeBase64, keccak256, toUtf8Bytes } from "ethers";
import { pkpAddress } from "../../../src/core";
import { ChainUnavailableError, RevertError } from "../../../src/relayer/ports";
import { bearer, errorBody, get, makeApp, newAccount, post, ROOT_SECRET, usageKey } from "./support";

describe("relayer http: accounts", () => {
  describe("POST /new_account", () => {
    it("returns a base64 key shown once and the account wallet, after newAccount + registerWalletDerivation", async () => {
      const { app, chain } = await makeApp();
      const r = await post(app, "/new_account", {
        account_name: "Acme",
        account_description: "our account",
        email: "a@b.c",
      });
      expect(r.statusCode).to.equal(200);
      const body = r.json() as { api_key: string; wallet_address: string };
      expect(Object.keys(body).sort()).to.deep.equal(["api_key", "wallet_address"]);
      expect(body.api_key).to.match(/^[A-Za-z0-9+/]{43}=$/);
      expect(decodeBase64(body.api_key).length).to.equal(32);
      expect(body.wallet_address).to.match(/^0x[0-9a-f]{40}$/);

      const master = keccak256(toUtf8Bytes(body.api_key));
      expect(chain.methods).to.deep.equal(["newAccount", "registerWalletDerivation"]);
      expect(chain.requests[0].args).to.deep.equal([master, true, "Acme", "our account", body.wallet_address]);
      const [h, wallet, derivation, name, description] = chain.requests[1].args as string[];
      expect([h, wallet, name, description]).to.deep.equal([
        master,
        body.wallet_address,
        "AMW",
        "Account Master Wallet",
      ]);
      expect(BigInt(derivation) > 0n).to.equal(true);
      // The wallet key comes from the root secret, never from the API key.
      expect(pkpAddress(ROOT_SECRET, master, derivation)).to.equal(body.wallet_address);
      expect(chain.requests[0].idempotencyKey).to.equal(undefined);
    });

    it("gives every account a different key and wallet", async () => {
      const { app } = await makeApp();
      const a = await newAccount(app);
      const b = await newAccount(app);
      expect(a.key).to.not.equal(b.key);
      expect(a.wallet).to.not.equal(b.wallet);
    });

    it("needs no credential and ignores unknown fields", async () => {
      const { app } = await makeApp();
      const r = await post(
        app,
        "/new_account",
        { account_name: "x", account_description: "", extra: [1, 2] },
        { authorization: "Bearer nonsense" },
      );
      expect(r.statusCode).to.equal(200);
      expect(
        (await post(app, "/new_account", { account_name: "x", account_description: "", email: null })).statusCode,
      ).to.equal(200);
    });

    it("rejects wrong shapes with 422 and invalid values with 400, writing nothing", async () => {
      const { app, chain } = await makeApp();
      const cases: [unknown, number, string][] = [
        [{ account_description: "d" }, 422, "account_name"],
        [{ account_name: "n" }, 422, "account_description"],
        [{ account_name: 5, account_description: "d" }, 422, "account_name"],
        [{ account_name: "n", account_description: null }, 422, "account_description"],
        [{ account_name: "n", account_description: "d", email: 3 }, 422, "email"],
        [[], 422, "body"],
        ["text", 422, "body"],
        [{ account_name: "x".repeat(129), account_description: "d" }, 400, "account_name"],
        [{ account_name: "é".repeat(65), account_description: "d" }, 400, "account_name"], // 130 bytes
        [{ account_name: "n", account_description: "d".repeat(1025) }, 400, "account_description"],
      ];
      for (const [body, status, field] of cases) {
        const r = await post(app, "/new_account", body);
        expect(r.statusCode, JSON.stringify(body)).to.equal(status);
        expect(errorBody(r).error).to.contain(field);
      }
      const ok = await post(app, "/new_account", {
        account_name: "é".repeat(64),
        account_description: "d".repeat(1024),
      });
      expect(ok.statusCode).to.equal(200);
      expect(chain.methods).to.deep.equal(["newAccount", "registerWalletDerivation"]);
    });

    it("with an unguessable Idempotency-Key (a UUID v4), a retry returns the same key and creates nothing new", async () => {
      const { app, chain } = await makeApp();
      const body = { account_name: "n", account_description: "d" };
      const idem = randomUUID();
      const a = await post(app, "/new_account", body, { "idempotency-key": idem });
      const b = await post(app, "/new_account", body, { "idempotency-key": idem });
      expect(a.statusCode).to.equal(200);
      expect(b.json()).to.deep.equal(a.json());
      expect(chain.accounts.size).to.equal(1);
      expect(chain.requests[0].idempotencyKey).to.equal(`${idem}#newAccount`);
      expect(chain.requests[0].idempotencyScope).to.equal("anon:127.0.0.1");
      expect(chain.requests[1].idempotencyKey).to.equal(`${idem}#registerWalletDerivation`);
      const c = await post(app, "/new_account", { ...body, account_name: "other" }, { "idempotency-key": idem });
      expect(c.statusCode).to.equal(422);
      expect(errorBody(c).code).to.equal("IdempotencyKeyReused");
    });

    it("refuses a guessable Idempotency-Key with 400, so a second caller behind the same address never gets the first caller's key", async () => {
      const { app, chain } = await makeApp();
      const body = { account_name: "n", account_description: "d" };
      for (const guessable of [
        "new-account-1",
        "signup-1",
        "0123456789abcdef0123456789abcde", // 124 bits of hex
        "0123-4567-89ab-cdef-0123-4567", // 96 bits of hex with separators
        "AAAAAAAAAAAAAAAAAAAAAA", // 22 base64 characters, one symbol
        "00000000-0000-4000-8000-000000000000",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8", // a time-based UUID v1
      ]) {
        const first = await post(app, "/new_account", body, { "idempotency-key": guessable });
        const second = await post(app, "/new_account", body, { "idempotency-key": guessable });
        for (const r of [first, second]) {
          expect(r.statusCode, `${guessable}: ${r.body}`).to.equal(400);
          expect(errorBody(r).error).to.contain("Idempotency-Key").and.contain("UUID v4");
          expect(r.body).to.not.contain("api_key");
        }
      }
      expect(chain.requests).to.have.length(0);
    });

    it("accepts 128-bit random keys in hex or base64url as well as UUID v4", async () => {
      const { app } = await makeApp();
      const body = { account_name: "n", account_description: "d" };
      for (const idem of [randomBytes(16).toString("hex"), randomBytes(16).toString("base64url"), randomUUID().toUpperCase()]) {
        const r = await post(app, "/new_account", body, { "idempotency-key": idem });
        expect(r.statusCode, `${idem}: ${r.body}`).to.equal(200);
      }
    });

    it("maps the Writer's rejections: revert 409, chain down 503 with Retry-After", async () => {
      const { app, chain } = await makeApp();
      chain.failNext(new RevertError("AccountAlreadyExists", [1n]));
      const r = await post(app, "/new_account", { account_name: "n", account_description: "d" });
      expect(r.statusCode).to.equal(409);
      expect(errorBody(r).code).to.equal("AccountAlreadyExists");
      chain.failNext(new ChainUnavailableError("rpc down", false));
      const u = await post(app, "/new_account", { account_name: "n", account_description: "d" });
      expect(u.statusCode).to.equal(503);
      expect(u.headers["retry-after"]).to.match(/^[1-9][0-9]*$/);
      expect(errorBody(u).code).to.equal("ChainUnavailable");
    });
  });

  describe("GET /account_exists", () => {
    it("answers a bare true for master and usage keys, false for unknown and removed keys", async () => {
      const { app } = await makeApp();
      const { key } = await newAccount(app);
      const usage = await usageKey(app, key);
      for (const k of [key, usage]) {
        const r = await get(app, "/account_exists", bearer(k));
        expect(r.statusCode).to.equal(200);
        expect(r.body).to.equal("true");
        expect(r.headers["content-type"]).to.match(/^application\/json/);
      }
      expect((await get(app, "/account_exists", bearer("no-such-key"))).body).to.equal("false");
      await post(app, "/remove_usage_api_key", { usage_api_key: usage }, bearer(key));
      expect((await get(app, "/account_exists", bearer(usage))).body).to.equal("false");
    });

    it("is true for an account that became ChainSecured (its key still resolves)", async () => {
      const { app, chain } = await makeApp();
      const { key } = await newAccount(app);
      const account = chain.accounts.get(keccak256(toUtf8Bytes(key)));
      if (account === undefined) throw new Error("no account");
      account.managed = false;
      expect((await get(app, "/account_exists", bearer(key))).body).to.equal("true");
    });

    it("needs a credential (401)", async () => {
      const { app } = await makeApp();
      const r = await get(app, "/account_exists");
      expect(r.statusCode).to.equal(401);
      expect(errorBody(r).code).to.equal("MissingApiKey");
    });
  });

  describe("credentials", () => {
    it("accepts Bearer in any case with extra spaces, and X-Api-Key trimmed", async () => {
      const { app } = await makeApp();
      const { key } = await newAccount(app);
      const variants: Record<string, string>[] = [
        { authorization: `Bearer ${key}` },
        { authorization: `bearer ${key}` },
        { authorization: `BEARER    ${key}   ` },
        { "x-api-key": key },
        { "x-api-key": `   ${key}  ` },
        { authorization: "", "x-api-key": key }, // an empty Authorization falls through
        { authorization: "   ", "x-api-key": key },
        { authorization: "Basic dXNlcjpwYXNz", "x-api-key": key }, // not Bearer: falls through
        { authorization: `Bearer ${key}`, "x-api-key": "wrong" }, // Authorization first
      ];
      for (const headers of variants) {
        const r = await get(app, "/list_groups?page_number=0&page_size=10", headers);
        expect(r.statusCode, JSON.stringify(headers)).to.equal(200);
      }
      const r = await get(app, "/list_groups?page_number=0&page_size=10", {
        authorization: "Bearer wrong",
        "x-api-key": key,
      });
      expect(r.statusCode).to.equal(401);
      expect(errorBody(r).code).to.equal("InvalidApiKey");
    });

    it("never takes a 0x hash in a header as the key's hash", async () => {
      const { app } = await makeApp();
      const { key } = await newAccount(app);
      const hash = keccak256(toUtf8Bytes(key));
      const r = await get(app, "/list_groups?page_number=0&page_size=10", bearer(hash));
      expect(r.statusCode).to.equal(401);
    });
  });
});
