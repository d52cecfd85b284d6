/**
 * Groups: removeGroup (events, views after removal, ids never reused, permissions).
 * Rules: docs/contracts.md "Who may write" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Who may write" / "Groups".
 */
import { expect } from "chai";
import {
  addGroup,
  addUsageKey,
  createManagedAccount,
  freshManagedAccount,
  registerWallet,
} from "../../fixtures/support";
import { ZERO, cidOf } from "./support";

describe("Groups", () => {
  describe("removeGroup", () => {
    it("emits GroupRemoved(master, id) and drops the group from listGroups", async () => {
      const { f, api, master } = await freshManagedAccount();
      const g1 = await addGroup(f, master, [], [], "one");
      const g2 = await addGroup(f, master, [], [], "two");
      await expect(api.removeGroup(master, g1)).to.emit(f.diamond, "GroupRemoved").withArgs(master, g1);
      expect((await f.diamond.listGroups(master, 0, 10)).map((g) => g.id)).to.deep.equal([g2]);
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(1n);
    });

    it("emits a removal event for every entry it clears", async () => {
      const { f, api, master } = await freshManagedAccount();
      const pkp = await registerWallet(f, f.payer, master);
      const a = cidOf("a");
      const id = await addGroup(f, master, [a, 0n], [pkp, ZERO]);
      await expect(api.removeGroup(master, id))
        .to.emit(f.diamond, "ActionRemovedFromGroup")
        .withArgs(master, id, a)
        .and.to.emit(f.diamond, "ActionRemovedFromGroup")
        .withArgs(master, id, 0n)
        .and.to.emit(f.diamond, "PkpRemovedFromGroup")
        .withArgs(master, id, pkp)
        .and.to.emit(f.diamond, "PkpRemovedFromGroup")
        .withArgs(master, id, ZERO);
    });

    it("makes listGroupContents revert GroupDoesNotExist(hash, id)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master, [cidOf("a")]);
      await api.removeGroup(master, id);
      await expect(f.diamond.listGroupContents(master, id))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, id);
    });

    it("removes the group from groupIdsForAction for explicit and wildcard listings", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const explicit = await addGroup(f, master, [a]);
      const wildcard = await addGroup(f, master, [0n]);
      const keep = await addGroup(f, master, [a]);
      expect([...(await f.diamond.groupIdsForAction(master, a))]).to.have.members([explicit, wildcard, keep]);
      await api.removeGroup(master, explicit);
      await api.removeGroup(master, wildcard);
      expect(await f.diamond.groupIdsForAction(master, a)).to.deep.equal([keep]);
    });

    it("makes apiKeyCanExecuteForAnyGroup false for a key that executed in it", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      const key = await addUsageKey(f, master, { executeInGroups: [id] });
      expect(await f.diamond.apiKeyCanExecuteForAnyGroup(key, [id])).to.equal(true);
      await api.removeGroup(master, id);
      expect(await f.diamond.apiKeyCanExecuteForAnyGroup(key, [id])).to.equal(false);
      expect(await f.diamond.apiKeyCanExecuteForAnyGroup(master, [id])).to.equal(false);
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(false);
    });

    it("keeps the group's actions registered to the account", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      await api.removeGroup(master, id);
      expect((await f.diamond.listActions(master, 0, 10)).map((x) => x.id)).to.deep.equal([a]);
    });

    it("reverts GroupDoesNotExist when removing the same group twice", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      await api.removeGroup(master, id);
      await expect(api.removeGroup(master, id))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, id);
    });

    it("never reuses a removed group's id", async () => {
      const { f, api, master } = await freshManagedAccount();
      const first = await addGroup(f, master);
      await api.removeGroup(master, first);
      expect(await addGroup(f, master)).to.equal(first + 1n);
    });

    it("rejects edits of a removed group with GroupDoesNotExist", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      await api.removeGroup(master, id);
      await expect(api.addActionToGroup(master, id, cidOf("a")))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, id);
    });

    it("lets a usage key with deleteGroups remove a group; the event carries the master hash", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const key = await addUsageKey(f, master, { deleteGroups: true });
      await expect(api.removeGroup(key, id)).to.emit(f.diamond, "GroupRemoved").withArgs(master, id);
    });

    it("rejects a usage key without deleteGroups with NotAllowedToDeleteGroup(key)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const key = await addUsageKey(f, master, {
        createGroups: true,
        manageIPFSIdsInGroups: [0],
        addPkpToGroups: [0],
        removePkpFromGroups: [0],
        executeInGroups: [0],
      });
      await expect(api.removeGroup(key, id))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToDeleteGroup")
        .withArgs(key);
    });

    it("rejects another account's group with GroupDoesNotExist and leaves it in place", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addGroup(f, other);
      await expect(api.removeGroup(master, theirs))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, theirs);
      expect((await f.diamond.listGroups(other, 0, 10)).map((g) => g.id)).to.deep.equal([theirs]);
    });

    it("rejects group id 0 with GroupDoesNotExist(hash, 0)", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.removeGroup(master, 0))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, 0n);
    });
  });
});
