/**
 * Usage API keys: the key views listApiKeys and getUsageApiKey.
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import { addUsageKey, createManagedAccount, freshManagedAccount, newApiKey } from "../../fixtures/support";
import { plainKey } from "./support";

describe("Usage API keys", () => {
  describe("listApiKeys and getUsageApiKey", () => {
    it("does not list the master key: a new account has no keys", async () => {
      const { f, master } = await freshManagedAccount();
      expect(await f.diamond.listApiKeys(master, 0, 100)).to.deep.equal([]);
    });

    it("returns the full tuple per key, the same as getUsageApiKey", async () => {
      const { f, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, {
        expiration: 4_100_000_000n,
        balance: 8n,
        name: "listed",
        description: "desc",
        deleteGroups: true,
        manageIPFSIdsInGroups: [0],
        addPkpToGroups: [1],
        removePkpFromGroups: [2],
        executeInGroups: [3],
      });
      const listed = await f.diamond.listApiKeys(master, 0, 10);
      expect(listed.length).to.equal(1);
      expect(plainKey(listed[0])).to.deep.equal({
        metadata: { id: key, name: "listed", description: "desc" },
        apiKeyHash: key,
        expiration: 4_100_000_000n,
        balance: 8n,
        executeInGroups: [3n],
        createGroups: false,
        deleteGroups: true,
        createPKPs: false,
        manageIPFSIdsInGroups: [0n],
        addPkpToGroups: [1n],
        removePkpFromGroups: [2n],
      });
      expect(plainKey(await f.diamond.getUsageApiKey(master, key))).to.deep.equal(plainKey(listed[0]));
    });

    it("pages keys in creation order", async () => {
      const { f, master } = await freshManagedAccount();
      const keys: bigint[] = [];
      for (let i = 0; i < 5; i++) keys.push(await addUsageKey(f, master, { name: `k${i}` }));
      const page = async (n: number) => (await f.diamond.listApiKeys(master, n, 2)).map((k) => k.apiKeyHash);
      expect(await page(0)).to.deep.equal(keys.slice(0, 2));
      expect(await page(1)).to.deep.equal(keys.slice(2, 4));
      expect(await page(2)).to.deep.equal(keys.slice(4));
      expect(await page(3)).to.deep.equal([]);
    });

    it("lists the same keys when asked with a usage key hash of the account", async () => {
      const { f, master } = await freshManagedAccount();
      const k1 = await addUsageKey(f, master);
      const k2 = await addUsageKey(f, master);
      expect((await f.diamond.listApiKeys(k2, 0, 10)).map((k) => k.apiKeyHash)).to.deep.equal([k1, k2]);
    });

    it("only lists the account's own keys", async () => {
      const { f, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const mine = await addUsageKey(f, master);
      const theirs = await addUsageKey(f, other);
      expect((await f.diamond.listApiKeys(master, 0, 10)).map((k) => k.apiKeyHash)).to.deep.equal([mine]);
      expect((await f.diamond.listApiKeys(other, 0, 10)).map((k) => k.apiKeyHash)).to.deep.equal([theirs]);
    });

    it("getUsageApiKey reverts UsageApiKeyDoesNotExist for another account's key or the master hash", async () => {
      const { f, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addUsageKey(f, other);
      await expect(f.diamond.getUsageApiKey(master, theirs))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyDoesNotExist")
        .withArgs(master, theirs);
      await expect(f.diamond.getUsageApiKey(master, master))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyDoesNotExist")
        .withArgs(master, master);
    });

    it("getUsageApiKey and listApiKeys revert AccountDoesNotExist for an unknown account", async () => {
      const { f } = await freshManagedAccount();
      const unknown = newApiKey().hash;
      await expect(f.diamond.getUsageApiKey(unknown, 1n))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
      await expect(f.diamond.listApiKeys(unknown, 0, 10))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });
  });
});
