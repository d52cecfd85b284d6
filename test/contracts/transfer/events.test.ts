/**
 * transferChainSecuredAccountOwnership: the events.
 * Rules: docs/contracts.md "Accounts" (the transfer rules of seed 001);
 * choices: docs/contract-behaviour.md "Accounts" (order of checks).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import { aliasOf, createChainSecuredAccount } from "../../fixtures/support";
import { populatedConvertedAccount } from "./support";

describe("ChainSecured ownership transfer", () => {
  describe("events", () => {
    it("emits ChainSecuredAccountOwnershipTransferred(master, previous, new) and AdminAliasBound", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, next.address))
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(a, admin.address, next.address)
        .and.to.emit(f.diamond, "AdminAliasBound")
        .withArgs(a, aliasOf(next.address), next.address);
    });

    it("emits the MASTER hash as first argument when the caller passes its alias", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      const alias = aliasOf(admin.address);
      expect(alias).to.not.equal(master);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(alias, next.address))
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(master, admin.address, next.address)
        .and.to.emit(f.diamond, "AdminAliasBound")
        .withArgs(master, aliasOf(next.address), next.address);
    });

    it("does not change the managed flag or emit a conversion event", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, next.address)).not.to.emit(
        f.diamond,
        "AccountConvertedToChainSecured",
      );
      expect((await f.diamond.getAccount(a)).managed).to.equal(false);
    });
  });
});
