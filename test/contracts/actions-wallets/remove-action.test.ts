/**
 * Actions: removeAction.
 * Rules: docs/contracts.md "Wallets (PKPs)" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Actions and wallets".
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import {
  accountWithAllRightsKey,
  aliasOf,
  createManagedAccount,
  groupIdFrom,
  hashText,
  newApiKey,
  usageKeyArgs,
} from "../../fixtures/support";

/** The args of every `name` event emitted by the diamond in the transaction, in log order. */
async function eventsNamed(f: DiamondFixture, tx: Promise<ContractTransactionResponse>, name: string) {
  const receipt = await (await tx).wait();
  const out: unknown[][] = [];
  for (const log of receipt!.logs) {
    if (log.address.toLowerCase() !== f.diamondAddress.toLowerCase()) continue;
    const parsed = f.diamond.interface.parseLog(log);
    if (parsed?.name === name) out.push([...parsed.args]);
  }
  return out;
}

describe("Actions and wallets", () => {
  describe("removeAction", () => {
    async function actionInTwoGroups(f: DiamondFixture) {
      const master = await createManagedAccount(f);
      const cid = hashText("QmRemoveMe");
      const other = hashText("QmStay");
      await f.diamond.connect(f.payer).addAction(master, "remove me", "", cid);
      const g1 = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g1", "", [cid, other], []));
      const g2 = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g2", "", [cid], []));
      const g3 = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g3", "", [other], []));
      return { master, cid, other, g1, g2, g3 };
    }

    it("unregisters the action from the account", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, other } = await actionInTwoGroups(f);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      const ids = (await f.diamond.listActions(master, 0, 10)).map((a) => a.id);
      expect(ids).to.deep.equal([other]);
    });

    it("removes the action from every group that lists it", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, other, g1, g2, g3 } = await actionInTwoGroups(f);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      expect((await f.diamond.listGroupContents(master, g1)).cidHash).to.deep.equal([other]);
      expect((await f.diamond.listGroupContents(master, g2)).cidHash).to.deep.equal([]);
      expect((await f.diamond.listGroupContents(master, g3)).cidHash).to.deep.equal([other]);
    });

    it("emits one ActionRemovedFromGroup per group that listed it, then ActionRemoved", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, g1, g2 } = await actionInTwoGroups(f);
      const tx = f.diamond.connect(f.payer).removeAction(master, cid);
      const fromGroup = await eventsNamed(f, tx, "ActionRemovedFromGroup");
      expect(fromGroup).to.have.deep.members([
        [master, g1, cid],
        [master, g2, cid],
      ]);
      expect(fromGroup).to.have.length(2);
      await expect(tx).to.emit(f.diamond, "ActionRemoved").withArgs(master, cid);
    });

    it("emits no ActionRemovedFromGroup for an action in no group", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmLonely");
      await f.diamond.connect(f.payer).addAction(master, "n", "", cid);
      const tx = f.diamond.connect(f.payer).removeAction(master, cid);
      await expect(tx).not.to.emit(f.diamond, "ActionRemovedFromGroup");
      await expect(tx).to.emit(f.diamond, "ActionRemoved").withArgs(master, cid);
    });

    it("takes execution through that action away from a usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, other, g1 } = await actionInTwoGroups(f);
      const key = newApiKey().hash;
      await f.diamond.connect(f.payer).setUsageApiKey(master, key, ...usageKeyArgs({ executeInGroups: [g1] }));
      expect(await f.diamond.canExecuteAction(key, cid)).to.equal(true);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      expect(await f.diamond.canExecuteAction(key, cid)).to.equal(false);
      expect(await f.diamond.groupIdsForAction(key, cid)).to.deep.equal([]);
      expect(await f.diamond.canExecuteAction(key, other)).to.equal(true);
    });

    it("takes execution through a wildcard group away, keeping the wildcard entry", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmWild");
      await f.diamond.connect(f.payer).addAction(master, "n", "", cid);
      const g = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "all", "", [0], []));
      const key = newApiKey().hash;
      await f.diamond.connect(f.payer).setUsageApiKey(master, key, ...usageKeyArgs({ executeInGroups: [g] }));
      expect(await f.diamond.canExecuteAction(key, cid)).to.equal(true);
      const tx = f.diamond.connect(f.payer).removeAction(master, cid);
      await expect(tx).not.to.emit(f.diamond, "ActionRemovedFromGroup");
      expect(await f.diamond.canExecuteAction(key, cid)).to.equal(false);
      expect((await f.diamond.listGroupContents(master, g)).cidHash).to.deep.equal([0n]);
    });

    it("clears the action's metadata (re-registering starts empty)", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmMeta");
      await f.diamond.connect(f.payer).addAction(master, "old name", "old desc", cid);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      await f.diamond.connect(f.payer).addGroup(master, "g", "", [cid], []); // registers with empty metadata
      const actions = await f.diamond.listActions(master, 0, 10);
      expect(actions).to.have.length(1);
      expect(actions[0].name).to.equal("");
      expect(actions[0].description).to.equal("");
    });

    it("reverts ActionDoesNotExist(hash, 0, cid) for an unregistered action", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmNever");
      await expect(f.diamond.connect(f.payer).removeAction(master, cid))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, 0, cid);
    });

    it("reverts ActionDoesNotExist when the action is removed twice", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid } = await actionInTwoGroups(f);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      await expect(f.diamond.connect(f.payer).removeAction(master, cid))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, 0, cid);
    });

    it("reverts ActionDoesNotExist when the action belongs to another account", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createManagedAccount(f);
      const cid = hashText("QmB");
      await f.diamond.connect(f.payer).addAction(b, "n", "", cid);
      await expect(f.diamond.connect(f.payer).removeAction(a, cid))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(a, 0, cid);
      expect((await f.diamond.getAccount(b)).actionCount).to.equal(1n);
    });

    it("names the passed alias in ActionDoesNotExist", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
      const alias = aliasOf(admin.address);
      const cid = hashText("QmNever");
      await expect(f.diamond.connect(admin).removeAction(alias, cid))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(alias, 0, cid);
    });

    it("reverts NotMasterAccount when a usage key removes an action", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, key } = await accountWithAllRightsKey(f);
      const cid = hashText("QmKeep");
      await f.diamond.connect(f.payer).addAction(master, "n", "", cid);
      await expect(f.diamond.connect(f.payer).removeAction(key, cid))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });
  });
});
