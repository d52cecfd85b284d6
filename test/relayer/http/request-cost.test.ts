/**
 * The HTTP layer's per-request work (docs/relayer-latency.md, "CPU per request"): a credential's
 * keccak hash is cached by its digest within a bound, and no access-log line is built for a level
 * that is off. The answers themselves are covered by protocol.test.ts and the route tests.
 */
import { expect } from "chai";
import type { FastifyBaseLogger } from "fastify";
import { apiKeyTextHash } from "../../../src/core";
import {
  CredentialHashCache,
  credentialDigest,
  credentialHash,
  credentialHashes,
} from "../../../src/relayer/http/credentials";
import { bearer, get, makeApp, newAccount } from "./support";

describe("relayer http: per-request cost", () => {
  describe("credential hash cache", () => {
    it("gives core's apiKeyTextHash for a key, cached or not", () => {
      const cache = new CredentialHashCache(4);
      const key = "a-key-text-éß";
      expect(cache.hashOf(key, credentialDigest(key))).to.equal(apiKeyTextHash(key));
      expect(cache.hashOf(key, credentialDigest(key))).to.equal(apiKeyTextHash(key));
      expect(credentialHash(key)).to.equal(apiKeyTextHash(key));
    });

    it("computes a key's hash once however many times the key is seen", () => {
      const cache = new CredentialHashCache(4);
      for (let i = 0; i < 5; i++) cache.hashOf("same-key", credentialDigest("same-key"));
      expect(cache.computed).to.equal(1);
    });

    it("keeps at most maxEntries hashes whatever keys are sent", () => {
      const cache = new CredentialHashCache(3);
      for (let i = 0; i < 50; i++) cache.hashOf(`key-${i}`, credentialDigest(`key-${i}`));
      expect(cache.size).to.equal(3);
    });

    it("evicts the least recently used key first", () => {
      const cache = new CredentialHashCache(2);
      const see = (k: string) => cache.hashOf(k, credentialDigest(k));
      see("a");
      see("b");
      see("a"); // a is now the most recently used
      see("c"); // evicts b
      const before = cache.computed;
      see("a");
      expect(cache.computed, "a stayed cached").to.equal(before);
      see("b");
      expect(cache.computed, "b was evicted").to.equal(before + 1);
    });

    it("hashes an authenticated caller's key once over repeated requests", async () => {
      const t = await makeApp();
      const { key } = await newAccount(t.app);
      await get(t.app, "/account_exists", bearer(key));
      const before = credentialHashes.computed;
      for (let i = 0; i < 3; i++) {
        const r = await get(t.app, "/account_exists", bearer(key));
        expect(r.statusCode).to.equal(200);
      }
      expect(credentialHashes.computed - before).to.equal(0);
    });
  });

  describe("access log", () => {
    it("builds no access-log line when the logger's info level is off", async () => {
      const lines: unknown[] = [];
      const noop = (): void => undefined;
      const logger = {
        level: "warn",
        isLevelEnabled: (level: string) => level === "warn" || level === "error" || level === "fatal",
        info: (obj: unknown) => void lines.push(obj),
        error: noop,
        warn: noop,
        debug: noop,
        fatal: noop,
        trace: noop,
        silent: noop,
        child: () => logger,
      };
      const { app } = await makeApp({ config: { logLevel: "warn" }, logger: logger as unknown as FastifyBaseLogger });
      const r = await app.inject({ method: "GET", url: "/core/v1/get_node_chain_config" });
      expect(r.statusCode).to.equal(200);
      expect(lines).to.deep.equal([]);
    });
  });
});
