/**
 * Usage API keys, setUsageApiKey: the [0] wildcard honoured for writes.
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import { addGroup, addUsageKey, freshManagedAccount, registerWallet } from "../../../fixtures/support";
import { cidOf } from "../support";

describe("Usage API keys", () => {
  describe("setUsageApiKey", () => {
    describe("[0] wildcard honoured for writes", () => {
      it("manageIPFSIdsInGroups [0] adds and removes actions in every group", async () => {
        const { f, api, master } = await freshManagedAccount();
        const g1 = await addGroup(f, master);
        const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [0] });
        const g2 = await addGroup(f, master);
        const a = cidOf("a");
        await api.addAction(master, "a", "", a); // a usage key adds registered actions only
        await api.addActionToGroup(key, g1, a);
        await api.addActionToGroup(key, g2, a);
        expect([...(await f.diamond.groupIdsForAction(master, a))]).to.have.members([g1, g2]);
        await api.removeActionFromGroup(key, g2, a);
        expect(await f.diamond.groupIdsForAction(master, a)).to.deep.equal([g1]);
      });

      it("addPkpToGroups [0] adds wallets to every group", async () => {
        const { f, api, master } = await freshManagedAccount();
        const pkp = await registerWallet(f, f.payer, master);
        const key = await addUsageKey(f, master, { addPkpToGroups: [0] });
        const g1 = await addGroup(f, master);
        const g2 = await addGroup(f, master);
        await api.addPkpToGroup(key, g1, pkp);
        await api.addPkpToGroup(key, g2, pkp);
        expect((await f.diamond.listGroupContents(master, g1)).pkpId).to.deep.equal([pkp]);
        expect((await f.diamond.listGroupContents(master, g2)).pkpId).to.deep.equal([pkp]);
        await expect(api.removePkpFromGroup(key, g1, pkp))
          .to.be.revertedWithCustomError(f.diamond, "NotAllowedToRemovePkpFromGroup")
          .withArgs(key, g1);
      });

      it("removePkpFromGroups [0] removes wallets from every group", async () => {
        const { f, api, master } = await freshManagedAccount();
        const pkp = await registerWallet(f, f.payer, master);
        const g1 = await addGroup(f, master, [], [pkp]);
        const g2 = await addGroup(f, master, [], [pkp]);
        const key = await addUsageKey(f, master, { removePkpFromGroups: [0] });
        await api.removePkpFromGroup(key, g1, pkp);
        await api.removePkpFromGroup(key, g2, pkp);
        expect((await f.diamond.listGroupContents(master, g1)).pkpId).to.deep.equal([]);
        expect((await f.diamond.listGroupContents(master, g2)).pkpId).to.deep.equal([]);
        await expect(api.addPkpToGroup(key, g1, pkp))
          .to.be.revertedWithCustomError(f.diamond, "NotAllowedToAddPkpToGroup")
          .withArgs(key, g1);
      });

      it("executeInGroups [0] executes any action and uses the account's wallets", async () => {
        const { f, master } = await freshManagedAccount();
        const pkp = await registerWallet(f, f.payer, master);
        const key = await addUsageKey(f, master, { executeInGroups: [0] });
        const unregistered = cidOf("inline");
        expect(await f.diamond.canExecuteAction(key, unregistered)).to.equal(true);
        expect(await f.diamond.canUseWalletInAction(key, unregistered, pkp)).to.equal(true);
        const g = await addGroup(f, master);
        expect(await f.diamond.apiKeyCanExecuteForAnyGroup(key, [g])).to.equal(true);
      });

      it("executeInGroups [0] grants no write permission", async () => {
        const { f, api, master } = await freshManagedAccount();
        const g = await addGroup(f, master);
        const key = await addUsageKey(f, master, { executeInGroups: [0] });
        await expect(api.addActionToGroup(key, g, cidOf("a")))
          .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
          .withArgs(key, g);
        await expect(api.addGroup(key, "g", "", [], []))
          .to.be.revertedWithCustomError(f.diamond, "NotAllowedToCreateGroup")
          .withArgs(key);
      });
    });
  });
});
