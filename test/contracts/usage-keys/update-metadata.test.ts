/**
 * Usage API keys: updateUsageApiKeyMetadata.
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import {
  addGroup,
  addUsageKey,
  createManagedAccount,
  freshManagedAccount,
  newApiKey,
} from "../../fixtures/support";
import { cidOf, plainKey } from "./support";

describe("Usage API keys", () => {
  describe("updateUsageApiKeyMetadata", () => {
    it("changes name and description and emits UsageApiKeyMetadataSet only", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { name: "old", createGroups: true, balance: 3n, executeInGroups: [5, 6] });
      const before = plainKey(await f.diamond.getUsageApiKey(master, key));
      await expect(api.updateUsageApiKeyMetadata(master, key, "Renamed Key", "Updated description"))
        .to.emit(f.diamond, "UsageApiKeyMetadataSet")
        .withArgs(master, key, "Renamed Key", "Updated description")
        .and.not.to.emit(f.diamond, "UsageApiKeyPermissionsSet");
      expect(plainKey(await f.diamond.getUsageApiKey(master, key))).to.deep.equal({
        ...before,
        metadata: { id: key, name: "Renamed Key", description: "Updated description" },
      });
    });

    it("keeps the key's permissions working", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const g = await addGroup(f, master, [a]);
      const key = await addUsageKey(f, master, { executeInGroups: [g] });
      await api.updateUsageApiKeyMetadata(master, key, "x", "y");
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(true);
    });

    it("reverts UsageApiKeyDoesNotExist(account, key) for an unknown key", async () => {
      const { f, api, master } = await freshManagedAccount();
      const unknown = newApiKey().hash;
      await expect(api.updateUsageApiKeyMetadata(master, unknown, "n", ""))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyDoesNotExist")
        .withArgs(master, unknown);
    });

    it("reverts UsageApiKeyDoesNotExist for another account's key", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addUsageKey(f, other, { name: "theirs" });
      await expect(api.updateUsageApiKeyMetadata(master, theirs, "mine", ""))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyDoesNotExist")
        .withArgs(master, theirs);
      expect((await f.diamond.getUsageApiKey(other, theirs)).metadata.name).to.equal("theirs");
    });

    it("reverts UsageApiKeyDoesNotExist for a removed key", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master);
      await api.removeUsageApiKey(master, key);
      await expect(api.updateUsageApiKeyMetadata(master, key, "n", ""))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyDoesNotExist")
        .withArgs(master, key);
    });

    it("is master-only: a usage key cannot rename itself (NotMasterAccount)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master);
      await expect(api.updateUsageApiKeyMetadata(key, key, "n", ""))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });

    it("rejects an over-long name with InvalidRequest(\"name: longer than 128 bytes\")", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master);
      await expect(api.updateUsageApiKeyMetadata(master, key, "n".repeat(129), ""))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });
  });
});
