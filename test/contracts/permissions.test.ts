/**
 * Execution permission views (PermissionsFacet): canExecuteAction, canUseWalletInAction,
 * canExecuteActionAndUseWallet, the *Fast variants, groupIdsForAction(AndWallet) and
 * apiKeyCanExecuteForAnyGroup, for every kind of key and every kind of group.
 * Rules: docs/contracts.md "Who may write" / "Permission views";
 * choices: docs/contract-behaviour.md "Permission views"; product: seed 004 (groups, wildcards).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../fixtures/diamond";
import {
  addUsageKey,
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  groupIdFrom,
  HashKind,
  hashText,
  newApiKey,
  registerWallet,
} from "../fixtures/support";

const ZERO = ethers.ZeroAddress;
const cidOf = (label: string) => hashText(`Qm-perm-${label}`);

async function addGroup(f: DiamondFixture, signer: DiamondFixture["payer"], hash: bigint, cids: bigint[], pkps: string[]) {
  return groupIdFrom(f, f.diamond.connect(signer).addGroup(hash, "group", "", cids, pkps));
}

/**
 * Account A (managed, through the api payer):
 *   wallets wA1, wA2; actions X (via groups), Y (addAction only), W (only in g5); Z is never registered.
 *   g1: [X]      [wA1]        explicit action, explicit wallet
 *   g2: [0]      [wA2]        action wildcard
 *   g3: [X]      [address(0)] wallet wildcard
 *   g5: [W]      [wA2]
 *   g6: [X, 0]   [wA1]        explicit AND wildcard (duplicate-free results)
 * Account B (managed): wallet wB, action B and X; g4: [B, X] [wB].
 * Account C (managed, converted to ChainSecured, admin users[0]): wallet wC, gC: [X] [wC].
 */
async function scenario() {
  const f = await deployDiamond();
  const api = f.diamond.connect(f.payer);
  const A = await createManagedAccount(f, "A");
  const B = await createManagedAccount(f, "B");
  const C = await createManagedAccount(f, "C");
  const X = cidOf("X");
  const Y = cidOf("Y");
  const W = cidOf("W");
  const Z = cidOf("Z");
  const cidB = cidOf("B");
  const wA1 = await registerWallet(f, f.payer, A);
  const wA2 = await registerWallet(f, f.payer, A);
  const wB = await registerWallet(f, f.payer, B);
  const unregistered = ethers.Wallet.createRandom().address;
  await api.addAction(A, "Y", "", Y);
  const g1 = await addGroup(f, f.payer, A, [X], [wA1]);
  const g2 = await addGroup(f, f.payer, A, [0n], [wA2]);
  const g3 = await addGroup(f, f.payer, A, [X], [ZERO]);
  const g4 = await addGroup(f, f.payer, B, [cidB, X], [wB]);
  const g5 = await addGroup(f, f.payer, A, [W], [wA2]);
  const g6 = await addGroup(f, f.payer, A, [X, 0n], [wA1]);

  const admin = f.users[0];
  await api.convertToChainSecuredAccount(C, admin.address);
  const aliasC = aliasOf(admin.address);
  const wC = await registerWallet(f, admin, C);
  const gC = await addGroup(f, admin, C, [X], [wC]);

  const keys = {
    all: await addUsageKey(f, A, { executeInGroups: [0] }),
    g1: await addUsageKey(f, A, { executeInGroups: [g1] }),
    g2: await addUsageKey(f, A, { executeInGroups: [g2] }),
    g3: await addUsageKey(f, A, { executeInGroups: [g3] }),
    g6: await addUsageKey(f, A, { executeInGroups: [g6] }),
    g1g5: await addUsageKey(f, A, { executeInGroups: [g1, g5] }),
    g3g1: await addUsageKey(f, A, { executeInGroups: [g3, g1] }),
    none: await addUsageKey(f, A, { createGroups: true, manageIPFSIdsInGroups: [0], addPkpToGroups: [0] }),
    foreign: await addUsageKey(f, A, { executeInGroups: [g4] }),
  };
  return { f, api, A, B, C, aliasC, admin, X, Y, W, Z, cidB, wA1, wA2, wB, wC, unregistered, g1, g2, g3, g4, g5, g6, gC, keys };
}

const ids = async (p: Promise<bigint[]>) => [...(await p)];

