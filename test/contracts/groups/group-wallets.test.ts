/**
 * Groups: the wallet list edits addPkpToGroup and removePkpFromGroup, with their permissions
 * and wildcards.
 * Rules: docs/contracts.md "Who may write" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Who may write" / "Groups".
 */
import { expect } from "chai";
import {
  addGroup,
  addUsageKey,
  createManagedAccount,
  freshManagedAccount,
  randomAddress,
  registerWallet,
} from "../../fixtures/support";
import { ZERO, contents } from "./support";

describe("Groups", () => {
  describe("addPkpToGroup", () => {
    it("adds a wallet registered to the account and emits PkpAddedToGroup", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const pkp = await registerWallet(f, f.payer, master);
      await expect(api.addPkpToGroup(master, id, pkp)).to.emit(f.diamond, "PkpAddedToGroup").withArgs(master, id, pkp);
      expect((await contents(f, master, id)).pkps).to.deep.equal([pkp]);
    });

    it("is idempotent: adding a listed wallet again emits nothing and keeps one entry", async () => {
      const { f, api, master } = await freshManagedAccount();
      const pkp = await registerWallet(f, f.payer, master);
      const id = await addGroup(f, master, [], [pkp]);
      await expect(api.addPkpToGroup(master, id, pkp)).not.to.emit(f.diamond, "PkpAddedToGroup");
      expect((await contents(f, master, id)).pkps).to.deep.equal([pkp]);
    });

    it("adds the all-wallets wildcard address(0)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      await expect(api.addPkpToGroup(master, id, ZERO)).to.emit(f.diamond, "PkpAddedToGroup").withArgs(master, id, ZERO);
      expect((await contents(f, master, id)).pkps).to.deep.equal([ZERO]);
    });

    it("rejects an unregistered wallet with PkpDoesNotExist(hash, id, wallet)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const stranger = randomAddress();
      await expect(api.addPkpToGroup(master, id, stranger))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, id, stranger);
    });

    it("rejects another account's wallet with PkpDoesNotExist", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await registerWallet(f, f.payer, other);
      const id = await addGroup(f, master);
      await expect(api.addPkpToGroup(master, id, theirs))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, id, theirs);
    });

    it("lets a usage key with the group id in addPkpToGroups add", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const pkp = await registerWallet(f, f.payer, master);
      const key = await addUsageKey(f, master, { addPkpToGroups: [id] });
      await expect(api.addPkpToGroup(key, id, pkp)).to.emit(f.diamond, "PkpAddedToGroup").withArgs(master, id, pkp);
    });

    it("lets a usage key with [0] in addPkpToGroups add to any group, including one created later", async () => {
      const { f, api, master } = await freshManagedAccount();
      const pkp = await registerWallet(f, f.payer, master);
      const key = await addUsageKey(f, master, { addPkpToGroups: [0] });
      const later = await addGroup(f, master);
      await expect(api.addPkpToGroup(key, later, pkp)).to.emit(f.diamond, "PkpAddedToGroup").withArgs(master, later, pkp);
    });

    it("rejects a usage key whose addPkpToGroups lacks the group with NotAllowedToAddPkpToGroup(key, id)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const allowed = await addGroup(f, master);
      const target = await addGroup(f, master);
      const pkp = await registerWallet(f, f.payer, master);
      const key = await addUsageKey(f, master, {
        addPkpToGroups: [allowed],
        removePkpFromGroups: [target],
        manageIPFSIdsInGroups: [target],
        executeInGroups: [target],
      });
      await expect(api.addPkpToGroup(key, target, pkp))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToAddPkpToGroup")
        .withArgs(key, target);
    });

    it("holds at most 100 wallets per group: the 101st reverts \"group pkpIds: more than 100 entries\"", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      for (let i = 0; i < 100; i++) await api.addPkpToGroup(master, id, await registerWallet(f, f.payer, master));
      expect((await contents(f, master, id)).pkps.length).to.equal(100);
      const extra = await registerWallet(f, f.payer, master);
      await expect(api.addPkpToGroup(master, id, extra))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("group pkpIds: more than 100 entries");
    });
  });

  describe("removePkpFromGroup", () => {
    it("removes the wallet and emits PkpRemovedFromGroup; the wallet stays registered", async () => {
      const { f, api, master } = await freshManagedAccount();
      const [p1, p2] = [await registerWallet(f, f.payer, master), await registerWallet(f, f.payer, master)];
      const id = await addGroup(f, master, [], [p1, p2]);
      await expect(api.removePkpFromGroup(master, id, p1)).to.emit(f.diamond, "PkpRemovedFromGroup").withArgs(master, id, p1);
      expect((await contents(f, master, id)).pkps).to.deep.equal([p2]);
      expect((await f.diamond.listPkps(master, 0, 10)).map((w) => w.pkpId)).to.have.members([p1, p2]);
    });

    it("removes the wildcard address(0)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master, [], [ZERO]);
      await expect(api.removePkpFromGroup(master, id, ZERO)).to.emit(f.diamond, "PkpRemovedFromGroup").withArgs(master, id, ZERO);
      expect((await contents(f, master, id)).pkps).to.deep.equal([]);
    });

    it("rejects a wallet the group does not list with PkpDoesNotExist(hash, id, wallet)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const pkp = await registerWallet(f, f.payer, master);
      const id = await addGroup(f, master);
      await expect(api.removePkpFromGroup(master, id, pkp))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, id, pkp);
    });

    it("lets a usage key with the group id in removePkpFromGroups remove", async () => {
      const { f, api, master } = await freshManagedAccount();
      const pkp = await registerWallet(f, f.payer, master);
      const id = await addGroup(f, master, [], [pkp]);
      const key = await addUsageKey(f, master, { removePkpFromGroups: [id] });
      await expect(api.removePkpFromGroup(key, id, pkp)).to.emit(f.diamond, "PkpRemovedFromGroup").withArgs(master, id, pkp);
    });

    it("lets a usage key with [0] in removePkpFromGroups remove from any group", async () => {
      const { f, api, master } = await freshManagedAccount();
      const pkp = await registerWallet(f, f.payer, master);
      const id = await addGroup(f, master, [], [pkp]);
      const key = await addUsageKey(f, master, { removePkpFromGroups: [0] });
      await expect(api.removePkpFromGroup(key, id, pkp)).to.emit(f.diamond, "PkpRemovedFromGroup").withArgs(master, id, pkp);
    });

    it("rejects a usage key whose removePkpFromGroups lacks the group with NotAllowedToRemovePkpFromGroup(key, id)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const pkp = await registerWallet(f, f.payer, master);
      const other = await addGroup(f, master);
      const id = await addGroup(f, master, [], [pkp]);
      const key = await addUsageKey(f, master, {
        removePkpFromGroups: [other],
        addPkpToGroups: [id],
        manageIPFSIdsInGroups: [id],
        executeInGroups: [id],
      });
      await expect(api.removePkpFromGroup(key, id, pkp))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToRemovePkpFromGroup")
        .withArgs(key, id);
    });

    it("rejects another account's group with GroupDoesNotExist", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirPkp = await registerWallet(f, f.payer, other);
      const theirs = await addGroup(f, other, [], [theirPkp]);
      await expect(api.removePkpFromGroup(master, theirs, theirPkp))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, theirs);
    });
  });
});
