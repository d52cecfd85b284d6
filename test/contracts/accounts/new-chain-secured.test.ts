/**
 * Accounts: newChainSecuredAccount.
 * Rules: docs/contracts.md "Identity and aliasing" / "Accounts";
 * choices: docs/contract-behaviour.md "Identity" / "Accounts".
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import { aliasOf, createChainSecuredAccount, HashKind } from "../../fixtures/support";

describe("Accounts", () => {
  describe("newChainSecuredAccount", () => {
    it("creates an unmanaged account with hash alias(sender) and admin sender", async () => {
      const f = await loadFixture(deployDiamond);
      const user = f.users[0];
      await f.diamond.connect(user).newChainSecuredAccount("Sov", "desc");
      const info = await f.diamond.getAccount(aliasOf(user.address));
      expect(info.masterApiKeyHash).to.equal(aliasOf(user.address));
      expect(info.managed).to.equal(false);
      expect(info.adminWalletAddress).to.equal(user.address);
      expect(info.name).to.equal("Sov");
      expect(info.description).to.equal("desc");
    });

    it("emits AccountCreated and AccountMetadataSet but no AdminAliasBound (the alias is the master)", async () => {
      const f = await loadFixture(deployDiamond);
      const user = f.users[0];
      const hash = aliasOf(user.address);
      const tx = f.diamond.connect(user).newChainSecuredAccount("Sov", "desc");
      await expect(tx)
        .to.emit(f.diamond, "AccountCreated")
        .withArgs(hash, user.address, false)
        .and.to.emit(f.diamond, "AccountMetadataSet")
        .withArgs(hash, "Sov", "desc");
      await expect(tx).not.to.emit(f.diamond, "AdminAliasBound");
    });

    it("resolves alias(sender) as a Master hash", async () => {
      const f = await loadFixture(deployDiamond);
      const hash = await createChainSecuredAccount(f, f.users[0]);
      const [master, kind] = await f.diamond.resolveApiKeyHash(hash);
      expect(master).to.equal(hash);
      expect(kind).to.equal(HashKind.Master);
    });

    it("reverts AccountAlreadyExists(alias) when the sender already has an account", async () => {
      const f = await loadFixture(deployDiamond);
      const user = f.users[0];
      await createChainSecuredAccount(f, user);
      await expect(f.diamond.connect(user).newChainSecuredAccount("again", ""))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(user.address));
    });

    it("reverts InvalidRequest when the name is longer than 128 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.users[0]).newChainSecuredAccount("n".repeat(129), ""))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("reverts InvalidRequest when the description is longer than 1024 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.users[0]).newChainSecuredAccount("n", "d".repeat(1025)))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });

  });
});
