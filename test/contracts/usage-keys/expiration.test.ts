/**
 * Usage API keys: expiration (when a key stops working, and what it may still do).
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  addGroup,
  addUsageKey,
  freshManagedAccount,
  registerWallet,
  usageKeyArgs,
  type UsageKeyArgs,
} from "../../fixtures/support";
import { cidOf } from "./support";

describe("Usage API keys", () => {
  describe("expiration", () => {
    async function expiringKey(offset: bigint, args: UsageKeyArgs = {}) {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const pkp = await registerWallet(f, f.payer, master);
      const g = await addGroup(f, master, [a], [pkp]);
      const expiration = BigInt(await time.latest()) + offset;
      const key = await addUsageKey(f, master, { expiration, createGroups: true, executeInGroups: [g], ...args });
      return { f, api, master, a, pkp, g, key, expiration };
    }

    it("authorises writes in a block whose timestamp is one second before expiration", async () => {
      const { f, api, master, key, expiration } = await expiringKey(100n);
      await time.setNextBlockTimestamp(expiration - 1n);
      await expect(api.addGroup(key, "g", "", [], [])).to.emit(f.diamond, "GroupAdded").withArgs(master, 2n);
    });

    it("refuses writes in a block whose timestamp equals expiration: UsageApiKeyExpired(key, expiration)", async () => {
      const { f, api, key, expiration } = await expiringKey(100n);
      await time.setNextBlockTimestamp(expiration);
      await expect(api.addGroup(key, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "UsageApiKeyExpired")
        .withArgs(key, expiration);
    });

    it("permits execution while the latest block is before expiration", async () => {
      const { f, a, pkp, g, key, expiration } = await expiringKey(100n);
      await time.increaseTo(expiration - 1n);
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(true);
      expect(await f.diamond.canUseWalletInAction(key, a, pkp)).to.equal(true);
      expect(await f.diamond.groupIdsForAction(key, a)).to.deep.equal([g]);
    });

    it("treats expiration == block.timestamp as expired for every execution view", async () => {
      const { f, a, pkp, g, key, expiration } = await expiringKey(100n);
      await time.increaseTo(expiration);
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(false);
      expect(await f.diamond.canExecuteActionFast(key, a)).to.equal(false);
      expect(await f.diamond.canUseWalletInAction(key, a, pkp)).to.equal(false);
      expect(await f.diamond.canExecuteActionAndUseWallet(key, a, pkp)).to.deep.equal([false, false]);
      expect(await f.diamond.groupIdsForAction(key, a)).to.deep.equal([]);
      expect(await f.diamond.groupIdsForActionAndWallet(key, a, pkp)).to.deep.equal([]);
      expect(await f.diamond.apiKeyCanExecuteForAnyGroup(key, [g])).to.equal(false);
    });

    it("expires an all-access [0] key too", async () => {
      const { f, key, expiration } = await expiringKey(100n, { executeInGroups: [0] });
      expect(await f.diamond.canExecuteAction(key, cidOf("anything"))).to.equal(true);
      await time.increaseTo(expiration);
      expect(await f.diamond.canExecuteAction(key, cidOf("anything"))).to.equal(false);
    });

    it("never expires a key with expiration 0", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { expiration: 0n, createGroups: true, executeInGroups: [0] });
      await time.increase(100n * 365n * 24n * 3600n);
      expect(await f.diamond.canExecuteAction(key, cidOf("a"))).to.equal(true);
      await expect(api.addGroup(key, "g", "", [], [])).to.emit(f.diamond, "GroupAdded");
    });

    it("is revived when the master overwrites the key with a later expiration", async () => {
      const { f, api, master, a, g, key, expiration } = await expiringKey(100n);
      await time.increaseTo(expiration);
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(false);
      await api.setUsageApiKey(master, key, ...usageKeyArgs({ expiration: expiration + 1000n, executeInGroups: [g] }));
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(true);
    });

    it("lets the master remove an expired key", async () => {
      const { f, api, master, key, expiration } = await expiringKey(100n);
      await time.increaseTo(expiration);
      await expect(api.removeUsageApiKey(master, key)).to.emit(f.diamond, "UsageApiKeyRemoved").withArgs(master, key);
    });
  });
});
