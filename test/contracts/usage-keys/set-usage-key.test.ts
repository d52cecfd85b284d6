/**
 * Usage API keys: setUsageApiKey (create / full overwrite, limits, wildcards, hash squatting,
 * permissions).
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import {
  addGroup,
  addUsageKey,
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  freshManagedAccount,
  HashKind,
  newApiKey,
  registerWallet,
  usageKeyArgs,
} from "../../fixtures/support";
import { cidOf, plainKey } from "./support";

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => BigInt(from + i));

const ARRAYS = ["manageIPFSIdsInGroups", "addPkpToGroups", "removePkpFromGroups", "executeInGroups"] as const;

describe("Usage API keys", () => {
  describe("setUsageApiKey", () => {
    it("creates a key that resolves to the account's master as a UsageKey", async () => {
      const { f, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master);
      const [resolved, kind] = await f.diamond.resolveApiKeyHash(key);
      expect(resolved).to.equal(master);
      expect(kind).to.equal(HashKind.UsageKey);
      expect(await f.diamond.accountExistsAndIsMutable(key)).to.equal(true);
      expect((await f.diamond.getAccount(master)).usageKeyCount).to.equal(1n);
    });

    it("stores every field given (getUsageApiKey returns them)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const { hash } = newApiKey();
      await api.setUsageApiKey(
        master,
        hash,
        ...usageKeyArgs({
          expiration: 4_000_000_000n,
          balance: 777n,
          name: "dApp key",
          description: "runs price feed",
          createGroups: true,
          deleteGroups: false,
          createPKPs: true,
          manageIPFSIdsInGroups: [1, 2],
          addPkpToGroups: [3],
          removePkpFromGroups: [4, 5, 6],
          executeInGroups: [7],
        }),
      );
      expect(plainKey(await f.diamond.getUsageApiKey(master, hash))).to.deep.equal({
        metadata: { id: hash, name: "dApp key", description: "runs price feed" },
        apiKeyHash: hash,
        expiration: 4_000_000_000n,
        balance: 777n,
        executeInGroups: [7n],
        createGroups: true,
        deleteGroups: false,
        createPKPs: true,
        manageIPFSIdsInGroups: [1n, 2n],
        addPkpToGroups: [3n],
        removePkpFromGroups: [4n, 5n, 6n],
      });
    });

    it("gives the key its own balance (apiKeyBalance(key)), separate from the master's", async () => {
      const { f, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { balance: 1234n });
      expect(await f.diamond.apiKeyBalance(key)).to.equal(1234n);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(0n);
    });

    it("emits UsageApiKeySet, UsageApiKeyPermissionsSet and UsageApiKeyMetadataSet with the master hash", async () => {
      const { f, api, master } = await freshManagedAccount();
      const { hash } = newApiKey();
      const args = usageKeyArgs({
        expiration: 5_000_000_000n,
        balance: 9n,
        name: "n",
        description: "d",
        createGroups: true,
        deleteGroups: true,
        createPKPs: false,
        manageIPFSIdsInGroups: [0],
        addPkpToGroups: [2],
        removePkpFromGroups: [],
        executeInGroups: [3, 4],
      });
      await expect(api.setUsageApiKey(master, hash, ...args))
        .to.emit(f.diamond, "UsageApiKeySet")
        .withArgs(master, hash)
        .and.to.emit(f.diamond, "UsageApiKeyPermissionsSet")
        .withArgs(master, hash, [5_000_000_000n, 9n, true, true, false, [0n], [2n], [], [3n, 4n]])
        .and.to.emit(f.diamond, "UsageApiKeyMetadataSet")
        .withArgs(master, hash, "n", "d");
    });

    it("emits the master hash when the admin alias of a converted account sets a key", async () => {
      const { f, master } = await freshManagedAccount();
      const admin = f.users[0];
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
      const alias = aliasOf(admin.address);
      const { hash } = newApiKey();
      await expect(f.diamond.connect(admin).setUsageApiKey(alias, hash, ...usageKeyArgs()))
        .to.emit(f.diamond, "UsageApiKeySet")
        .withArgs(master, hash);
      expect((await f.diamond.resolveApiKeyHash(hash))[0]).to.equal(master);
    });

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

    it("rejects usage hash 0 with InvalidRequest(\"usageApiKeyHash: must not be zero\")", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.setUsageApiKey(master, 0, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("usageApiKeyHash: must not be zero");
    });

    for (const field of ARRAYS) {
      it(`accepts 50 entries in ${field}`, async () => {
        const { f, master } = await freshManagedAccount();
        const key = await addUsageKey(f, master, { [field]: ids(50) });
        expect([...(await f.diamond.getUsageApiKey(master, key))[field]]).to.deep.equal(ids(50));
      });

      it(`rejects 51 entries in ${field} with InvalidRequest("${field}: more than 50 entries")`, async () => {
        const { f, api, master } = await freshManagedAccount();
        await expect(api.setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs({ [field]: ids(51) })))
          .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
          .withArgs(`${field}: more than 50 entries`);
      });

      it(`rejects a duplicate group id in ${field} with InvalidRequest("${field}: duplicate group id")`, async () => {
        const { f, api, master } = await freshManagedAccount();
        await expect(api.setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs({ [field]: [3, 4, 3] })))
          .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
          .withArgs(`${field}: duplicate group id`);
      });

      it(`rejects a duplicate wildcard 0 in ${field}`, async () => {
        const { f, api, master } = await freshManagedAccount();
        await expect(api.setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs({ [field]: [0, 0] })))
          .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
          .withArgs(`${field}: duplicate group id`);
      });
    }

    it("accepts the same group id in different arrays", async () => {
      const { f, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, {
        manageIPFSIdsInGroups: [1, 0],
        addPkpToGroups: [1, 0],
        removePkpFromGroups: [1, 0],
        executeInGroups: [1],
      });
      expect([...(await f.diamond.getUsageApiKey(master, key)).addPkpToGroups]).to.deep.equal([1n, 0n]);
    });

    it("accepts group ids that do not exist yet; they take effect once created", async () => {
      const { f, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { executeInGroups: [2] });
      const a = cidOf("a");
      await addGroup(f, master, [cidOf("other")]); // id 1
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(false);
      expect(await addGroup(f, master, [a])).to.equal(2n);
      expect(await f.diamond.canExecuteAction(key, a)).to.equal(true);
    });

    it("rejects an over-long name or description with InvalidRequest naming the field", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs({ name: "n".repeat(129) })))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
      await expect(api.setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs({ description: "d".repeat(1025) })))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });

    it("is master-only: a usage key cannot mint a key (NotMasterAccount)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { createGroups: true, executeInGroups: [0] });
      const minted = newApiKey().hash;
      await expect(api.setUsageApiKey(key, minted, ...usageKeyArgs({ executeInGroups: [0] })))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
      expect(await f.diamond.accountExistsAndIsMutable(minted)).to.equal(false);
    });

    it("is master-only: a usage key cannot overwrite itself", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { executeInGroups: [1] });
      await expect(api.setUsageApiKey(key, key, ...usageKeyArgs({ executeInGroups: [0] })))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });

    it("rejects the account's own master hash with AccountAlreadyExists", async () => {
      const { f, api, master } = await freshManagedAccount();
      await expect(api.setUsageApiKey(master, master, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(master);
    });

    it("rejects another account's master hash with AccountAlreadyExists and leaves it a master", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      await expect(api.setUsageApiKey(master, other, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(other);
      expect(await f.diamond.resolveApiKeyHash(other)).to.deep.equal([other, HashKind.Master]);
    });

    it("rejects another account's usage key hash with AccountAlreadyExists", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addUsageKey(f, other, { executeInGroups: [0] });
      await expect(api.setUsageApiKey(master, theirs, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(theirs);
      expect((await f.diamond.resolveApiKeyHash(theirs))[0]).to.equal(other);
    });

    it("rejects an admin alias hash with AccountAlreadyExists", async () => {
      const { f, api, master } = await freshManagedAccount();
      const admin = f.users[1];
      const chainSecured = await createChainSecuredAccount(f, admin);
      await expect(api.setUsageApiKey(master, chainSecured, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(chainSecured);
      // the converted account's own alias, set through its admin
      const converted = await createManagedAccount(f, "conv");
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(converted, f.users[2].address);
      const alias = aliasOf(f.users[2].address);
      await expect(f.diamond.connect(f.users[2]).setUsageApiKey(converted, alias, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(alias);
    });

    it("lets the same account set a removed key's hash again with only the new permissions", async () => {
      const { f, api, master } = await freshManagedAccount();
      const g = await addGroup(f, master, [cidOf("a")]);
      const { hash: key } = newApiKey();
      await api.setUsageApiKey(
        master,
        key,
        ...usageKeyArgs({ createGroups: true, balance: 10n, manageIPFSIdsInGroups: [0], executeInGroups: [0] }),
      );
      await api.removeUsageApiKey(master, key);
      await expect(api.setUsageApiKey(master, key, ...usageKeyArgs({ name: "again" })))
        .to.emit(f.diamond, "UsageApiKeySet")
        .withArgs(master, key);
      expect(await f.diamond.resolveApiKeyHash(key)).to.deep.equal([master, HashKind.UsageKey]);
      expect(await f.diamond.canExecuteAction(key, cidOf("a"))).to.equal(false);
      expect(await f.diamond.apiKeyBalance(key)).to.equal(0n);
      await expect(api.addGroup(key, "g", "", [], [])).to.be.revertedWithCustomError(f.diamond, "NotAllowedToCreateGroup");
      await expect(api.addActionToGroup(key, g, cidOf("b")))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
        .withArgs(key, g);
    });

    it("rejects another account binding a removed key's hash with AccountAlreadyExists", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const key = await addUsageKey(f, master);
      await api.removeUsageApiKey(master, key);
      await expect(api.setUsageApiKey(other, key, ...usageKeyArgs({ executeInGroups: [0] })))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(key);
      expect(await f.diamond.resolveApiKeyHash(key)).to.deep.equal([0n, HashKind.RemovedUsageKey]);
    });

    it("rejects an unknown account hash with AccountDoesNotExist", async () => {
      const { f, api } = await freshManagedAccount();
      const unknown = newApiKey().hash;
      await expect(api.setUsageApiKey(unknown, newApiKey().hash, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });

    it("rejects a sender that is not an api payer for a managed account with OnlyApiPayerOrOwner", async () => {
      const { f, master } = await freshManagedAccount();
      await expect(f.diamond.connect(f.users[0]).setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(f.users[0].address);
    });

    it("lets the admin of a ChainSecured account set keys and refuses the api payer (NoAccountAccess)", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const master = await createChainSecuredAccount(f, admin);
      const { hash } = newApiKey();
      await expect(f.diamond.connect(admin).setUsageApiKey(master, hash, ...usageKeyArgs()))
        .to.emit(f.diamond, "UsageApiKeySet")
        .withArgs(master, hash);
      await expect(f.diamond.connect(f.payer).setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(master, f.payer.address);
    });

    describe("[0] wildcard honoured for writes", () => {
      it("manageIPFSIdsInGroups [0] adds and removes actions in every group", async () => {
        const { f, api, master } = await freshManagedAccount();
        const g1 = await addGroup(f, master);
        const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [0] });
        const g2 = await addGroup(f, master);
        const a = cidOf("a");
        await api.addAction(master, "a", "", a); // a usage key adds registered actions only
        await api.addActionToGroup(key, g1, a);
        await api.addActionToGroup(key, g2, a);
        expect([...(await f.diamond.groupIdsForAction(master, a))]).to.have.members([g1, g2]);
        await api.removeActionFromGroup(key, g2, a);
        expect(await f.diamond.groupIdsForAction(master, a)).to.deep.equal([g1]);
      });

      it("addPkpToGroups [0] adds wallets to every group", async () => {
        const { f, api, master } = await freshManagedAccount();
        const pkp = await registerWallet(f, f.payer, master);
        const key = await addUsageKey(f, master, { addPkpToGroups: [0] });
        const g1 = await addGroup(f, master);
        const g2 = await addGroup(f, master);
        await api.addPkpToGroup(key, g1, pkp);
        await api.addPkpToGroup(key, g2, pkp);
        expect((await f.diamond.listGroupContents(master, g1)).pkpId).to.deep.equal([pkp]);
        expect((await f.diamond.listGroupContents(master, g2)).pkpId).to.deep.equal([pkp]);
        await expect(api.removePkpFromGroup(key, g1, pkp))
          .to.be.revertedWithCustomError(f.diamond, "NotAllowedToRemovePkpFromGroup")
          .withArgs(key, g1);
      });

      it("removePkpFromGroups [0] removes wallets from every group", async () => {
        const { f, api, master } = await freshManagedAccount();
        const pkp = await registerWallet(f, f.payer, master);
        const g1 = await addGroup(f, master, [], [pkp]);
        const g2 = await addGroup(f, master, [], [pkp]);
        const key = await addUsageKey(f, master, { removePkpFromGroups: [0] });
        await api.removePkpFromGroup(key, g1, pkp);
        await api.removePkpFromGroup(key, g2, pkp);
        expect((await f.diamond.listGroupContents(master, g1)).pkpId).to.deep.equal([]);
        expect((await f.diamond.listGroupContents(master, g2)).pkpId).to.deep.equal([]);
        await expect(api.addPkpToGroup(key, g1, pkp))
          .to.be.revertedWithCustomError(f.diamond, "NotAllowedToAddPkpToGroup")
          .withArgs(key, g1);
      });

      it("executeInGroups [0] executes any action and uses the account's wallets", async () => {
        const { f, master } = await freshManagedAccount();
        const pkp = await registerWallet(f, f.payer, master);
        const key = await addUsageKey(f, master, { executeInGroups: [0] });
        const unregistered = cidOf("inline");
        expect(await f.diamond.canExecuteAction(key, unregistered)).to.equal(true);
        expect(await f.diamond.canUseWalletInAction(key, unregistered, pkp)).to.equal(true);
        const g = await addGroup(f, master);
        expect(await f.diamond.apiKeyCanExecuteForAnyGroup(key, [g])).to.equal(true);
      });

      it("executeInGroups [0] grants no write permission", async () => {
        const { f, api, master } = await freshManagedAccount();
        const g = await addGroup(f, master);
        const key = await addUsageKey(f, master, { executeInGroups: [0] });
        await expect(api.addActionToGroup(key, g, cidOf("a")))
          .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
          .withArgs(key, g);
        await expect(api.addGroup(key, "g", "", [], []))
          .to.be.revertedWithCustomError(f.diamond, "NotAllowedToCreateGroup")
          .withArgs(key);
      });
    });
  });
});