describe("Permission views", () => {
  describe("master key", () => {
    it("may execute any non-zero cid: registered, unregistered, or another account's", async () => {
      const s = await loadFixture(scenario);
      for (const cid of [s.X, s.Y, s.Z, s.cidB]) expect(await s.f.diamond.canExecuteAction(s.A, cid)).to.equal(true);
    });

    it("may use every wallet registered to its account, for any cid", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canUseWalletInAction(s.A, s.X, s.wA1)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(s.A, s.Z, s.wA2)).to.equal(true);
    });

    it("may not use another account's wallet, an unregistered address or address(0)", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canUseWalletInAction(s.A, s.X, s.wB)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.A, s.X, s.unregistered)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.A, s.X, ZERO)).to.equal(false);
    });

    it("canExecuteActionAndUseWallet returns both answers", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canExecuteActionAndUseWallet(s.A, s.Z, s.wA1)).to.deep.equal([true, true]);
      expect(await s.f.diamond.canExecuteActionAndUseWallet(s.A, s.Z, s.wB)).to.deep.equal([true, false]);
      expect(await s.f.diamond.canExecuteActionAndUseWallet(s.A, 0n, s.wA1)).to.deep.equal([false, false]);
    });

    it("the Fast variants give the same answers", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canExecuteActionFast(s.A, s.Z)).to.equal(true);
      expect(await s.f.diamond.canExecuteActionFast(s.A, 0n)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInActionFast(s.A, s.Z, s.wA1)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInActionFast(s.A, s.Z, s.wB)).to.equal(false);
    });

    it("groupIdsForAction lists explicit groups first, then wildcard groups, without duplicates", async () => {
      const s = await loadFixture(scenario);
      expect(await ids(s.f.diamond.groupIdsForAction(s.A, s.X))).to.deep.equal([s.g1, s.g3, s.g6, s.g2]);
    });

    it("groupIdsForAction lists only wildcard groups for a registered action listed nowhere", async () => {
      const s = await loadFixture(scenario);
      expect(await ids(s.f.diamond.groupIdsForAction(s.A, s.Y))).to.deep.equal([s.g2, s.g6]);
    });

    it("groupIdsForAction is empty for an unregistered action even though it may execute it", async () => {
      const s = await loadFixture(scenario);
      expect(await ids(s.f.diamond.groupIdsForAction(s.A, s.Z))).to.deep.equal([]);
    });

    it("groupIdsForActionAndWallet keeps only groups that also permit the wallet", async () => {
      const s = await loadFixture(scenario);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.A, s.X, s.wA1))).to.deep.equal([s.g1, s.g3, s.g6]);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.A, s.X, s.wA2))).to.deep.equal([s.g3, s.g2]);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.A, s.X, s.wB))).to.deep.equal([]);
    });

    it("apiKeyCanExecuteForAnyGroup is true only for existing groups of its own account", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.A, [s.g1])).to.equal(true);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.A, [s.g4, s.g5])).to.equal(true);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.A, [s.g4])).to.equal(false);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.A, [0n, 999n])).to.equal(false);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.A, [])).to.equal(false);
    });
  });

  describe("admin alias of a ChainSecured account", () => {
    it("resolves to the account as an AdminAlias", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.resolveApiKeyHash(s.aliasC)).to.deep.equal([s.C, HashKind.AdminAlias]);
    });

    it("may execute any non-zero cid, like the master", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canExecuteAction(s.aliasC, s.Z)).to.equal(true);
      expect(await s.f.diamond.canExecuteAction(s.aliasC, 0n)).to.equal(false);
    });

    it("may use its account's wallets only", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canUseWalletInAction(s.aliasC, s.Z, s.wC)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(s.aliasC, s.Z, s.wA1)).to.equal(false);
    });

    it("for a self-created ChainSecured account the alias is the master and executes like one", async () => {
      const s = await loadFixture(scenario);
      const admin = s.f.users[1];
      const master = await createChainSecuredAccount(s.f, admin);
      expect(master).to.equal(aliasOf(admin.address));
      expect(await s.f.diamond.resolveApiKeyHash(master)).to.deep.equal([master, HashKind.Master]);
      const wallet = await registerWallet(s.f, admin, master);
      expect(await s.f.diamond.canExecuteAction(master, s.Z)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(master, s.Z, wallet)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(master, s.Z, s.wA1)).to.equal(false);
    });

    it("sees its account's groups in groupIdsFor* and apiKeyCanExecuteForAnyGroup", async () => {
      const s = await loadFixture(scenario);
      expect(await ids(s.f.diamond.groupIdsForAction(s.aliasC, s.X))).to.deep.equal([s.gC]);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.aliasC, s.X, s.wC))).to.deep.equal([s.gC]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.aliasC, [s.gC])).to.equal(true);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.aliasC, [s.g1])).to.equal(false);
    });
  });

  describe("former admin alias (after a transfer)", () => {
    it("loses every execution right while the new admin's alias gains them", async () => {
      const s = await loadFixture(scenario);
      const next = s.f.users[2];
      await s.f.diamond.connect(s.admin).transferChainSecuredAccountOwnership(s.C, next.address);
      const former = s.aliasC;
      const current = aliasOf(next.address);
      expect(await s.f.diamond.resolveApiKeyHash(former)).to.deep.equal([s.C, HashKind.AdminAlias]);
      expect(await s.f.diamond.canExecuteAction(former, s.X)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(former, s.X, s.wC)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForAction(former, s.X))).to.deep.equal([]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(former, [s.gC])).to.equal(false);
      expect(await s.f.diamond.canExecuteAction(current, s.X)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(current, s.X, s.wC)).to.equal(true);
    });
  });

  describe("self-service master after a transfer", () => {
    it("the creator's hash (the master) stops executing once the creator is no longer the admin", async () => {
      const s = await loadFixture(scenario);
      const [creator, next] = [s.f.users[1], s.f.users[2]];
      const master = await createChainSecuredAccount(s.f, creator);
      const wallet = await registerWallet(s.f, creator, master);
      await s.f.diamond.connect(creator).transferChainSecuredAccountOwnership(master, next.address);
      expect(await s.f.diamond.resolveApiKeyHash(master)).to.deep.equal([master, HashKind.Master]);
      expect((await s.f.diamond.getAccount(master)).masterIsAdminAlias).to.equal(true);
      expect((await s.f.diamond.getAccount(s.A)).masterIsAdminAlias).to.equal(false);
      expect(await s.f.diamond.canExecuteAction(master, s.Z)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(master, s.Z, wallet)).to.equal(false);
      expect(await s.f.diamond.canExecuteAction(aliasOf(next.address), s.Z)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(aliasOf(next.address), s.Z, wallet)).to.equal(true);
    });
  });

  describe("all-access usage key ([0] in executeInGroups)", () => {
    it("may execute any non-zero cid, registered or not", async () => {
      const s = await loadFixture(scenario);
      for (const cid of [s.X, s.Y, s.Z, s.cidB]) expect(await s.f.diamond.canExecuteAction(s.keys.all, cid)).to.equal(true);
    });

    it("may use its account's wallets only", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.all, s.Z, s.wA1)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.all, s.Z, s.wA2)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.all, s.Z, s.wB)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.all, s.Z, s.unregistered)).to.equal(false);
    });

    it("groupIdsFor* answer as for the master", async () => {
      const s = await loadFixture(scenario);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.all, s.X))).to.deep.equal([s.g1, s.g3, s.g6, s.g2]);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.all, s.X, s.wA2))).to.deep.equal([s.g3, s.g2]);
    });

    it("apiKeyCanExecuteForAnyGroup is true for any group of the account, false for others", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.all, [s.g5])).to.equal(true);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.all, [s.g4, s.gC])).to.equal(false);
    });

    it("covers groups created after the key", async () => {
      const s = await loadFixture(scenario);
      const later = await addGroup(s.f, s.f.payer, s.A, [s.Y], []);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.all, [later])).to.equal(true);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.all, s.Y))).to.deep.equal([later, s.g2, s.g6]);
    });
  });

  describe("usage key with an explicit group", () => {
    it("may execute the actions its group lists and nothing else", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canExecuteAction(s.keys.g1, s.X)).to.equal(true);
      expect(await s.f.diamond.canExecuteAction(s.keys.g1, s.Y)).to.equal(false);
      expect(await s.f.diamond.canExecuteAction(s.keys.g1, s.Z)).to.equal(false);
      expect(await s.f.diamond.canExecuteAction(s.keys.g1, s.cidB)).to.equal(false);
    });

    it("may use the wallets its group lists, not other wallets of the account", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g1, s.X, s.wA1)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g1, s.X, s.wA2)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g1, s.X, s.wB)).to.equal(false);
      expect(await s.f.diamond.canExecuteActionAndUseWallet(s.keys.g1, s.X, s.wA2)).to.deep.equal([true, false]);
    });

    it("needs the action and the wallet permitted by the same group", async () => {
      const s = await loadFixture(scenario);
      // g1 permits X with wA1; g5 permits W with wA2: X with wA2 is not permitted by either
      expect(await s.f.diamond.canExecuteAction(s.keys.g1g5, s.X)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g1g5, s.X, s.wA2)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g1g5, s.W, s.wA2)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g1g5, s.W, s.wA1)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.g1g5, s.X, s.wA2))).to.deep.equal([]);
    });

    it("groupIdsForAction lists the key's permitting groups in executeInGroups order", async () => {
      const s = await loadFixture(scenario);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.g1, s.X))).to.deep.equal([s.g1]);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.g3g1, s.X))).to.deep.equal([s.g3, s.g1]);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.g1g5, s.W))).to.deep.equal([s.g5]);
    });

    it("groupIdsForActionAndWallet drops groups that do not permit the wallet", async () => {
      const s = await loadFixture(scenario);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.g3g1, s.X, s.wA1))).to.deep.equal([s.g3, s.g1]);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.g3g1, s.X, s.wA2))).to.deep.equal([s.g3]);
    });

    it("apiKeyCanExecuteForAnyGroup is true iff one of the ids is a group it executes in", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.g1, [s.g2, s.g1])).to.equal(true);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.g1, [s.g2, s.g3])).to.equal(false);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.g1, [0n])).to.equal(false);
    });

    it("follows later edits of the group", async () => {
      const s = await loadFixture(scenario);
      await s.api.addActionToGroup(s.A, s.g1, s.Y);
      await s.api.addPkpToGroup(s.A, s.g1, s.wA2);
      expect(await s.f.diamond.canExecuteAction(s.keys.g1, s.Y)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g1, s.Y, s.wA2)).to.equal(true);
      await s.api.removeActionFromGroup(s.A, s.g1, s.X);
      expect(await s.f.diamond.canExecuteAction(s.keys.g1, s.X)).to.equal(false);
    });
  });

  describe("group with the cid wildcard 0", () => {
    it("permits every action registered to the account", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canExecuteAction(s.keys.g2, s.X)).to.equal(true);
      expect(await s.f.diamond.canExecuteAction(s.keys.g2, s.Y)).to.equal(true);
      expect(await s.f.diamond.canExecuteAction(s.keys.g2, s.W)).to.equal(true);
    });

    it("does not permit an unregistered action", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canExecuteAction(s.keys.g2, s.Z)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.g2, s.Z))).to.deep.equal([]);
    });

    it("does not permit an action registered only to another account", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canExecuteAction(s.keys.g2, s.cidB)).to.equal(false);
    });

    it("covers an action once it is registered, and stops when it is removed", async () => {
      const s = await loadFixture(scenario);
      await s.api.addAction(s.A, "Z", "", s.Z);
      expect(await s.f.diamond.canExecuteAction(s.keys.g2, s.Z)).to.equal(true);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.g2, s.Z))).to.deep.equal([s.g2]);
      await s.api.removeAction(s.A, s.Z);
      expect(await s.f.diamond.canExecuteAction(s.keys.g2, s.Z)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForAction(s.A, s.Z))).to.deep.equal([]);
    });

    it("uses the group's wallets for wildcard-permitted actions", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g2, s.Y, s.wA2)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g2, s.Y, s.wA1)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.g2, s.Y, s.wA2))).to.deep.equal([s.g2]);
    });

    it("never makes cid 0 itself executable", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canExecuteAction(s.keys.g2, 0n)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.g2, 0n))).to.deep.equal([]);
    });
  });

  describe("group with the wallet wildcard address(0)", () => {
    it("permits every wallet registered to the account", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g3, s.X, s.wA1)).to.equal(true);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g3, s.X, s.wA2)).to.equal(true);
    });

    it("covers a wallet registered later", async () => {
      const s = await loadFixture(scenario);
      const late = await registerWallet(s.f, s.f.payer, s.A);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g3, s.X, late)).to.equal(true);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.g3, s.X, late))).to.deep.equal([s.g3]);
    });

    it("never covers another account's wallet", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g3, s.X, s.wB)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.g3, s.X, s.wB))).to.deep.equal([]);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.A, s.X, s.wB))).to.deep.equal([]);
    });

    it("never covers an unregistered address or address(0) itself", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g3, s.X, s.unregistered)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g3, s.X, ZERO)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.g3, s.X, s.unregistered))).to.deep.equal([]);
    });

    it("does not widen the group's action list", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g3, s.Y, s.wA1)).to.equal(false);
    });
  });

  describe("usage key without the group", () => {
    it("may execute nothing", async () => {
      const s = await loadFixture(scenario);
      for (const cid of [s.X, s.Y, s.Z]) expect(await s.f.diamond.canExecuteAction(s.keys.none, cid)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.none, s.X, s.wA1)).to.equal(false);
    });

    it("gets empty groupIdsFor* and false from apiKeyCanExecuteForAnyGroup", async () => {
      const s = await loadFixture(scenario);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.none, s.X))).to.deep.equal([]);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.none, s.X, s.wA1))).to.deep.equal([]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.none, [s.g1, s.g2, s.g3, s.g5, s.g6])).to.equal(false);
    });
  });

  describe("expired key", () => {
    type Scenario = Awaited<ReturnType<typeof scenario>>;
    async function expired(executeInGroups: (s: Scenario) => bigint[]) {
      const s = await loadFixture(scenario);
      // The restored fixture's last block may be far behind the wall clock (a slow or instrumented
      // run); the next blocks are stamped from the wall clock, so expire well after both.
      const expiration = BigInt(Math.max(await time.latest(), Math.floor(Date.now() / 1000))) + 3600n;
      const key = await addUsageKey(s.f, s.A, { expiration, executeInGroups: executeInGroups(s) });
      expect(await s.f.diamond.canExecuteAction(key, s.X)).to.equal(true);
      await time.increaseTo(expiration);
      return { s, key };
    }

    it("an expired explicit-group key may do nothing", async () => {
      const { s, key } = await expired((s) => [s.g1]);
      expect(await s.f.diamond.canExecuteAction(key, s.X)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(key, s.X, s.wA1)).to.equal(false);
      expect(await s.f.diamond.canExecuteActionAndUseWallet(key, s.X, s.wA1)).to.deep.equal([false, false]);
      expect(await ids(s.f.diamond.groupIdsForAction(key, s.X))).to.deep.equal([]);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(key, s.X, s.wA1))).to.deep.equal([]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(key, [s.g1])).to.equal(false);
    });

    it("an expired all-access key may do nothing", async () => {
      const { s, key } = await expired(() => [0n]);
      expect(await s.f.diamond.canExecuteAction(key, s.Z)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(key, s.Z, s.wA1)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForAction(key, s.X))).to.deep.equal([]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(key, [s.g1])).to.equal(false);
    });
  });

  describe("removed key", () => {
    it("a removed explicit-group key may do nothing", async () => {
      const s = await loadFixture(scenario);
      await s.api.removeUsageApiKey(s.A, s.keys.g1);
      expect(await s.f.diamond.canExecuteAction(s.keys.g1, s.X)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g1, s.X, s.wA1)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.g1, s.X))).to.deep.equal([]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.g1, [s.g1])).to.equal(false);
    });

    it("a removed all-access key may do nothing", async () => {
      const s = await loadFixture(scenario);
      await s.api.removeUsageApiKey(s.A, s.keys.all);
      expect(await s.f.diamond.canExecuteAction(s.keys.all, s.Z)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.all, s.X, s.wA1)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.all, s.X, s.wA1))).to.deep.equal([]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.all, [s.g1])).to.equal(false);
    });

    it("an unknown hash may do nothing", async () => {
      const s = await loadFixture(scenario);
      const unknown = newApiKey().hash;
      expect(await s.f.diamond.canExecuteAction(unknown, s.X)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(unknown, s.X, s.wA1)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForAction(unknown, s.X))).to.deep.equal([]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(unknown, [s.g1])).to.equal(false);
    });
  });

  describe("removed group", () => {
    it("no longer permits anything to a key that executed in it", async () => {
      const s = await loadFixture(scenario);
      await s.api.removeGroup(s.A, s.g1);
      expect(await s.f.diamond.canExecuteAction(s.keys.g1, s.X)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g1, s.X, s.wA1)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.g1, s.X))).to.deep.equal([]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.g1, [s.g1])).to.equal(false);
    });

    it("is absent from the master's and the all-access key's views", async () => {
      const s = await loadFixture(scenario);
      await s.api.removeGroup(s.A, s.g1);
      await s.api.removeGroup(s.A, s.g2);
      expect(await ids(s.f.diamond.groupIdsForAction(s.A, s.X))).to.have.members([s.g3, s.g6]);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.all, s.Y))).to.deep.equal([s.g6]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.A, [s.g1, s.g2])).to.equal(false);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.all, [s.g1])).to.equal(false);
    });

    it("leaves the other groups of a multi-group key working", async () => {
      const s = await loadFixture(scenario);
      await s.api.removeGroup(s.A, s.g1);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.g3g1, s.X))).to.deep.equal([s.g3]);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g3g1, s.X, s.wA2)).to.equal(true);
    });
  });

  describe("another account's group id in the key's list", () => {
    it("permits nothing, even for actions and wallets that group lists", async () => {
      const s = await loadFixture(scenario);
      expect(await s.f.diamond.canExecuteAction(s.keys.foreign, s.cidB)).to.equal(false);
      expect(await s.f.diamond.canExecuteAction(s.keys.foreign, s.X)).to.equal(false);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.foreign, s.cidB, s.wB)).to.equal(false);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.foreign, s.X))).to.deep.equal([]);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.foreign, s.cidB, s.wB))).to.deep.equal([]);
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.keys.foreign, [s.g4])).to.equal(false);
    });

    it("does not let another account's master see the group through this account's key", async () => {
      const s = await loadFixture(scenario);
      // B's own master sees g4; A's key naming g4 does not
      expect(await s.f.diamond.apiKeyCanExecuteForAnyGroup(s.B, [s.g4])).to.equal(true);
      expect(await ids(s.f.diamond.groupIdsForAction(s.B, s.X))).to.deep.equal([s.g4]);
    });
  });

  describe("cid 0", () => {
    it("is never executable, for any kind of key", async () => {
      const s = await loadFixture(scenario);
      for (const key of [s.A, s.aliasC, s.keys.all, s.keys.g2, s.keys.g6]) {
        expect(await s.f.diamond.canExecuteAction(key, 0n)).to.equal(false);
        expect(await s.f.diamond.canExecuteActionFast(key, 0n)).to.equal(false);
        expect(await s.f.diamond.canUseWalletInAction(key, 0n, s.wA1)).to.equal(false);
        expect(await s.f.diamond.canUseWalletInActionFast(key, 0n, s.wA1)).to.equal(false);
        expect(await ids(s.f.diamond.groupIdsForAction(key, 0n))).to.deep.equal([]);
        expect(await ids(s.f.diamond.groupIdsForActionAndWallet(key, 0n, s.wA1))).to.deep.equal([]);
      }
    });
  });

  describe("no duplicate group ids", () => {
    it("a group listing the cid explicitly and by wildcard appears once for a key executing in it", async () => {
      const s = await loadFixture(scenario);
      expect(await ids(s.f.diamond.groupIdsForAction(s.keys.g6, s.X))).to.deep.equal([s.g6]);
      expect(await ids(s.f.diamond.groupIdsForActionAndWallet(s.keys.g6, s.X, s.wA1))).to.deep.equal([s.g6]);
      expect(await s.f.diamond.canUseWalletInAction(s.keys.g6, s.X, s.wA1)).to.equal(true);
    });

    it("appears once for the master and the all-access key", async () => {
      const s = await loadFixture(scenario);
      for (const key of [s.A, s.keys.all]) {
        const forAction = await ids(s.f.diamond.groupIdsForAction(key, s.X));
        expect(new Set(forAction).size).to.equal(forAction.length);
        expect(forAction.filter((id) => id === s.g6)).to.have.length(1);
        const forWallet = await ids(s.f.diamond.groupIdsForActionAndWallet(key, s.X, s.wA1));
        expect(new Set(forWallet).size).to.equal(forWallet.length);
        expect(forWallet.filter((id) => id === s.g6)).to.have.length(1);
      }
    });
  });
});
