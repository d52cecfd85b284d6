/**
 * Groups: addGroup, updateGroup, updateGroupMetadata, removeGroup and the four list edits
 * (add/remove action, add/remove wallet), with their permissions, limits, wildcards and events.
 * Rules: docs/contracts.md "Who may write" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Who may write" / "Groups".
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../fixtures/diamond";
import {
  createChainSecuredAccount,
  createManagedAccount,
  groupIdFrom,
  hashText,
  newApiKey,
  registerWallet,
  usageKeyArgs,
  type UsageKeyArgs,
} from "../fixtures/support";

const ZERO = ethers.ZeroAddress;
const randomAddress = () => ethers.Wallet.createRandom().address;
const cidOf = (label: string) => hashText(`Qm-groups-${label}`);
const cids = (n: number, label = "c") => Array.from({ length: n }, (_, i) => cidOf(`${label}${i}`));

/** A fresh diamond with one managed account; `api` is the diamond connected as the api payer. */
async function setup() {
  const f = await loadFixture(deployDiamond);
  const master = await createManagedAccount(f, "alice");
  const api = f.diamond.connect(f.payer);
  return { f, api, master };
}

async function addGroup(
  f: DiamondFixture,
  hash: bigint,
  cidHashes: bigint[] = [],
  pkpIds: string[] = [],
  name = "group",
  description = "",
): Promise<bigint> {
  return groupIdFrom(f, f.diamond.connect(f.payer).addGroup(hash, name, description, cidHashes, pkpIds));
}

async function addUsageKey(f: DiamondFixture, master: bigint, args: UsageKeyArgs): Promise<bigint> {
  const { hash } = newApiKey("usage");
  await f.diamond.connect(f.payer).setUsageApiKey(master, hash, ...usageKeyArgs(args));
  return hash;
}

async function contents(f: DiamondFixture, master: bigint, groupId: bigint) {
  const c = await f.diamond.listGroupContents(master, groupId);
  return { cids: [...c.cidHash], pkps: [...c.pkpId], name: c.metadata.name, description: c.metadata.description };
}

