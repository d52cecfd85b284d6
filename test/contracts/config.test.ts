/**
 * ConfigFacet: api payers, admin api payer, config operator, payer pool sizing, node configuration
 * and serverTrigger (docs/contract-behaviour.md "Config and billing").
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../fixtures/diamond";
import { createManagedAccount } from "../fixtures/support";

const randomAddresses = (n: number): string[] => Array.from({ length: n }, () => ethers.Wallet.createRandom().address);

describe("ConfigFacet", () => {
  describe("initial state", () => {
    it("holds the api payers, admin api payer and config operator given to the initializer", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.api_payers()).to.deep.equal([f.payer.address, f.payer2.address]);
      expect(await f.diamond.apiPayerCount()).to.equal(2n);
      expect(await f.diamond.adminApiPayerAccount()).to.equal(f.adminPayer.address);
      expect(await f.diamond.configOperator()).to.equal(f.configOperator.address);
    });

    it("starts with zero requested payer count, zero rebalance amount and no node configuration", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.requestedApiPayerCount()).to.equal(0n);
      expect(await f.diamond.rebalanceAmount()).to.equal(0n);
      expect(await f.diamond.nodeConfigurationKeys()).to.deep.equal([]);
      expect(await f.diamond.nodeConfigurationValues()).to.deep.equal([]);
    });
  });

  describe("setApiPayers", () => {
    it("lets the owner replace the payer list and emits ApiPayersUpdated with the new list", async () => {
      const f = await loadFixture(deployDiamond);
      const list = [f.users[0].address, f.users[1].address];
      await expect(f.diamond.connect(f.owner).setApiPayers(list))
        .to.emit(f.diamond, "ApiPayersUpdated")
        .withArgs(list);
      expect(await f.diamond.api_payers()).to.deep.equal(list);
    });

    it("lets the config operator replace the payer list", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.configOperator).setApiPayers([f.users[2].address]))
        .to.emit(f.diamond, "ApiPayersUpdated")
        .withArgs([f.users[2].address]);
      expect(await f.diamond.api_payers()).to.deep.equal([f.users[2].address]);
    });

    it("lets the admin api payer replace the payer list", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.adminPayer).setApiPayers([f.users[3].address]))
        .to.emit(f.diamond, "ApiPayersUpdated")
        .withArgs([f.users[3].address]);
      expect(await f.diamond.api_payers()).to.deep.equal([f.users[3].address]);
    });

    it("reverts OnlyConfigOperatorOrOwner for an api payer that is not the admin api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).setApiPayers([f.payer.address]))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.payer.address);
    });

    it("reverts OnlyConfigOperatorOrOwner for an unprivileged address", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.users[0]).setApiPayers([f.users[0].address]))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.users[0].address);
    });

    it("reverts OnlyConfigOperatorOrOwner for the pricing operator", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.pricingOperator).setApiPayers([]))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.pricingOperator.address);
    });

    it("rejects the zero address with InvalidRequest", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.setApiPayers([f.users[0].address, ethers.ZeroAddress]))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("newApiPayers: zero address");
    });

    it("rejects a duplicate address with InvalidRequest", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.setApiPayers([f.users[0].address, f.users[1].address, f.users[0].address]))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("newApiPayers: duplicate address");
    });

    it("rejects more than 100 payers with InvalidRequest", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.setApiPayers(randomAddresses(101)))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("newApiPayers: more than 100 entries");
    });

    it("accepts exactly 100 payers", async () => {
      const f = await loadFixture(deployDiamond);
      const list = randomAddresses(100);
      await f.diamond.setApiPayers(list);
      expect(await f.diamond.apiPayerCount()).to.equal(100n);
      expect(await f.diamond.api_payers()).to.deep.equal(list);
    });

    it("accepts an empty list, leaving no api payers", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.setApiPayers([])).to.emit(f.diamond, "ApiPayersUpdated").withArgs([]);
      expect(await f.diamond.apiPayerCount()).to.equal(0n);
      expect(await f.diamond.isApiPayer(f.payer.address)).to.equal(false);
    });

    it("keeps the previous list when the new one is rejected", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.setApiPayers([f.users[0].address, f.users[0].address])).to.be.reverted;
      expect(await f.diamond.api_payers()).to.deep.equal([f.payer.address, f.payer2.address]);
    });

    it("removes a dropped payer's write access to managed accounts (OnlyApiPayerOrOwner)", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await f.diamond.setApiPayers([f.payer2.address]);
      await expect(f.diamond.connect(f.payer).addGroup(master, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(f.payer.address);
    });

    it("gives a newly listed payer write access to managed accounts", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const newPayer = f.users[4];
      await expect(f.diamond.connect(newPayer).addGroup(master, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(newPayer.address);
      await f.diamond.setApiPayers([newPayer.address]);
      await expect(f.diamond.connect(newPayer).addGroup(master, "g", "", [], [])).to.emit(f.diamond, "GroupAdded");
    });

    it("lets a newly listed payer create managed accounts", async () => {
      const f = await loadFixture(deployDiamond);
      const newPayer = f.users[5];
      await f.diamond.connect(f.adminPayer).setApiPayers([newPayer.address]);
      const hash = BigInt(ethers.id("new-payer-account"));
      await expect(f.diamond.connect(newPayer).newAccount(hash, true, "n", "", f.users[6].address))
        .to.emit(f.diamond, "AccountCreated")
        .withArgs(hash, f.users[6].address, true);
    });
  });

  describe("isApiPayer / apiPayerCount / api_payers", () => {
    it("isApiPayer is true for listed payers and false for others", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.isApiPayer(f.payer.address)).to.equal(true);
      expect(await f.diamond.isApiPayer(f.payer2.address)).to.equal(true);
      expect(await f.diamond.isApiPayer(f.adminPayer.address)).to.equal(false);
      expect(await f.diamond.isApiPayer(f.owner.address)).to.equal(false);
      expect(await f.diamond.isApiPayer(ethers.ZeroAddress)).to.equal(false);
    });

    it("reflect the latest list in count, membership and order", async () => {
      const f = await loadFixture(deployDiamond);
      const list = [f.users[2].address, f.users[0].address, f.users[1].address];
      await f.diamond.setApiPayers(list);
      expect(await f.diamond.apiPayerCount()).to.equal(3n);
      expect(await f.diamond.api_payers()).to.deep.equal(list);
      expect(await f.diamond.isApiPayer(f.payer.address)).to.equal(false);
      expect(await f.diamond.isApiPayer(f.users[1].address)).to.equal(true);
    });
  });

  describe("setAdminApiPayerAccount", () => {
    it("lets the owner set the admin api payer and emits AdminApiPayerUpdated", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.owner).setAdminApiPayerAccount(f.users[0].address))
        .to.emit(f.diamond, "AdminApiPayerUpdated")
        .withArgs(f.users[0].address);
      expect(await f.diamond.adminApiPayerAccount()).to.equal(f.users[0].address);
    });

    it("lets the config operator set the admin api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.configOperator).setAdminApiPayerAccount(f.users[1].address))
        .to.emit(f.diamond, "AdminApiPayerUpdated")
        .withArgs(f.users[1].address);
      expect(await f.diamond.adminApiPayerAccount()).to.equal(f.users[1].address);
    });

    it("accepts the zero address to clear the admin api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.setAdminApiPayerAccount(ethers.ZeroAddress))
        .to.emit(f.diamond, "AdminApiPayerUpdated")
        .withArgs(ethers.ZeroAddress);
      expect(await f.diamond.adminApiPayerAccount()).to.equal(ethers.ZeroAddress);
    });

    it("reverts OnlyConfigOperatorOrOwner for the admin api payer itself", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.adminPayer).setAdminApiPayerAccount(f.adminPayer.address))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.adminPayer.address);
    });

    it("reverts OnlyConfigOperatorOrOwner for an api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).setAdminApiPayerAccount(f.payer.address))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.payer.address);
    });

    it("moves the setApiPayers right to the new admin api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setAdminApiPayerAccount(f.users[0].address);
      await expect(f.diamond.connect(f.adminPayer).setApiPayers([]))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.adminPayer.address);
      await expect(f.diamond.connect(f.users[0]).setApiPayers([f.users[0].address])).to.emit(f.diamond, "ApiPayersUpdated");
    });
  });

  describe("setConfigOperator", () => {
    it("lets the owner set the config operator and emits ConfigOperatorUpdated", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.owner).setConfigOperator(f.users[0].address))
        .to.emit(f.diamond, "ConfigOperatorUpdated")
        .withArgs(f.users[0].address);
      expect(await f.diamond.configOperator()).to.equal(f.users[0].address);
    });

    it("reverts NotContractOwner for the config operator", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.configOperator).setConfigOperator(f.users[0].address))
        .to.be.revertedWithCustomError(f.diamond, "NotContractOwner")
        .withArgs(f.configOperator.address, f.owner.address);
    });

    it("reverts NotContractOwner for an api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).setConfigOperator(f.payer.address))
        .to.be.revertedWithCustomError(f.diamond, "NotContractOwner")
        .withArgs(f.payer.address, f.owner.address);
    });

    it("transfers operator rights: the old operator loses them, the new one gains them", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setConfigOperator(f.users[0].address);
      await expect(f.diamond.connect(f.configOperator).setRebalanceAmount(1))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.configOperator.address);
      await expect(f.diamond.connect(f.users[0]).setRebalanceAmount(1)).to.emit(f.diamond, "RebalanceAmountUpdated").withArgs(1n);
    });
  });

  describe("setRequestedApiPayerCount", () => {
    it("lets the owner set it and emits RequestedApiPayerCountUpdated", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.owner).setRequestedApiPayerCount(7))
        .to.emit(f.diamond, "RequestedApiPayerCountUpdated")
        .withArgs(7n);
      expect(await f.diamond.requestedApiPayerCount()).to.equal(7n);
    });

    it("lets the config operator set it", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.configOperator).setRequestedApiPayerCount(3))
        .to.emit(f.diamond, "RequestedApiPayerCountUpdated")
        .withArgs(3n);
      expect(await f.diamond.requestedApiPayerCount()).to.equal(3n);
    });

    it("reverts OnlyConfigOperatorOrOwner for the admin api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.adminPayer).setRequestedApiPayerCount(3))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.adminPayer.address);
    });
  });

  describe("setRebalanceAmount", () => {
    it("lets the owner set it and emits RebalanceAmountUpdated", async () => {
      const f = await loadFixture(deployDiamond);
      const amount = ethers.parseEther("0.5");
      await expect(f.diamond.connect(f.owner).setRebalanceAmount(amount))
        .to.emit(f.diamond, "RebalanceAmountUpdated")
        .withArgs(amount);
      expect(await f.diamond.rebalanceAmount()).to.equal(amount);
    });

    it("lets the config operator set it", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.configOperator).setRebalanceAmount(12345))
        .to.emit(f.diamond, "RebalanceAmountUpdated")
        .withArgs(12345n);
      expect(await f.diamond.rebalanceAmount()).to.equal(12345n);
    });

    it("reverts OnlyConfigOperatorOrOwner for an api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).setRebalanceAmount(1))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.payer.address);
    });
  });

  describe("setNodeConfiguration", () => {
    it("lets the owner set an entry and emits NodeConfigurationSet(key, value, false)", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.owner).setNodeConfiguration("rpc_url", "https://rpc.example"))
        .to.emit(f.diamond, "NodeConfigurationSet")
        .withArgs("rpc_url", "https://rpc.example", false);
      expect(await f.diamond.nodeConfigurationValue("rpc_url")).to.equal("https://rpc.example");
      expect(await f.diamond.nodeConfigurationKeys()).to.deep.equal(["rpc_url"]);
    });

    it("lets the config operator set an entry", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.configOperator).setNodeConfiguration("k", "v"))
        .to.emit(f.diamond, "NodeConfigurationSet")
        .withArgs("k", "v", false);
      expect(await f.diamond.nodeConfigurationValue("k")).to.equal("v");
    });

    it("reverts OnlyConfigOperatorOrOwner for the admin api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.adminPayer).setNodeConfiguration("k", "v"))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.adminPayer.address);
    });

    it("reverts OnlyConfigOperatorOrOwner for an api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).setNodeConfiguration("k", "v"))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.payer.address);
    });

    it("overwrites an existing key without adding a second entry", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setNodeConfiguration("k", "v1");
      await expect(f.diamond.setNodeConfiguration("k", "v2"))
        .to.emit(f.diamond, "NodeConfigurationSet")
        .withArgs("k", "v2", false);
      expect(await f.diamond.nodeConfigurationKeys()).to.deep.equal(["k"]);
      expect(await f.diamond.nodeConfigurationValue("k")).to.equal("v2");
    });

    it("accepts an empty value", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setNodeConfiguration("k", "");
      expect(await f.diamond.nodeConfigurationKeys()).to.deep.equal(["k"]);
      expect(await f.diamond.nodeConfigurationValue("k")).to.equal("");
    });

    it("rejects an empty key with InvalidRequest", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.setNodeConfiguration("", "v"))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("key: empty");
    });

    it("accepts a key of exactly 128 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const key = "k".repeat(128);
      await f.diamond.setNodeConfiguration(key, "v");
      expect(await f.diamond.nodeConfigurationValue(key)).to.equal("v");
    });

    it("rejects a key longer than 128 bytes with InvalidRequest", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.setNodeConfiguration("k".repeat(129), "v"))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("key: longer than 128 bytes");
    });

    it("measures the key in UTF-8 bytes, not characters", async () => {
      const f = await loadFixture(deployDiamond);
      // 65 two-byte characters = 130 bytes
      await expect(f.diamond.setNodeConfiguration("é".repeat(65), "v"))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("key: longer than 128 bytes");
    });

    it("accepts a value of exactly 1024 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const value = "v".repeat(1024);
      await f.diamond.setNodeConfiguration("k", value);
      expect(await f.diamond.nodeConfigurationValue("k")).to.equal(value);
    });

    it("rejects a value longer than 1024 bytes with InvalidRequest", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.setNodeConfiguration("k", "v".repeat(1025)))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("value: longer than 1024 bytes");
    });

    it("accepts 100 keys and rejects a 101st with InvalidRequest", async () => {
      const f = await loadFixture(deployDiamond);
      for (let i = 0; i < 100; i++) await f.diamond.setNodeConfiguration(`key-${i}`, `${i}`);
      expect((await f.diamond.nodeConfigurationKeys()).length).to.equal(100);
      await expect(f.diamond.setNodeConfiguration("key-100", "x"))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("node configuration keys: more than 100 entries");
      // overwriting an existing key at the limit is still allowed
      await f.diamond.setNodeConfiguration("key-5", "five");
      expect(await f.diamond.nodeConfigurationValue("key-5")).to.equal("five");
      expect((await f.diamond.nodeConfigurationKeys()).length).to.equal(100);
    });

    it("frees a slot under the 100-key limit when a key is removed", async () => {
      const f = await loadFixture(deployDiamond);
      for (let i = 0; i < 100; i++) await f.diamond.setNodeConfiguration(`key-${i}`, "");
      await f.diamond.removeNodeConfiguration("key-0");
      await expect(f.diamond.setNodeConfiguration("key-100", "x")).to.emit(f.diamond, "NodeConfigurationSet");
      expect((await f.diamond.nodeConfigurationKeys()).length).to.equal(100);
    });
  });

  describe("removeNodeConfiguration", () => {
    it("removes an entry and emits NodeConfigurationSet(key, \"\", true)", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setNodeConfiguration("a", "1");
      await f.diamond.setNodeConfiguration("b", "2");
      await expect(f.diamond.removeNodeConfiguration("a"))
        .to.emit(f.diamond, "NodeConfigurationSet")
        .withArgs("a", "", true);
      expect(await f.diamond.nodeConfigurationKeys()).to.deep.equal(["b"]);
      expect(await f.diamond.nodeConfigurationValue("a")).to.equal("");
      expect(await f.diamond.nodeConfigurationValues()).to.deep.equal([["b", "2"]]);
    });

    it("lets the config operator remove an entry", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setNodeConfiguration("a", "1");
      await expect(f.diamond.connect(f.configOperator).removeNodeConfiguration("a"))
        .to.emit(f.diamond, "NodeConfigurationSet")
        .withArgs("a", "", true);
      expect(await f.diamond.nodeConfigurationKeys()).to.deep.equal([]);
    });

    it("rejects an unset key with InvalidRequest", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.removeNodeConfiguration("missing"))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("key: not set");
    });

    it("rejects a key removed twice with InvalidRequest", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setNodeConfiguration("a", "1");
      await f.diamond.removeNodeConfiguration("a");
      await expect(f.diamond.removeNodeConfiguration("a"))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("key: not set");
    });

    it("reverts OnlyConfigOperatorOrOwner for an api payer", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setNodeConfiguration("a", "1");
      await expect(f.diamond.connect(f.payer).removeNodeConfiguration("a"))
        .to.be.revertedWithCustomError(f.diamond, "OnlyConfigOperatorOrOwner")
        .withArgs(f.payer.address);
    });

    it("lets a removed key be set again with a fresh value", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setNodeConfiguration("a", "1");
      await f.diamond.removeNodeConfiguration("a");
      await f.diamond.setNodeConfiguration("a", "again");
      expect(await f.diamond.nodeConfigurationValues()).to.deep.equal([["a", "again"]]);
    });
  });

  describe("node configuration views", () => {
    it("nodeConfigurationKeys lists keys in order of first set", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setNodeConfiguration("z", "1");
      await f.diamond.setNodeConfiguration("a", "2");
      await f.diamond.setNodeConfiguration("m", "3");
      await f.diamond.setNodeConfiguration("z", "4");
      expect(await f.diamond.nodeConfigurationKeys()).to.deep.equal(["z", "a", "m"]);
    });

    it("nodeConfigurationValues returns every (key, value) pair with current values", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setNodeConfiguration("z", "1");
      await f.diamond.setNodeConfiguration("a", "2");
      await f.diamond.setNodeConfiguration("z", "updated");
      const entries = await f.diamond.nodeConfigurationValues();
      expect(entries.map((e) => [e.key, e.value])).to.deep.equal([
        ["z", "updated"],
        ["a", "2"],
      ]);
    });

    it("nodeConfigurationValue returns an empty string for an unset key", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.nodeConfigurationValue("never-set")).to.equal("");
    });
  });

  describe("serverTrigger", () => {
    it("lets the owner trigger and emits ServerTriggered(value, sender)", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.owner).serverTrigger(42))
        .to.emit(f.diamond, "ServerTriggered")
        .withArgs(42n, f.owner.address);
    });

    it("lets the config operator trigger", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.configOperator).serverTrigger(1))
        .to.emit(f.diamond, "ServerTriggered")
        .withArgs(1n, f.configOperator.address);
    });

    it("lets the admin api payer trigger", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.adminPayer).serverTrigger(2))
        .to.emit(f.diamond, "ServerTriggered")
        .withArgs(2n, f.adminPayer.address);
    });

    it("lets an api payer trigger", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer2).serverTrigger(3))
        .to.emit(f.diamond, "ServerTriggered")
        .withArgs(3n, f.payer2.address);
    });

    it("reverts OnlyApiPayerOrOwner for an unprivileged address", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.users[0]).serverTrigger(4))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(f.users[0].address);
    });

    it("reverts OnlyApiPayerOrOwner for the pricing operator", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.pricingOperator).serverTrigger(5))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(f.pricingOperator.address);
    });

    it("reverts OnlyApiPayerOrOwner for a payer removed from the list", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setApiPayers([f.payer2.address]);
      await expect(f.diamond.connect(f.payer).serverTrigger(6))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(f.payer.address);
    });
  });
});
