/**
 * Groups: addGroup (ids, events, stored lists, wildcards, limits, permissions).
 * Rules: docs/contracts.md "Who may write" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Who may write" / "Groups".
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import {
  addGroup,
  addUsageKey,
  ALL_RIGHTS,
  createChainSecuredAccount,
  createManagedAccount,
  freshManagedAccount,
  newApiKey,
  randomAddress,
  registerWallet,
} from "../../fixtures/support";
import { ZERO, cidOf, cids, contents } from "./support";

describe("Groups", () => {
  describe("addGroup", () => {
    it("returns the new group id (1 for the first group of a fresh diamond)", async () => {
      const { api, master } = await freshManagedAccount();
      expect(await api.addGroup.staticCall(master, "g", "", [], [])).to.equal(1n);
    });

    it("hands out global ids 1, 2, 3 shared across accounts", async () => {
      const { f, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      expect(await addGroup(f, master)).to.equal(1n);
      expect(await addGroup(f, other)).to.equal(2n);
      expect(await addGroup(f, master)).to.equal(3n);
      expect((await f.diamond.listGroups(master, 0, 10)).map((g) => g.id)).to.deep.equal([1n, 3n]);
      expect((await f.diamond.listGroups(other, 0, 10)).map((g) => g.id)).to.deep.equal([2n]);
    });

    it("does not consume an id when it reverts", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.addGroup(master, "g", "", [], [randomAddress()])).to.be.revertedWithCustomError(
        f.diamond,
        "PkpDoesNotExist",
      );
      expect(await addGroup(f, master)).to.equal(1n);
    });

    it("emits GroupAdded(master, id) and GroupMetadataSet with the name and description", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.addGroup(master, "Price Oracle", "feeds", [], []))
        .to.emit(f.diamond, "GroupAdded")
        .withArgs(master, 1n)
        .and.to.emit(f.diamond, "GroupMetadataSet")
        .withArgs(master, 1n, "Price Oracle", "feeds");
    });

    it("stores the name, description and both lists", async () => {
      const { f, master } = await freshManagedAccount();
      const pkp = await registerWallet(f, f.payer, master);
      const [a, b] = cids(2);
      const id = await addGroup(f, master, [a, b], [pkp], "Minter", "mints");
      expect(await contents(f, master, id)).to.deep.equal({ cids: [a, b], pkps: [pkp], name: "Minter", description: "mints" });
    });

    it("emits ActionAddedToGroup for every cid and PkpAddedToGroup for every wallet", async () => {
      const { f, api, master } = await freshManagedAccount();
      const p1 = await registerWallet(f, f.payer, master);
      const p2 = await registerWallet(f, f.payer, master);
      const [a, b] = cids(2);
      await expect(api.addGroup(master, "g", "", [a, b], [p1, p2]))
        .to.emit(f.diamond, "ActionAddedToGroup")
        .withArgs(master, 1n, a)
        .and.to.emit(f.diamond, "ActionAddedToGroup")
        .withArgs(master, 1n, b)
        .and.to.emit(f.diamond, "PkpAddedToGroup")
        .withArgs(master, 1n, p1)
        .and.to.emit(f.diamond, "PkpAddedToGroup")
        .withArgs(master, 1n, p2);
    });

    it("registers an unregistered cid to the account with empty metadata (ActionAdded)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const cid = cidOf("new");
      await expect(api.addGroup(master, "g", "", [cid], []))
        .to.emit(f.diamond, "ActionAdded")
        .withArgs(master, cid);
      const actions = await f.diamond.listActions(master, 0, 10);
      expect(actions.map((a) => [a.id, a.name, a.description])).to.deep.equal([[cid, "", ""]]);
    });

    it("does not emit ActionAdded for a cid already registered to the account", async () => {
      const { f, api, master } = await freshManagedAccount();
      const cid = cidOf("known");
      await api.addAction(master, "known", "desc", cid);
      await expect(api.addGroup(master, "g", "", [cid], [])).not.to.emit(f.diamond, "ActionAdded");
      const actions = await f.diamond.listActions(master, 0, 10);
      expect(actions.map((a) => [a.id, a.name])).to.deep.equal([[cid, "known"]]);
    });

    it("accepts cid 0 as the all-actions wildcard without registering it as an action", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.addGroup(master, "g", "", [0n], []))
        .to.emit(f.diamond, "ActionAddedToGroup")
        .withArgs(master, 1n, 0n)
        .and.not.to.emit(f.diamond, "ActionAdded");
      expect((await contents(f, master, 1n)).cids).to.deep.equal([0n]);
      expect(await f.diamond.listActions(master, 0, 10)).to.deep.equal([]);
    });

    it("accepts address(0) as the all-wallets wildcard", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.addGroup(master, "g", "", [], [ZERO]))
        .to.emit(f.diamond, "PkpAddedToGroup")
        .withArgs(master, 1n, ZERO);
      expect((await contents(f, master, 1n)).pkps).to.deep.equal([ZERO]);
    });

    it("accepts exactly 10 cid hashes", async () => {
      const { f, master } = await freshManagedAccount();
      const ten = cids(10);
      const id = await addGroup(f, master, ten);
      expect((await contents(f, master, id)).cids).to.deep.equal(ten);
    });

    it("rejects 11 cid hashes with InvalidRequest(\"cidHashes: more than 10 entries\")", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.addGroup(master, "g", "", cids(11), []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("cidHashes: more than 10 entries");
    });

    it("accepts exactly 10 wallets", async () => {
      const { f, master } = await freshManagedAccount();
      const pkps: string[] = [];
      for (let i = 0; i < 10; i++) pkps.push(await registerWallet(f, f.payer, master));
      const id = await addGroup(f, master, [], pkps);
      expect((await contents(f, master, id)).pkps).to.deep.equal(pkps);
    });

    it("rejects 11 pkp ids with InvalidRequest(\"pkpIds: more than 10 entries\")", async () => {
      const { f, api, master } = await freshManagedAccount();
      const pkps = Array.from({ length: 11 }, randomAddress);
      await expect(api.addGroup(master, "g", "", [], pkps))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("pkpIds: more than 10 entries");
    });

    it("accepts a 128-byte name and a 1024-byte description", async () => {
      const { f, master } = await freshManagedAccount();
      const id = await addGroup(f, master, [], [], "n".repeat(128), "d".repeat(1024));
      const c = await contents(f, master, id);
      expect(c.name.length).to.equal(128);
      expect(c.description.length).to.equal(1024);
    });

    it("rejects a 129-byte name with InvalidRequest(\"name: longer than 128 bytes\")", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.addGroup(master, "n".repeat(129), "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("measures the name in UTF-8 bytes, not characters", async () => {
      const { f, api, master } = await freshManagedAccount();
      // 65 characters, 130 bytes
      await expect(api.addGroup(master, "é".repeat(65), "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("rejects a 1025-byte description with InvalidRequest(\"description: longer than 1024 bytes\")", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.addGroup(master, "g", "d".repeat(1025), [], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });

    it("rejects a wallet that is not registered with PkpDoesNotExist(hash, newGroupId, wallet)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const stranger = randomAddress();
      await expect(api.addGroup(master, "g", "", [], [stranger]))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, 1n, stranger);
    });

    it("rejects a wallet registered to another account with PkpDoesNotExist", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await registerWallet(f, f.payer, other);
      await expect(api.addGroup(master, "g", "", [], [theirs]))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, 1n, theirs);
    });

    it("lets a usage key with createGroups create a group; events carry the master hash", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { createGroups: true });
      await expect(api.addGroup(key, "by key", "", [], []))
        .to.emit(f.diamond, "GroupAdded")
        .withArgs(master, 1n);
      expect((await f.diamond.listGroups(master, 0, 10)).map((g) => g.name)).to.deep.equal(["by key"]);
    });

    it("rejects a usage key without createGroups with NotAllowedToCreateGroup(key)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { ...ALL_RIGHTS, createGroups: false });
      await expect(api.addGroup(key, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToCreateGroup")
        .withArgs(key);
    });

    it("rejects an expired usage key with UsageApiKeyExpired(key, expiration)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const expiration = BigInt(await time.latest()) + 100n;
      const key = await addUsageKey(f, master, { createGroups: true, expiration });
      await time.increaseTo(expiration);
      await expect(api.addGroup(key, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyExpired")
        .withArgs(key, expiration);
    });

    it("rejects an unknown hash with AccountDoesNotExist(hash)", async () => {
      const { f, api } = await freshManagedAccount();
      const unknown = newApiKey().hash;
      await expect(api.addGroup(unknown, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });

    it("rejects a sender that is not an api payer for a managed account with OnlyApiPayerOrOwner", async () => {
      const { f, master } = await freshManagedAccount();
      await expect(f.diamond.connect(f.users[0]).addGroup(master, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(f.users[0].address);
    });

    it("lets the admin of a ChainSecured account create a group and refuses the api payer (NoAccountAccess)", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const master = await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(admin).addGroup(master, "g", "", [], []))
        .to.emit(f.diamond, "GroupAdded")
        .withArgs(master, 1n);
      await expect(f.diamond.connect(f.payer).addGroup(master, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(master, f.payer.address);
    });
  });
});