describe("Groups", () => {
  describe("addGroup", () => {
    it("returns the new group id (1 for the first group of a fresh diamond)", async () => {
      const { api, master } = await setup();
      expect(await api.addGroup.staticCall(master, "g", "", [], [])).to.equal(1n);
    });

    it("hands out global ids 1, 2, 3 shared across accounts", async () => {
      const { f, master } = await setup();
      const other = await createManagedAccount(f, "bob");
      expect(await addGroup(f, master)).to.equal(1n);
      expect(await addGroup(f, other)).to.equal(2n);
      expect(await addGroup(f, master)).to.equal(3n);
      expect((await f.diamond.listGroups(master, 0, 10)).map((g) => g.id)).to.deep.equal([1n, 3n]);
      expect((await f.diamond.listGroups(other, 0, 10)).map((g) => g.id)).to.deep.equal([2n]);
    });

    it("does not consume an id when it reverts", async () => {
      const { f, api, master } = await setup();
      await expect(api.addGroup(master, "g", "", [], [randomAddress()])).to.be.revertedWithCustomError(
        f.diamond,
        "PkpDoesNotExist",
      );
      expect(await addGroup(f, master)).to.equal(1n);
    });

    it("emits GroupAdded(master, id) and GroupMetadataSet with the name and description", async () => {
      const { f, api, master } = await setup();
      await expect(api.addGroup(master, "Price Oracle", "feeds", [], []))
        .to.emit(f.diamond, "GroupAdded")
        .withArgs(master, 1n)
        .and.to.emit(f.diamond, "GroupMetadataSet")
        .withArgs(master, 1n, "Price Oracle", "feeds");
    });

    it("stores the name, description and both lists", async () => {
      const { f, master } = await setup();
      const pkp = await registerWallet(f, f.payer, master);
      const [a, b] = cids(2);
      const id = await addGroup(f, master, [a, b], [pkp], "Minter", "mints");
      expect(await contents(f, master, id)).to.deep.equal({ cids: [a, b], pkps: [pkp], name: "Minter", description: "mints" });
    });

    it("emits ActionAddedToGroup for every cid and PkpAddedToGroup for every wallet", async () => {
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
      const cid = cidOf("new");
      await expect(api.addGroup(master, "g", "", [cid], []))
        .to.emit(f.diamond, "ActionAdded")
        .withArgs(master, cid);
      const actions = await f.diamond.listActions(master, 0, 10);
      expect(actions.map((a) => [a.id, a.name, a.description])).to.deep.equal([[cid, "", ""]]);
    });

    it("does not emit ActionAdded for a cid already registered to the account", async () => {
      const { f, api, master } = await setup();
      const cid = cidOf("known");
      await api.addAction(master, "known", "desc", cid);
      await expect(api.addGroup(master, "g", "", [cid], [])).not.to.emit(f.diamond, "ActionAdded");
      const actions = await f.diamond.listActions(master, 0, 10);
      expect(actions.map((a) => [a.id, a.name])).to.deep.equal([[cid, "known"]]);
    });

    it("accepts cid 0 as the all-actions wildcard without registering it as an action", async () => {
      const { f, api, master } = await setup();
      await expect(api.addGroup(master, "g", "", [0n], []))
        .to.emit(f.diamond, "ActionAddedToGroup")
        .withArgs(master, 1n, 0n)
        .and.not.to.emit(f.diamond, "ActionAdded");
      expect((await contents(f, master, 1n)).cids).to.deep.equal([0n]);
      expect(await f.diamond.listActions(master, 0, 10)).to.deep.equal([]);
    });

    it("accepts address(0) as the all-wallets wildcard", async () => {
      const { f, api, master } = await setup();
      await expect(api.addGroup(master, "g", "", [], [ZERO]))
        .to.emit(f.diamond, "PkpAddedToGroup")
        .withArgs(master, 1n, ZERO);
      expect((await contents(f, master, 1n)).pkps).to.deep.equal([ZERO]);
    });

    it("accepts exactly 10 cid hashes", async () => {
      const { f, master } = await setup();
      const ten = cids(10);
      const id = await addGroup(f, master, ten);
      expect((await contents(f, master, id)).cids).to.deep.equal(ten);
    });

    it("rejects 11 cid hashes with InvalidRequest(\"cidHashes: more than 10 entries\")", async () => {
      const { f, api, master } = await setup();
      await expect(api.addGroup(master, "g", "", cids(11), []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("cidHashes: more than 10 entries");
    });

    it("accepts exactly 10 wallets", async () => {
      const { f, master } = await setup();
      const pkps: string[] = [];
      for (let i = 0; i < 10; i++) pkps.push(await registerWallet(f, f.payer, master));
      const id = await addGroup(f, master, [], pkps);
      expect((await contents(f, master, id)).pkps).to.deep.equal(pkps);
    });

    it("rejects 11 pkp ids with InvalidRequest(\"pkpIds: more than 10 entries\")", async () => {
      const { f, api, master } = await setup();
      const pkps = Array.from({ length: 11 }, randomAddress);
      await expect(api.addGroup(master, "g", "", [], pkps))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("pkpIds: more than 10 entries");
    });

    it("accepts a 128-byte name and a 1024-byte description", async () => {
      const { f, master } = await setup();
      const id = await addGroup(f, master, [], [], "n".repeat(128), "d".repeat(1024));
      const c = await contents(f, master, id);
      expect(c.name.length).to.equal(128);
      expect(c.description.length).to.equal(1024);
    });

    it("rejects a 129-byte name with InvalidRequest(\"name: longer than 128 bytes\")", async () => {
      const { f, api, master } = await setup();
      await expect(api.addGroup(master, "n".repeat(129), "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("measures the name in UTF-8 bytes, not characters", async () => {
      const { f, api, master } = await setup();
      // 65 characters, 130 bytes
      await expect(api.addGroup(master, "é".repeat(65), "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("rejects a 1025-byte description with InvalidRequest(\"description: longer than 1024 bytes\")", async () => {
      const { f, api, master } = await setup();
      await expect(api.addGroup(master, "g", "d".repeat(1025), [], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });

    it("rejects a wallet that is not registered with PkpDoesNotExist(hash, newGroupId, wallet)", async () => {
      const { f, api, master } = await setup();
      const stranger = randomAddress();
      await expect(api.addGroup(master, "g", "", [], [stranger]))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, 1n, stranger);
    });

    it("rejects a wallet registered to another account with PkpDoesNotExist", async () => {
      const { f, api, master } = await setup();
      const other = await createManagedAccount(f, "bob");
      const theirs = await registerWallet(f, f.payer, other);
      await expect(api.addGroup(master, "g", "", [], [theirs]))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, 1n, theirs);
    });

    it("lets a usage key with createGroups create a group; events carry the master hash", async () => {
      const { f, api, master } = await setup();
      const key = await addUsageKey(f, master, { createGroups: true });
      await expect(api.addGroup(key, "by key", "", [], []))
        .to.emit(f.diamond, "GroupAdded")
        .withArgs(master, 1n);
      expect((await f.diamond.listGroups(master, 0, 10)).map((g) => g.name)).to.deep.equal(["by key"]);
    });

    it("rejects a usage key without createGroups with NotAllowedToCreateGroup(key)", async () => {
      const { f, api, master } = await setup();
      const key = await addUsageKey(f, master, {
        deleteGroups: true,
        createPKPs: true,
        manageIPFSIdsInGroups: [0],
        addPkpToGroups: [0],
        removePkpFromGroups: [0],
        executeInGroups: [0],
      });
      await expect(api.addGroup(key, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToCreateGroup")
        .withArgs(key);
    });

    it("rejects an expired usage key with UsageApiKeyExpired(key, expiration)", async () => {
      const { f, api, master } = await setup();
      const expiration = BigInt(await time.latest()) + 100n;
      const key = await addUsageKey(f, master, { createGroups: true, expiration });
      await time.increaseTo(expiration);
      await expect(api.addGroup(key, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyExpired")
        .withArgs(key, expiration);
    });

    it("rejects an unknown hash with AccountDoesNotExist(hash)", async () => {
      const { f, api } = await setup();
      const unknown = newApiKey().hash;
      await expect(api.addGroup(unknown, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });

    it("rejects a sender that is not an api payer for a managed account with OnlyApiPayerOrOwner", async () => {
      const { f, master } = await setup();
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

  describe("updateGroup", () => {
    it("replaces the name, description and both lists", async () => {
      const { f, api, master } = await setup();
      const [p1, p2] = [await registerWallet(f, f.payer, master), await registerWallet(f, f.payer, master)];
      const [a, b, c] = cids(3);
      const id = await addGroup(f, master, [a, b], [p1], "old", "old desc");
      await api.updateGroup(master, id, "new", "new desc", [b, c], [p2]);
      expect(await contents(f, master, id)).to.deep.equal({ cids: [b, c], pkps: [p2], name: "new", description: "new desc" });
    });

    it("empties both lists when given empty arrays", async () => {
      const { f, api, master } = await setup();
      const p1 = await registerWallet(f, f.payer, master);
      const id = await addGroup(f, master, [cidOf("a"), 0n], [p1, ZERO]);
      await api.updateGroup(master, id, "g", "", [], []);
      const c = await contents(f, master, id);
      expect(c.cids).to.deep.equal([]);
      expect(c.pkps).to.deep.equal([]);
    });

    it("emits GroupUpdated, GroupMetadataSet, removal events for old entries and add events for new ones", async () => {
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
      const [a, b] = cids(2);
      const id = await addGroup(f, master, [a]);
      await expect(api.updateGroup(master, id, "g", "", [b], [])).to.emit(f.diamond, "ActionAdded").withArgs(master, b);
      const actions = (await f.diamond.listActions(master, 0, 10)).map((x) => x.id);
      expect(actions).to.have.members([a, b]);
    });

    it("updates the reverse index: a replaced cid no longer maps to the group", async () => {
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addGroup(f, other, [cidOf("theirs")]);
      await expect(api.updateGroup(master, theirs, "hijack", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, theirs);
      expect((await contents(f, other, theirs)).cids).to.deep.equal([cidOf("theirs")]);
    });

    it("rejects group id 0 with GroupDoesNotExist(hash, 0)", async () => {
      const { f, api, master } = await setup();
      await expect(api.updateGroup(master, 0, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, 0n);
    });

    it("rejects a group id never created with GroupDoesNotExist", async () => {
      const { f, api, master } = await setup();
      await expect(api.updateGroup(master, 42, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, 42n);
    });

    it("rejects 11 cid hashes and 11 pkp ids with InvalidRequest naming the field", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      await expect(api.updateGroup(master, id, "g", "", cids(11), []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("cidHashes: more than 10 entries");
      await expect(api.updateGroup(master, id, "g", "", [], Array.from({ length: 11 }, randomAddress)))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("pkpIds: more than 10 entries");
    });

    it("rejects an over-long name or description with InvalidRequest", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      await expect(api.updateGroup(master, id, "n".repeat(129), "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
      await expect(api.updateGroup(master, id, "g", "d".repeat(1025), [], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });

    it("rejects an unregistered wallet with PkpDoesNotExist and leaves the group unchanged", async () => {
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
      const pkp = await registerWallet(f, f.payer, master);
      const a = cidOf("a");
      const id = await addGroup(f, master, [a, 0n], [pkp], "old", "old");
      await api.updateGroupMetadata(master, id, "new", "newer");
      expect(await contents(f, master, id)).to.deep.equal({ cids: [a, 0n], pkps: [pkp], name: "new", description: "newer" });
    });

    it("emits GroupUpdated and GroupMetadataSet and no list events", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master, [cidOf("a")]);
      await expect(api.updateGroupMetadata(master, id, "n", "d"))
        .to.emit(f.diamond, "GroupUpdated")
        .withArgs(master, id)
        .and.to.emit(f.diamond, "GroupMetadataSet")
        .withArgs(master, id, "n", "d")
        .and.not.to.emit(f.diamond, "ActionRemovedFromGroup");
    });

    it("is master-only: a usage key reverts NotMasterAccount(key)", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      const key = await addUsageKey(f, master, { createGroups: true, manageIPFSIdsInGroups: [0] });
      await expect(api.updateGroupMetadata(key, id, "n", ""))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });

    it("rejects another account's group and group id 0 with GroupDoesNotExist", async () => {
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      await expect(api.updateGroupMetadata(master, id, "n".repeat(129), ""))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });
  });

  describe("removeGroup", () => {
    it("emits GroupRemoved(master, id) and drops the group from listGroups", async () => {
      const { f, api, master } = await setup();
      const g1 = await addGroup(f, master, [], [], "one");
      const g2 = await addGroup(f, master, [], [], "two");
      await expect(api.removeGroup(master, g1)).to.emit(f.diamond, "GroupRemoved").withArgs(master, g1);
      expect((await f.diamond.listGroups(master, 0, 10)).map((g) => g.id)).to.deep.equal([g2]);
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(1n);
    });

    it("emits a removal event for every entry it clears", async () => {
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
      const id = await addGroup(f, master, [cidOf("a")]);
      await api.removeGroup(master, id);
      await expect(f.diamond.listGroupContents(master, id))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, id);
    });

    it("removes the group from groupIdsForAction for explicit and wildcard listings", async () => {
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      await api.removeGroup(master, id);
      expect((await f.diamond.listActions(master, 0, 10)).map((x) => x.id)).to.deep.equal([a]);
    });

    it("reverts GroupDoesNotExist when removing the same group twice", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      await api.removeGroup(master, id);
      await expect(api.removeGroup(master, id))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, id);
    });

    it("never reuses a removed group's id", async () => {
      const { f, api, master } = await setup();
      const first = await addGroup(f, master);
      await api.removeGroup(master, first);
      expect(await addGroup(f, master)).to.equal(first + 1n);
    });

    it("rejects edits of a removed group with GroupDoesNotExist", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      await api.removeGroup(master, id);
      await expect(api.addActionToGroup(master, id, cidOf("a")))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, id);
    });

    it("lets a usage key with deleteGroups remove a group; the event carries the master hash", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      const key = await addUsageKey(f, master, { deleteGroups: true });
      await expect(api.removeGroup(key, id)).to.emit(f.diamond, "GroupRemoved").withArgs(master, id);
    });

    it("rejects a usage key without deleteGroups with NotAllowedToDeleteGroup(key)", async () => {
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addGroup(f, other);
      await expect(api.removeGroup(master, theirs))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, theirs);
      expect((await f.diamond.listGroups(other, 0, 10)).map((g) => g.id)).to.deep.equal([theirs]);
    });

    it("rejects group id 0 with GroupDoesNotExist(hash, 0)", async () => {
      const { f, api, master } = await setup();
      await expect(api.removeGroup(master, 0))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, 0n);
    });
  });

  describe("addActionToGroup", () => {
    it("adds the cid, emits ActionAddedToGroup and registers it to the account (ActionAdded)", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      const a = cidOf("a");
      await expect(api.addActionToGroup(master, id, a))
        .to.emit(f.diamond, "ActionAddedToGroup")
        .withArgs(master, id, a)
        .and.to.emit(f.diamond, "ActionAdded")
        .withArgs(master, a);
      expect((await contents(f, master, id)).cids).to.deep.equal([a]);
      expect((await f.diamond.listActions(master, 0, 10)).map((x) => x.id)).to.deep.equal([a]);
    });

    it("is idempotent: adding a listed cid again emits nothing and keeps one entry", async () => {
      const { f, api, master } = await setup();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      await expect(api.addActionToGroup(master, id, a))
        .not.to.emit(f.diamond, "ActionAddedToGroup")
        .and.not.to.emit(f.diamond, "ActionAdded");
      expect((await contents(f, master, id)).cids).to.deep.equal([a]);
    });

    it("adds the cid wildcard 0", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      await expect(api.addActionToGroup(master, id, 0)).to.emit(f.diamond, "ActionAddedToGroup").withArgs(master, id, 0n);
      expect((await contents(f, master, id)).cids).to.deep.equal([0n]);
    });

    it("lets a usage key with the group id in manageIPFSIdsInGroups add; the event carries the master hash", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [id] });
      const a = cidOf("a");
      await api.addAction(master, "a", "", a); // a usage key adds registered actions only
      await expect(api.addActionToGroup(key, id, a)).to.emit(f.diamond, "ActionAddedToGroup").withArgs(master, id, a);
    });

    it("lets a usage key with [0] in manageIPFSIdsInGroups add to any group, including one created later", async () => {
      const { f, api, master } = await setup();
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [0] });
      const later = await addGroup(f, master);
      const a = cidOf("a");
      await api.addAction(master, "a", "", a);
      await expect(api.addActionToGroup(key, later, a)).to.emit(f.diamond, "ActionAddedToGroup").withArgs(master, later, a);
    });

    it("rejects a usage key whose manageIPFSIdsInGroups lacks the group with NotAllowedToManageIPFSIdsInGroup(key, id)", async () => {
      const { f, api, master } = await setup();
      const allowed = await addGroup(f, master);
      const target = await addGroup(f, master);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [allowed] });
      await expect(api.addActionToGroup(key, target, cidOf("a")))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
        .withArgs(key, target);
    });

    it("is not granted by the other group permissions (add/remove pkp, execute)", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      const key = await addUsageKey(f, master, {
        createGroups: true,
        addPkpToGroups: [id],
        removePkpFromGroups: [0],
        executeInGroups: [0],
      });
      await expect(api.addActionToGroup(key, id, cidOf("a")))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
        .withArgs(key, id);
    });

    it("checks the group before the permission: another account's group is GroupDoesNotExist even for [0]", async () => {
      const { f, api, master } = await setup();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addGroup(f, other);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [0] });
      await expect(api.addActionToGroup(key, theirs, cidOf("a")))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(key, theirs);
      const noRights = await addUsageKey(f, master, {});
      await expect(api.addActionToGroup(noRights, 77, cidOf("a")))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(noRights, 77n);
    });

    it("holds at most 100 entries per group: the 101st reverts \"group cidHashes: more than 100 entries\"", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      const many = cids(101, "cap");
      for (let i = 0; i < 100; i++) await api.addActionToGroup(master, id, many[i]);
      expect((await contents(f, master, id)).cids.length).to.equal(100);
      await expect(api.addActionToGroup(master, id, many[100]))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("group cidHashes: more than 100 entries");
      expect((await f.diamond.getAccount(master)).actionCount).to.equal(100n);
    });

    it("puts one action in at most 100 groups: the 101st reverts \"groups of action: more than 100 entries\"", async () => {
      const { f, api, master } = await setup();
      const a = cidOf("popular");
      for (let i = 0; i < 100; i++) await api.addGroup(master, "g", "", [a], []);
      expect((await f.diamond.groupIdsForAction(master, a)).length).to.equal(100);
      await expect(api.addGroup(master, "g", "", [a], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("groups of action: more than 100 entries");
      const extra = await addGroup(f, master);
      await expect(api.addActionToGroup(master, extra, a))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("groups of action: more than 100 entries");
    });
  });

  describe("removeActionFromGroup", () => {
    it("removes the cid, emits ActionRemovedFromGroup and keeps the action registered", async () => {
      const { f, api, master } = await setup();
      const [a, b] = cids(2);
      const id = await addGroup(f, master, [a, b]);
      await expect(api.removeActionFromGroup(master, id, a))
        .to.emit(f.diamond, "ActionRemovedFromGroup")
        .withArgs(master, id, a);
      expect((await contents(f, master, id)).cids).to.deep.equal([b]);
      expect((await f.diamond.listActions(master, 0, 10)).map((x) => x.id)).to.have.members([a, b]);
      expect(await f.diamond.groupIdsForAction(master, a)).to.deep.equal([]);
    });

    it("removes the cid wildcard 0", async () => {
      const { f, api, master } = await setup();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a, 0n]);
      await expect(api.removeActionFromGroup(master, id, 0)).to.emit(f.diamond, "ActionRemovedFromGroup").withArgs(master, id, 0n);
      expect((await contents(f, master, id)).cids).to.deep.equal([a]);
    });

    it("rejects a cid the group does not list with ActionDoesNotExist(hash, id, cid)", async () => {
      const { f, api, master } = await setup();
      const [a, b] = cids(2);
      const id = await addGroup(f, master, [a]);
      await expect(api.removeActionFromGroup(master, id, b))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, id, b);
    });

    it("rejects removing the same cid twice with ActionDoesNotExist", async () => {
      const { f, api, master } = await setup();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      await api.removeActionFromGroup(master, id, a);
      await expect(api.removeActionFromGroup(master, id, a))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, id, a);
    });

    it("lets a usage key with the group id in manageIPFSIdsInGroups remove", async () => {
      const { f, api, master } = await setup();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [id] });
      await expect(api.removeActionFromGroup(key, id, a)).to.emit(f.diamond, "ActionRemovedFromGroup").withArgs(master, id, a);
    });

    it("lets a usage key with [0] in manageIPFSIdsInGroups remove from any group", async () => {
      const { f, api, master } = await setup();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [0] });
      await expect(api.removeActionFromGroup(key, id, a)).to.emit(f.diamond, "ActionRemovedFromGroup").withArgs(master, id, a);
    });

    it("rejects a usage key without the group with NotAllowedToManageIPFSIdsInGroup(key, id)", async () => {
      const { f, api, master } = await setup();
      const a = cidOf("a");
      const other = await addGroup(f, master);
      const id = await addGroup(f, master, [a]);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [other], executeInGroups: [id] });
      await expect(api.removeActionFromGroup(key, id, a))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
        .withArgs(key, id);
    });
  });

  describe("addPkpToGroup", () => {
    it("adds a wallet registered to the account and emits PkpAddedToGroup", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      const pkp = await registerWallet(f, f.payer, master);
      await expect(api.addPkpToGroup(master, id, pkp)).to.emit(f.diamond, "PkpAddedToGroup").withArgs(master, id, pkp);
      expect((await contents(f, master, id)).pkps).to.deep.equal([pkp]);
    });

    it("is idempotent: adding a listed wallet again emits nothing and keeps one entry", async () => {
      const { f, api, master } = await setup();
      const pkp = await registerWallet(f, f.payer, master);
      const id = await addGroup(f, master, [], [pkp]);
      await expect(api.addPkpToGroup(master, id, pkp)).not.to.emit(f.diamond, "PkpAddedToGroup");
      expect((await contents(f, master, id)).pkps).to.deep.equal([pkp]);
    });

    it("adds the all-wallets wildcard address(0)", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      await expect(api.addPkpToGroup(master, id, ZERO)).to.emit(f.diamond, "PkpAddedToGroup").withArgs(master, id, ZERO);
      expect((await contents(f, master, id)).pkps).to.deep.equal([ZERO]);
    });

    it("rejects an unregistered wallet with PkpDoesNotExist(hash, id, wallet)", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      const stranger = randomAddress();
      await expect(api.addPkpToGroup(master, id, stranger))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, id, stranger);
    });

    it("rejects another account's wallet with PkpDoesNotExist", async () => {
      const { f, api, master } = await setup();
      const other = await createManagedAccount(f, "bob");
      const theirs = await registerWallet(f, f.payer, other);
      const id = await addGroup(f, master);
      await expect(api.addPkpToGroup(master, id, theirs))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, id, theirs);
    });

    it("lets a usage key with the group id in addPkpToGroups add", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master);
      const pkp = await registerWallet(f, f.payer, master);
      const key = await addUsageKey(f, master, { addPkpToGroups: [id] });
      await expect(api.addPkpToGroup(key, id, pkp)).to.emit(f.diamond, "PkpAddedToGroup").withArgs(master, id, pkp);
    });

    it("lets a usage key with [0] in addPkpToGroups add to any group, including one created later", async () => {
      const { f, api, master } = await setup();
      const pkp = await registerWallet(f, f.payer, master);
      const key = await addUsageKey(f, master, { addPkpToGroups: [0] });
      const later = await addGroup(f, master);
      await expect(api.addPkpToGroup(key, later, pkp)).to.emit(f.diamond, "PkpAddedToGroup").withArgs(master, later, pkp);
    });

    it("rejects a usage key whose addPkpToGroups lacks the group with NotAllowedToAddPkpToGroup(key, id)", async () => {
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
      const [p1, p2] = [await registerWallet(f, f.payer, master), await registerWallet(f, f.payer, master)];
      const id = await addGroup(f, master, [], [p1, p2]);
      await expect(api.removePkpFromGroup(master, id, p1)).to.emit(f.diamond, "PkpRemovedFromGroup").withArgs(master, id, p1);
      expect((await contents(f, master, id)).pkps).to.deep.equal([p2]);
      expect((await f.diamond.listPkps(master, 0, 10)).map((w) => w.pkpId)).to.have.members([p1, p2]);
    });

    it("removes the wildcard address(0)", async () => {
      const { f, api, master } = await setup();
      const id = await addGroup(f, master, [], [ZERO]);
      await expect(api.removePkpFromGroup(master, id, ZERO)).to.emit(f.diamond, "PkpRemovedFromGroup").withArgs(master, id, ZERO);
      expect((await contents(f, master, id)).pkps).to.deep.equal([]);
    });

    it("rejects a wallet the group does not list with PkpDoesNotExist(hash, id, wallet)", async () => {
      const { f, api, master } = await setup();
      const pkp = await registerWallet(f, f.payer, master);
      const id = await addGroup(f, master);
      await expect(api.removePkpFromGroup(master, id, pkp))
        .to.be.revertedWithCustomError(f.diamond, "PkpDoesNotExist")
        .withArgs(master, id, pkp);
    });

    it("lets a usage key with the group id in removePkpFromGroups remove", async () => {
      const { f, api, master } = await setup();
      const pkp = await registerWallet(f, f.payer, master);
      const id = await addGroup(f, master, [], [pkp]);
      const key = await addUsageKey(f, master, { removePkpFromGroups: [id] });
      await expect(api.removePkpFromGroup(key, id, pkp)).to.emit(f.diamond, "PkpRemovedFromGroup").withArgs(master, id, pkp);
    });

    it("lets a usage key with [0] in removePkpFromGroups remove from any group", async () => {
      const { f, api, master } = await setup();
      const pkp = await registerWallet(f, f.payer, master);
      const id = await addGroup(f, master, [], [pkp]);
      const key = await addUsageKey(f, master, { removePkpFromGroups: [0] });
      await expect(api.removePkpFromGroup(key, id, pkp)).to.emit(f.diamond, "PkpRemovedFromGroup").withArgs(master, id, pkp);
    });

    it("rejects a usage key whose removePkpFromGroups lacks the group with NotAllowedToRemovePkpFromGroup(key, id)", async () => {
      const { f, api, master } = await setup();
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
      const { f, api, master } = await setup();
      const other = await createManagedAccount(f, "bob");
      const theirPkp = await registerWallet(f, f.payer, other);
      const theirs = await addGroup(f, other, [], [theirPkp]);
      await expect(api.removePkpFromGroup(master, theirs, theirPkp))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, theirs);
    });
  });
});
