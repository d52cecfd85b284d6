/**
 * Usage API keys, setUsageApiKey: hashes a key may not take (a master, another account's usage
 * key, an admin alias, another account's removed key) and a removed key set again.
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import {
  addGroup,
  addUsageKey,
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  freshManagedAccount,
  HashKind,
  newApiKey,
  usageKeyArgs,
} from "../../../fixtures/support";
import { cidOf } from "../support";

describe("Usage API keys", () => {
  describe("setUsageApiKey", () => {
    it("rejects the account's own master hash with AccountAlreadyExists", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.setUsageApiKey(master, master, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(master);
    });

    it("rejects another account's master hash with AccountAlreadyExists and leaves it a master", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      await expect(api.setUsageApiKey(master, other, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(other);
      expect(await f.diamond.resolveApiKeyHash(other)).to.deep.equal([other, HashKind.Master]);
    });

    it("rejects another account's usage key hash with AccountAlreadyExists", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addUsageKey(f, other, { executeInGroups: [0] });
      await expect(api.setUsageApiKey(master, theirs, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(theirs);
      expect((await f.diamond.resolveApiKeyHash(theirs))[0]).to.equal(other);
    });

    it("rejects an admin alias hash with AccountAlreadyExists", async () => {
      const { f, api, master } = await freshManagedAccount();
      const admin = f.users[1];
      const chainSecured = await createChainSecuredAccount(f, admin);
      await expect(api.setUsageApiKey(master, chainSecured, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(chainSecured);
      // the converted account's own alias, set through its admin
      const converted = await createManagedAccount(f, "conv");
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(converted, f.users[2].address);
      const alias = aliasOf(f.users[2].address);
      await expect(f.diamond.connect(f.users[2]).setUsageApiKey(converted, alias, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(alias);
    });

    it("lets the same account set a removed key's hash again with only the new permissions", async () => {
      const { f, api, master } = await freshManagedAccount();
      const g = await addGroup(f, master, [cidOf("a")]);
      const { hash: key } = newApiKey();
      await api.setUsageApiKey(
        master,
        key,
        ...usageKeyArgs({ createGroups: true, balance: 10n, manageIPFSIdsInGroups: [0], executeInGroups: [0] }),
      );
      await api.removeUsageApiKey(master, key);
      await expect(api.setUsageApiKey(master, key, ...usageKeyArgs({ name: "again" })))
        .to.emit(f.diamond, "UsageApiKeySet")
        .withArgs(master, key);
      expect(await f.diamond.resolveApiKeyHash(key)).to.deep.equal([master, HashKind.UsageKey]);
      expect(await f.diamond.canExecuteAction(key, cidOf("a"))).to.equal(false);
      expect(await f.diamond.apiKeyBalance(key)).to.equal(0n);
      await expect(api.addGroup(key, "g", "", [], [])).to.be.revertedWithCustomError(f.diamond, "NotAllowedToCreateGroup");
      await expect(api.addActionToGroup(key, g, cidOf("b")))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
        .withArgs(key, g);
    });

    it("rejects another account binding a removed key's hash with AccountAlreadyExists", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const key = await addUsageKey(f, master);
      await api.removeUsageApiKey(master, key);
      await expect(api.setUsageApiKey(other, key, ...usageKeyArgs({ executeInGroups: [0] })))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(key);
      expect(await f.diamond.resolveApiKeyHash(key)).to.deep.equal([0n, HashKind.RemovedUsageKey]);
    });
  });
});
