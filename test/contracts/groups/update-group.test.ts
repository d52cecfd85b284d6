/**
 * Groups: updateGroup (full replace of metadata and lists) and updateGroupMetadata.
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
import { ZERO, cidOf, cids, contents } from "./support";

describe("Groups", () => {
  describe("updateGroup", () => {
    it("replaces the name, description and both lists", async () => {
      const { f, api, master } = await freshManagedAccount();
      const [p1, p2] = [await registerWallet(f, f.payer, master), await registerWallet(f, f.payer, master)];
      const [a, b, c] = cids(3);
      const id = await addGroup(f, master, [a, b], [p1], "old", "old desc");
      await api.updateGroup(master, id, "new", "new desc", [b, c], [p2]);
      expect(await contents(f, master, id)).to.deep.equal({ cids: [b, c], pkps: [p2], name: "new", description: "new desc" });
    });

    it("empties both lists when given empty arrays", async () => {
      const { f, api, master } = await freshManagedAccount();
      const p1 = await registerWallet(f, f.payer, master);
      const id = await addGroup(f, master, [cidOf("a"), 0n], [p1, ZERO]);
      await api.updateGroup(master, id, "g", "", [], []);
      const c = await contents(f, master, id);
      expect(c.cids).to.deep.equal([]);
      expect(c.pkps).to.deep.equal([]);
    });

    it("emits GroupUpdated, GroupMetadataSet, removal events for old entries and add events for new ones", async () => {
      const { f, api, master } = await freshManagedAccount();
      const [p1, p2] = [await registerWallet(f, f.payer, master), await registerWallet(f, f.payer, master)];
      const [a, b] = cids(2);
      const id = await addGroup(f, master, [a], [p1]);
      await expect(api.updateGroup(master, id, "renamed", "d", [b], [p2]))
        .to.emit(f.diamond, "GroupUpdated")
        .withArgs(master, id)
        .and.to.emit(f.diamond, "GroupMetadataSet")
        .withArgs(master, id, "renamed", "d")
        .and.to.emit(f.diamond, "ActionRemovedFromGroup")
        .withArgs(master, id, a)
        .and.to.emit(f.diamond, "PkpRemovedFromGroup")
        .withArgs(master, id, p1)
        .and.to.emit(f.diamond, "ActionAddedToGroup")
        .withArgs(master, id, b)
        .and.to.emit(f.diamond, "PkpAddedToGroup")
        .withArgs(master, id, p2);
    });

    it("registers a new unregistered cid and keeps replaced cids registered to the account", async () => {
      const { f, api, master } = await freshManagedAccount();
      const [a, b] = cids(2);
      const id = await addGroup(f, master, [a]);
      await expect(api.updateGroup(master, id, "g", "", [b], [])).to.emit(f.diamond, "ActionAdded").withArgs(master, b);
      const actions = (await f.diamond.listActions(master, 0, 10)).map((x) => x.id);
      expect(actions).to.have.members([a, b]);
    });

    it("updates the reverse index: a replaced cid no longer maps to the group", async () => {
      const { f, api, master } = await freshManagedAccount();
      const [a, b] = cids(2);
      const id = await addGroup(f, master, [a]);
      const key = await addUsageKey(f, master, { executeInGroups: [id] });
      expect(await f.diamond.groupIdsForAction(master, a)).to.deep.equal([id]);
      await api.updateGroup(master, id, "g", "", [b], []);
      expect(await f.diamond.groupIdsForAction(master, a)).to.deep.equal([]);
      expect(await f.diamond.groupIdsForAction(master, b)).to.deep.equal([id]);
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(false);
      expect(await f.diamond.canExecuteAction(key, b)).to.equal(true);
    });

    it("is master-only: a usage key reverts NotMasterAccount(key) whatever its permissions", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const key = await addUsageKey(f, master, {
        createGroups: true,
        deleteGroups: true,
        manageIPFSIdsInGroups: [0],
        addPkpToGroups: [0],
        removePkpFromGroups: [0],
        executeInGroups: [0],
      });
      await expect(api.updateGroup(key, id, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });

    it("rejects another account's group with GroupDoesNotExist(hash, id)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addGroup(f, other, [cidOf("theirs")]);
      await expect(api.updateGroup(master, theirs, "hijack", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, theirs);
      expect((await contents(f, other, theirs)).cids).to.deep.equal([cidOf("theirs")]);
    });

    it("rejects group id 0 with GroupDoesNotExist(hash, 0)", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.updateGroup(master, 0, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, 0n);
    });

    it("rejects a group id never created with GroupDoesNotExist", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.updateGroup(master, 42, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, 42n);
    });

    it("rejects 11 cid hashes and 11 pkp ids with InvalidRequest naming the field", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      await expect(api.updateGroup(master, id, "g", "", cids(11), []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("cidHashes: more than 10 entries");
      await expect(api.updateGroup(master, id, "g", "", [], Array.from({ length: 11 }, randomAddress)))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("pkpIds: more than 10 entries");
    });

    it("rejects an over-long name or description with InvalidRequest", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      await expect(api.updateGroup(master, id, "n".repeat(129), "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
      await expect(api.updateGroup(master, id, "g", "d".repeat(1025), [], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });

    it("rejects an unregistered wallet with PkpDoesNotExist and leaves the group unchanged", async () => {
      const { f, api, master } = await freshManagedAccount();
      const pkp = await registerWallet(f, f.payer, master);
      const a = cidOf("a");
      const id = await addGroup(f, master, [a], [pkp], "keep");
      const stranger = randomAddress();
      await expect(api.updateGroup(master, id, "changed", "", [], [stranger]))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, id, stranger);
      expect(await contents(f, master, id)).to.deep.equal({ cids: [a], pkps: [pkp], name: "keep", description: "" });
    });
  });

  describe("updateGroupMetadata", () => {
    it("changes name and description and leaves both lists untouched", async () => {
      const { f, api, master } = await freshManagedAccount();
      const pkp = await registerWallet(f, f.payer, master);
      const a = cidOf("a");
      const id = await addGroup(f, master, [a, 0n], [pkp], "old", "old");
      await api.updateGroupMetadata(master, id, "new", "newer");
      expect(await contents(f, master, id)).to.deep.equal({ cids: [a, 0n], pkps: [pkp], name: "new", description: "newer" });
    });

    it("emits GroupUpdated and GroupMetadataSet and no list events", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master, [cidOf("a")]);
      await expect(api.updateGroupMetadata(master, id, "n", "d"))
        .to.emit(f.diamond, "GroupUpdated")
        .withArgs(master, id)
        .and.to.emit(f.diamond, "GroupMetadataSet")
        .withArgs(master, id, "n", "d")
        .and.not.to.emit(f.diamond, "ActionRemovedFromGroup");
    });

    it("is master-only: a usage key reverts NotMasterAccount(key)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const key = await addUsageKey(f, master, { createGroups: true, manageIPFSIdsInGroups: [0] });
      await expect(api.updateGroupMetadata(key, id, "n", ""))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });

    it("rejects another account's group and group id 0 with GroupDoesNotExist", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addGroup(f, other);
      await expect(api.updateGroupMetadata(master, theirs, "n", ""))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, theirs);
      await expect(api.updateGroupMetadata(master, 0, "n", ""))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, 0n);
    });

    it("rejects an over-long name with InvalidRequest(\"name: longer than 128 bytes\")", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      await expect(api.updateGroupMetadata(master, id, "n".repeat(129), ""))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });
  });
});
