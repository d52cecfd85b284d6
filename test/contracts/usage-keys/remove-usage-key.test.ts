/**
 * Usage API keys: removeUsageApiKey (events, withdrawn permissions and balance, permissions).
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { DiamondFixture } from "../../fixtures/diamond";
import {
  addGroup,
  addUsageKey,
  createManagedAccount,
  freshManagedAccount,
  HashKind,
  newApiKey,
  registerWallet,
} from "../../fixtures/support";
import { cidOf } from "./support";

/** The documented storage slot of the AccountConfig layout (docs/contract-behaviour.md "Diamond"). */
const STORAGE_SLOT = (() => {
  const inner = BigInt(ethers.keccak256(ethers.toUtf8Bytes("accountconfig.storage.main"))) - 1n;
  const outer = BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [inner])));
  return outer & ~0xffn;
})();
/** Offset of `balances` in LibAccountConfig.Layout (11th field, one slot each before it). */
const BALANCES_OFFSET = 10n;
async function rawBalance(f: DiamondFixture, hash: bigint): Promise<bigint> {
  const slot = ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [hash, STORAGE_SLOT + BALANCES_OFFSET]),
  );
  return BigInt(await ethers.provider.getStorage(f.diamondAddress, slot));
}

describe("Usage API keys", () => {
  describe("removeUsageApiKey", () => {
    it("emits UsageApiKeyRemoved(master, key)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master);
      await expect(api.removeUsageApiKey(master, key)).to.emit(f.diamond, "UsageApiKeyRemoved").withArgs(master, key);
    });

    it("stops the key from writing: AccountDoesNotExist(key)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { createGroups: true });
      await api.addGroup(key, "g", "", [], []);
      await api.removeUsageApiKey(master, key);
      await expect(api.addGroup(key, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(key);
    });

    it("stops the key from executing", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const pkp = await registerWallet(f, f.payer, master);
      const g = await addGroup(f, master, [a], [pkp]);
      const key = await addUsageKey(f, master, { executeInGroups: [g] });
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(true);
      await api.removeUsageApiKey(master, key);
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(false);
      expect(await f.diamond.canUseWalletInAction(key, a, pkp)).to.equal(false);
      expect(await f.diamond.groupIdsForAction(key, a)).to.deep.equal([]);
      expect(await f.diamond.apiKeyCanExecuteForAnyGroup(key, [g])).to.equal(false);
    });

    it("removes it from listApiKeys and the account's key count", async () => {
      const { f, api, master } = await freshManagedAccount();
      const k1 = await addUsageKey(f, master);
      const k2 = await addUsageKey(f, master);
      await api.removeUsageApiKey(master, k1);
      expect((await f.diamond.listApiKeys(master, 0, 10)).map((k) => k.apiKeyHash)).to.deep.equal([k2]);
      expect((await f.diamond.getAccount(master)).usageKeyCount).to.equal(1n);
    });

    it("leaves the hash resolving to nothing (RemovedUsageKey tombstone)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master);
      await api.removeUsageApiKey(master, key);
      expect(await f.diamond.resolveApiKeyHash(key)).to.deep.equal([0n, HashKind.RemovedUsageKey]);
      expect(await f.diamond.accountExistsAndIsMutable(key)).to.equal(false);
      await expect(f.diamond.getUsageApiKey(master, key))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyDoesNotExist")
        .withArgs(master, key);
    });

    it("zeroes the key's balance", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { balance: 500n });
      expect(await rawBalance(f, key)).to.equal(500n); // the slot computation reads the live balance
      await api.removeUsageApiKey(master, key);
      expect(await rawBalance(f, key)).to.equal(0n);
      await expect(f.diamond.apiKeyBalance(key))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(key);
    });

    it("reverts UsageApiKeyDoesNotExist(account, key) on a second removal", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master);
      await api.removeUsageApiKey(master, key);
      await expect(api.removeUsageApiKey(master, key))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyDoesNotExist")
        .withArgs(master, key);
    });

    it("reverts UsageApiKeyDoesNotExist for an unknown hash", async () => {
      const { f, api, master } = await freshManagedAccount();
      const unknown = newApiKey().hash;
      await expect(api.removeUsageApiKey(master, unknown))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyDoesNotExist")
        .withArgs(master, unknown);
    });

    it("reverts UsageApiKeyDoesNotExist for another account's key and leaves that key working", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addUsageKey(f, other, { executeInGroups: [0] });
      await expect(api.removeUsageApiKey(master, theirs))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyDoesNotExist")
        .withArgs(master, theirs);
      expect(await f.diamond.canExecuteAction(theirs, cidOf("a"))).to.equal(true);
    });

    it("reverts UsageApiKeyDoesNotExist for the master hash itself", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.removeUsageApiKey(master, master))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyDoesNotExist")
        .withArgs(master, master);
    });

    it("is master-only: a usage key cannot remove a key (NotMasterAccount)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { deleteGroups: true });
      const victim = await addUsageKey(f, master);
      await expect(api.removeUsageApiKey(key, victim))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });
  });
});
