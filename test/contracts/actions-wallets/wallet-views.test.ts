/**
 * Wallets: the wallet views pkpCount, allPkpIdsAt and listPkps.
 * Rules: docs/contracts.md "Wallets (PKPs)" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Actions and wallets".
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import {
  createChainSecuredAccount,
  createManagedAccount,
  hashText,
  randomAddress,
  registerWallet,
} from "../../fixtures/support";

describe("Actions and wallets", () => {
  describe("pkpCount and allPkpIdsAt", () => {
    it("starts at zero", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.pkpCount()).to.equal(0n);
    });

    it("counts and lists wallets of all accounts in registration order", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createChainSecuredAccount(f, f.users[0]);
      const w1 = await registerWallet(f, f.payer, a);
      const w2 = await registerWallet(f, f.users[0], b);
      const w3 = await registerWallet(f, f.payer, a);
      expect(await f.diamond.pkpCount()).to.equal(3n);
      expect(await f.diamond.allPkpIdsAt(0)).to.equal(w1);
      expect(await f.diamond.allPkpIdsAt(1)).to.equal(w2);
      expect(await f.diamond.allPkpIdsAt(2)).to.equal(w3);
    });

    it("does not count a rejected registration", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const pkp = await registerWallet(f, f.payer, master);
      await expect(f.diamond.connect(f.payer).registerWalletDerivation(master, pkp, 123456789, "w", "")).to.be
        .reverted;
      expect(await f.diamond.pkpCount()).to.equal(1n);
    });

    it("reverts InvalidRequest for an index equal to pkpCount", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await registerWallet(f, f.payer, master);
      await expect(f.diamond.allPkpIdsAt(1))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("index: out of range");
    });

    it("reverts InvalidRequest for index 0 when no wallet exists", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.allPkpIdsAt(0))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("index: out of range");
    });
  });

  describe("listPkps", () => {
    it("returns (id = derivation, pkpId, name, description) for each wallet", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const p1 = randomAddress();
      const p2 = randomAddress();
      await f.diamond.connect(f.payer).registerWalletDerivation(master, p1, 111, "first", "d1");
      await f.diamond.connect(f.payer).registerWalletDerivation(master, p2, 222, "second", "d2");
      const list = await f.diamond.listPkps(master, 0, 10);
      expect(list.map((w) => [w.id, w.pkpId, w.name, w.description])).to.deep.equal([
        [111n, p1, "first", "d1"],
        [222n, p2, "second", "d2"],
      ]);
    });

    it("lists only the account's own wallets", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createManagedAccount(f);
      const wa = await registerWallet(f, f.payer, a);
      await registerWallet(f, f.payer, b);
      const list = await f.diamond.listPkps(a, 0, 10);
      expect(list.map((w) => w.pkpId)).to.deep.equal([wa]);
    });

    it("pages with (pageNumber, pageSize) and returns [] past the end", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const w1 = await registerWallet(f, f.payer, master);
      const w2 = await registerWallet(f, f.payer, master);
      const w3 = await registerWallet(f, f.payer, master);
      expect((await f.diamond.listPkps(master, 0, 2)).map((w) => w.pkpId)).to.deep.equal([w1, w2]);
      expect((await f.diamond.listPkps(master, 1, 2)).map((w) => w.pkpId)).to.deep.equal([w3]);
      expect(await f.diamond.listPkps(master, 2, 2)).to.have.length(0);
    });

    it("returns [] for an account without wallets", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      expect(await f.diamond.listPkps(master, 0, 10)).to.have.length(0);
    });

    it("reverts InvalidRequest for pageSize 0", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.listPkps(master, 0, 0))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("pageSize: must be between 1 and 100");
    });

    it("reverts InvalidRequest for pageSize 101", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.listPkps(master, 0, 101))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("pageSize: must be between 1 and 100");
    });

    it("reverts AccountDoesNotExist for an unknown account hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("nobody");
      await expect(f.diamond.listPkps(unknown, 0, 10))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });
  });
});
