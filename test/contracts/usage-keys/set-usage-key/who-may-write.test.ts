/**
 * Usage API keys, setUsageApiKey: who may set a key: the master only (not a usage key), an api
 * payer of a managed account, the admin of a ChainSecured account; an unknown account.
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../../fixtures/diamond";
import {
  addUsageKey,
  createChainSecuredAccount,
  freshManagedAccount,
  newApiKey,
  usageKeyArgs,
} from "../../../fixtures/support";

describe("Usage API keys", () => {
  describe("setUsageApiKey", () => {
    it("is master-only: a usage key cannot mint a key (NotMasterAccount)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { createGroups: true, executeInGroups: [0] });
      const minted = newApiKey().hash;
      await expect(api.setUsageApiKey(key, minted, ...usageKeyArgs({ executeInGroups: [0] })))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
      expect(await f.diamond.accountExistsAndIsMutable(minted)).to.equal(false);
    });

    it("is master-only: a usage key cannot overwrite itself", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { executeInGroups: [1] });
      await expect(api.setUsageApiKey(key, key, ...usageKeyArgs({ executeInGroups: [0] })))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });

    it("rejects an unknown account hash with AccountDoesNotExist", async () => {
      const { f, api } = await freshManagedAccount();
      const unknown = newApiKey().hash;
      await expect(api.setUsageApiKey(unknown, newApiKey().hash, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });

    it("rejects a sender that is not an api payer for a managed account with OnlyApiPayerOrOwner", async () => {
      const { f, master } = await freshManagedAccount();
      await expect(f.diamond.connect(f.users[0]).setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(f.users[0].address);
    });

    it("lets the admin of a ChainSecured account set keys and refuses the api payer (NoAccountAccess)", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const master = await createChainSecuredAccount(f, admin);
      const { hash } = newApiKey();
      await expect(f.diamond.connect(admin).setUsageApiKey(master, hash, ...usageKeyArgs()))
        .to.emit(f.diamond, "UsageApiKeySet")
        .withArgs(master, hash);
      await expect(f.diamond.connect(f.payer).setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(master, f.payer.address);
    });
  });
});
