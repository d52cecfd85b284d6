/**
 * transferChainSecuredAccountOwnership through an alias, and chained transfers.
 * Rules: docs/contracts.md "Accounts" (the transfer rules of seed 001);
 * choices: docs/contract-behaviour.md "Accounts" (order of checks).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { aliasOf, createChainSecuredAccount, HashKind } from "../../fixtures/support";
import { populatedConvertedAccount } from "./support";

/**
 * Hands `account` from a to b and from b to c, then asserts that c cannot hand it on to `back` (an
 * earlier admin): AccountAlreadyExists names `back`'s alias.
 */
async function expectChainBackRefused(
  f: DiamondFixture,
  account: bigint,
  [a, b, c]: [HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner],
  back: HardhatEthersSigner,
): Promise<void> {
  await f.diamond.connect(a).transferChainSecuredAccountOwnership(account, b.address);
  await f.diamond.connect(b).transferChainSecuredAccountOwnership(account, c.address);
  await expect(f.diamond.connect(c).transferChainSecuredAccountOwnership(account, back.address))
    .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
    .withArgs(aliasOf(back.address));
}

describe("ChainSecured ownership transfer", () => {
  describe("transfer through an alias and chained transfers", () => {
    it("accepts the current admin's alias as the account hash", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(aliasOf(admin.address), next.address);
      expect(await f.diamond.getAccountWalletAddress(master)).to.equal(next.address);
    });

    it("lets the new admin transfer again by passing its own alias", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, second, third] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, second.address);
      await expect(
        f.diamond.connect(second).transferChainSecuredAccountOwnership(aliasOf(second.address), third.address),
      )
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(a, second.address, third.address);
      expect(await f.diamond.getAccountWalletAddress(a)).to.equal(third.address);
    });

    it("accepts a previous admin's alias as the hash when the current admin signs", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, second, third] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, second.address);
      // the first admin's alias is the master here; the signer is what matters
      await f.diamond.connect(second).transferChainSecuredAccountOwnership(aliasOf(admin.address), third.address);
      expect(await f.diamond.getAccountWalletAddress(a)).to.equal(third.address);
    });

    it("chains A -> B -> C -> D: only D may write, every alias resolves to the master", async () => {
      const f = await loadFixture(deployDiamond);
      const [a, b, c, d] = f.users;
      const { master, usage, cid } = await populatedConvertedAccount(f, a);
      await expect(f.diamond.connect(a).transferChainSecuredAccountOwnership(master, b.address))
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(master, a.address, b.address);
      await expect(f.diamond.connect(b).transferChainSecuredAccountOwnership(aliasOf(b.address), c.address))
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(master, b.address, c.address);
      await expect(f.diamond.connect(c).transferChainSecuredAccountOwnership(aliasOf(a.address), d.address))
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(master, c.address, d.address);

      expect(await f.diamond.getAccountWalletAddress(master)).to.equal(d.address);
      for (const w of [a, b, c, d]) {
        const [resolved, kind] = await f.diamond.resolveApiKeyHash(aliasOf(w.address));
        expect(resolved).to.equal(master);
        expect(kind).to.equal(HashKind.AdminAlias);
      }
      for (const w of [a, b, c]) {
        await expect(f.diamond.connect(w).addGroup(master, "g", "", [], []))
          .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
          .withArgs(master, w.address);
      }
      await f.diamond.connect(d).addGroup(master, "g", "", [], []);
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(2n);
      expect(await f.diamond.canExecuteAction(usage.hash, cid)).to.equal(true);
    });

    it("refuses a chain that would return to an intermediate admin", async () => {
      const f = await loadFixture(deployDiamond);
      const [a, b, c] = f.users;
      const acct = await createChainSecuredAccount(f, a);
      await expectChainBackRefused(f, acct, [a, b, c], b);
    });

    it("refuses a chain that would return to the first admin of a converted account", async () => {
      const f = await loadFixture(deployDiamond);
      const [a, b, c] = f.users;
      const { master } = await populatedConvertedAccount(f, a);
      await expectChainBackRefused(f, master, [a, b, c], a);
    });

    // The creator's alias is the master hash, so the account can never return to its creator.
    it("refuses a chain that would return to the creator of a ChainSecured account", async () => {
      const f = await loadFixture(deployDiamond);
      const [a, b, c] = f.users;
      const acct = await createChainSecuredAccount(f, a);
      await expectChainBackRefused(f, acct, [a, b, c], a);
    });
  });
});
