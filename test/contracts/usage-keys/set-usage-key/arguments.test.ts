/**
 * Usage API keys, setUsageApiKey: the arguments a key is checked for: hash 0, group arrays (50
 * entries, duplicates, ids not created yet), name and description lengths.
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import { addGroup, addUsageKey, freshManagedAccount, newApiKey, usageKeyArgs } from "../../../fixtures/support";
import { cidOf } from "../support";

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => BigInt(from + i));

const ARRAYS = ["manageIPFSIdsInGroups", "addPkpToGroups", "removePkpFromGroups", "executeInGroups"] as const;

describe("Usage API keys", () => {
  describe("setUsageApiKey", () => {
    it("rejects usage hash 0 with InvalidRequest(\"usageApiKeyHash: must not be zero\")", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.setUsageApiKey(master, 0, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("usageApiKeyHash: must not be zero");
    });

    for (const field of ARRAYS) {
      it(`accepts 50 entries in ${field}`, async () => {
        const { f, master } = await freshManagedAccount();
        const key = await addUsageKey(f, master, { [field]: ids(50) });
        expect([...(await f.diamond.getUsageApiKey(master, key))[field]]).to.deep.equal(ids(50));
      });

      it(`rejects 51 entries in ${field} with InvalidRequest("${field}: more than 50 entries")`, async () => {
        const { f, api, master } = await freshManagedAccount();
        await expect(api.setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs({ [field]: ids(51) })))
          .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
          .withArgs(`${field}: more than 50 entries`);
      });

      it(`rejects a duplicate group id in ${field} with InvalidRequest("${field}: duplicate group id")`, async () => {
        const { f, api, master } = await freshManagedAccount();
        await expect(api.setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs({ [field]: [3, 4, 3] })))
          .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
          .withArgs(`${field}: duplicate group id`);
      });

      it(`rejects a duplicate wildcard 0 in ${field}`, async () => {
        const { f, api, master } = await freshManagedAccount();
        await expect(api.setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs({ [field]: [0, 0] })))
          .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
          .withArgs(`${field}: duplicate group id`);
      });
    }

    it("accepts the same group id in different arrays", async () => {
      const { f, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, {
        manageIPFSIdsInGroups: [1, 0],
        addPkpToGroups: [1, 0],
        removePkpFromGroups: [1, 0],
        executeInGroups: [1],
      });
      expect([...(await f.diamond.getUsageApiKey(master, key)).addPkpToGroups]).to.deep.equal([1n, 0n]);
    });

    it("accepts group ids that do not exist yet; they take effect once created", async () => {
      const { f, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { executeInGroups: [2] });
      const a = cidOf("a");
      await addGroup(f, master, [cidOf("other")]); // id 1
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(false);
      expect(await addGroup(f, master, [a])).to.equal(2n);
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(true);
    });

    it("rejects an over-long name or description with InvalidRequest naming the field", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs({ name: "n".repeat(129) })))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
      await expect(api.setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs({ description: "d".repeat(1025) })))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });
  });
});
