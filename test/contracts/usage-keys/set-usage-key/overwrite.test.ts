/**
 * Usage API keys, setUsageApiKey: overwriting a key: every field replaced, permissions and [0]
 * wildcards withdrawn.
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { addGroup, freshManagedAccount, newApiKey, registerWallet, usageKeyArgs } from "../../../fixtures/support";
import { cidOf, plainKey } from "../support";

describe("Usage API keys", () => {
  describe("setUsageApiKey", () => {
    it("overwrites every field of an existing key and keeps a single listing", async () => {
      const { f, api, master } = await freshManagedAccount();
      const { hash } = newApiKey();
      await api.setUsageApiKey(
        master,
        hash,
        ...usageKeyArgs({
          expiration: 4_000_000_000n,
          balance: 50n,
          name: "first",
          description: "first d",
          createGroups: true,
          deleteGroups: true,
          createPKPs: true,
          manageIPFSIdsInGroups: [1],
          addPkpToGroups: [1],
          removePkpFromGroups: [1],
          executeInGroups: [1],
        }),
      );
      await api.setUsageApiKey(master, hash, ...usageKeyArgs({ name: "second", executeInGroups: [2] }));
      expect(plainKey(await f.diamond.getUsageApiKey(master, hash))).to.deep.equal({
        metadata: { id: hash, name: "second", description: "" },
        apiKeyHash: hash,
        expiration: 0n,
        balance: 0n,
        executeInGroups: [2n],
        createGroups: false,
        deleteGroups: false,
        createPKPs: false,
        manageIPFSIdsInGroups: [],
        addPkpToGroups: [],
        removePkpFromGroups: [],
      });
      expect((await f.diamond.listApiKeys(master, 0, 10)).length).to.equal(1);
    });

    it("withdraws permissions removed by an overwrite (flags and every group array)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const pkp = await registerWallet(f, f.payer, master);
      const g1 = await addGroup(f, master, [a], [pkp]);
      const g2 = await addGroup(f, master, [cidOf("b")]);
      const { hash: key } = newApiKey();
      await api.setUsageApiKey(
        master,
        key,
        ...usageKeyArgs({
          createGroups: true,
          deleteGroups: true,
          createPKPs: true,
          manageIPFSIdsInGroups: [g1],
          addPkpToGroups: [g1],
          removePkpFromGroups: [g1],
          executeInGroups: [g1],
        }),
      );
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(true);
      await api.setUsageApiKey(master, key, ...usageKeyArgs({ executeInGroups: [g2] }));

      expect(await f.diamond.canExecuteAction(key, a)).to.equal(false);
      expect(await f.diamond.canExecuteAction(key, cidOf("b"))).to.equal(true);
      await expect(api.addGroup(key, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToCreateGroup")
        .withArgs(key);
      await expect(api.removeGroup(key, g1))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToDeleteGroup")
        .withArgs(key);
      await expect(api.registerWalletDerivation(key, ethers.Wallet.createRandom().address, 987654321n, "w", ""))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToCreatePkp")
        .withArgs(key);
      await expect(api.addActionToGroup(key, g1, cidOf("c")))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
        .withArgs(key, g1);
      await expect(api.removePkpFromGroup(key, g1, pkp))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToRemovePkpFromGroup")
        .withArgs(key, g1);
      const pkp2 = await registerWallet(f, f.payer, master);
      await expect(api.addPkpToGroup(key, g1, pkp2))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToAddPkpToGroup")
        .withArgs(key, g1);
    });

    it("withdraws the [0] wildcards when overwritten with explicit groups", async () => {
      const { f, api, master } = await freshManagedAccount();
      const g1 = await addGroup(f, master, [cidOf("a")]);
      const g2 = await addGroup(f, master);
      const { hash: key } = newApiKey();
      const all = { manageIPFSIdsInGroups: [0], addPkpToGroups: [0], removePkpFromGroups: [0], executeInGroups: [0] };
      await api.setUsageApiKey(master, key, ...usageKeyArgs(all));
      expect(await f.diamond.canExecuteAction(key, cidOf("unregistered"))).to.equal(true);
      await api.setUsageApiKey(master, key, ...usageKeyArgs({ manageIPFSIdsInGroups: [g1], executeInGroups: [g1] }));
      expect(await f.diamond.canExecuteAction(key, cidOf("unregistered"))).to.equal(false);
      expect(await f.diamond.canExecuteAction(key, cidOf("a"))).to.equal(true);
      await expect(api.addActionToGroup(key, g2, cidOf("x")))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
        .withArgs(key, g2);
    });
  });
});
