/**
 * BillingFacet: pricing operator, pricing map, on-chain balances (credit / debit).
 * docs/contract-behaviour.md "Config and billing". Who may call each write is one table (roles x
 * operations, test/fixtures/role-table.ts); the other tests check what the writes do.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../fixtures/diamond";
import { aliasOf, createChainSecuredAccount, createManagedAccount, newApiKey, usageKeyArgs } from "../fixtures/support";
import { NOT_OWNER, SUCCEEDS, revertsWithSender, row, signerOf, writeRow, type WriteOperation } from "../fixtures/role-table";

/** A managed account with one usage key (own balance `usageBalance`). */
async function accountWithUsageKey(f: DiamondFixture, usageBalance = 0n) {
  const master = await createManagedAccount(f, "billing");
  const usage = newApiKey("usage");
  await f.diamond.connect(f.payer).setUsageApiKey(master, usage.hash, ...usageKeyArgs({ balance: usageBalance }));
  return { master, usage: usage.hash };
}

/** The account a balance operation is about: administered by the "account admin" role. */
async function accountOfAdmin(f: DiamondFixture, managed: boolean): Promise<bigint> {
  const admin = signerOf(f, "account admin");
  if (!managed) return createChainSecuredAccount(f, admin);
  const { hash } = newApiKey("billing-managed");
  await f.diamond.connect(f.payer).newAccount(hash, true, "billing", "", admin.address);
  return hash;
}

/** A managed account credited 900, converted to users[3] (admin1), then transferred to users[4] (admin2). */
async function convertedAndTransferredWith900(f: DiamondFixture) {
  const master = await createManagedAccount(f);
  await f.diamond.connect(f.payer).creditApiKey(master, 900);
  const [admin1, admin2] = [f.users[3], f.users[4]];
  await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin1.address);
  await f.diamond.connect(admin1).transferChainSecuredAccountOwnership(master, admin2.address);
  return { master, admin1, admin2 };
}

/** The test (shared by creditApiKey and debitApiKey) that an amount of 0 reverts InvalidRequest. */
function itRejectsZeroAmount(write: "creditApiKey" | "debitApiKey") {
  it("rejects amount 0 with InvalidRequest", async () => {
    const f = await loadFixture(deployDiamond);
    const master = await createManagedAccount(f);
    await expect(f.diamond.connect(f.payer)[write](master, 0))
      .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
      .withArgs("amount: must not be zero");
  });
}

/** The test that `call` on a hash no account resolves from reverts AccountDoesNotExist(hash). */
function itRejectsUnknownHash(call: (f: DiamondFixture, hash: bigint) => Promise<unknown>) {
  it("reverts AccountDoesNotExist for an unknown hash", async () => {
    const f = await loadFixture(deployDiamond);
    const unknown = newApiKey("unknown").hash;
    await expect(call(f, unknown))
      .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
      .withArgs(unknown);
  });
}

const setPricingOperator: WriteOperation<string> = {
  title: "setPricingOperator(new address)",
  prepare: async () => ethers.Wallet.createRandom().address,
  send: (f, sender, target) => f.diamond.connect(sender).setPricingOperator(target),
  async succeeded(f, _sender, target, tx) {
    await expect(tx).to.emit(f.diamond, "PricingOperatorUpdated").withArgs(target);
    expect(await f.diamond.pricingOperator()).to.equal(target);
  },
};

const setPricing: WriteOperation<void> = {
  title: "setPricing(7, 250)",
  prepare: async () => undefined,
  send: (f, sender) => f.diamond.connect(sender).setPricing(7, 250),
  async succeeded(f, _sender, _ctx, tx) {
    await expect(tx).to.emit(f.diamond, "PricingUpdated").withArgs(7n, 250n);
    expect(await f.diamond.getPricing(7)).to.equal(250n);
    expect(await f.diamond.pricingItemIds()).to.deep.equal([7n]);
  },
};

const creditApiKey = (managed: boolean): WriteOperation<bigint> => ({
  title: `creditApiKey(${managed ? "managed" : "ChainSecured"} account, 7)`,
  prepare: (f) => accountOfAdmin(f, managed),
  send: (f, sender, master) => f.diamond.connect(sender).creditApiKey(master, 7),
  async succeeded(f, _sender, master, tx) {
    await expect(tx).to.emit(f.diamond, "ApiKeyCredited").withArgs(master, 7n);
    expect(await f.diamond.apiKeyBalance(master)).to.equal(7n);
  },
});

const debitApiKey = (managed: boolean): WriteOperation<bigint> => ({
  title: `debitApiKey(${managed ? "managed" : "ChainSecured"} account holding 100, 1)`,
  async prepare(f) {
    const master = await accountOfAdmin(f, managed);
    await f.diamond.connect(f.payer).creditApiKey(master, 100);
    return master;
  },
  send: (f, sender, master) => f.diamond.connect(sender).debitApiKey(master, 1),
  async succeeded(f, _sender, master, tx) {
    await expect(tx).to.emit(f.diamond, "ApiKeyDebited").withArgs(master, 1n);
    expect(await f.diamond.apiKeyBalance(master)).to.equal(99n);
  },
});

const OK = SUCCEEDS;
const PRICING = revertsWithSender("OnlyPricingOperatorOrOwner");
const BALANCE = revertsWithSender("OnlyApiPayerOrPricingOperator");

describe("BillingFacet: who may call each write (roles x operations)", () => {
  //                                owner  api payer  2nd payer  admin payer  config op  pricing op  acct admin  stranger
  writeRow(setPricingOperator,  row(OK,    NOT_OWNER, NOT_OWNER, NOT_OWNER,   NOT_OWNER, NOT_OWNER,  NOT_OWNER,  NOT_OWNER));
  writeRow(setPricing,          row(OK,    PRICING,   PRICING,   PRICING,     PRICING,   OK,         PRICING,    PRICING));
  writeRow(creditApiKey(true),  row(OK,    OK,        OK,        BALANCE,     BALANCE,   OK,         BALANCE,    BALANCE));
  writeRow(creditApiKey(false), row(OK,    OK,        OK,        BALANCE,     BALANCE,   OK,         BALANCE,    BALANCE));
  writeRow(debitApiKey(true),   row(OK,    OK,        OK,        BALANCE,     BALANCE,   OK,         BALANCE,    BALANCE));
  writeRow(debitApiKey(false),  row(OK,    OK,        OK,        BALANCE,     BALANCE,   OK,         BALANCE,    BALANCE));
});

describe("BillingFacet", () => {
  describe("setPricingOperator", () => {
    it("starts with the pricing operator given to the initializer", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.pricingOperator()).to.equal(f.pricingOperator.address);
    });

    it("moves the setPricing right from the old operator to the new one", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setPricingOperator(f.users[0].address);
      await expect(f.diamond.connect(f.pricingOperator).setPricing(1, 1))
        .to.be.revertedWithCustomError(f.diamond, "OnlyPricingOperatorOrOwner")
        .withArgs(f.pricingOperator.address);
      await expect(f.diamond.connect(f.users[0]).setPricing(1, 1)).to.emit(f.diamond, "PricingUpdated").withArgs(1n, 1n);
    });
  });

  describe("setPricing", () => {
    it("overwrites an existing price without adding a second item", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setPricing(3, 10);
      await f.diamond.setPricing(3, 20);
      expect(await f.diamond.getPricing(3)).to.equal(20n);
      expect(await f.diamond.pricingItemCount()).to.equal(1n);
      expect(await f.diamond.pricingItemIds()).to.deep.equal([3n]);
    });

    it("accepts a zero price and keeps the item listed", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setPricing(5, 99);
      await expect(f.diamond.setPricing(5, 0)).to.emit(f.diamond, "PricingUpdated").withArgs(5n, 0n);
      expect(await f.diamond.getPricing(5)).to.equal(0n);
      expect(await f.diamond.pricingItemIds()).to.deep.equal([5n]);
    });
  });

  describe("pricing views", () => {
    it("getPricing returns 0 for an item never set", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.getPricing(12345)).to.equal(0n);
    });

    it("pricingItemCount and pricingItemIds list items in order of first set", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.pricingItemCount()).to.equal(0n);
      await f.diamond.setPricing(9, 1);
      await f.diamond.setPricing(0, 2);
      await f.diamond.setPricing(4, 3);
      await f.diamond.setPricing(9, 4);
      expect(await f.diamond.pricingItemCount()).to.equal(3n);
      expect(await f.diamond.pricingItemIds()).to.deep.equal([9n, 0n, 4n]);
    });

    it("pricingAt(i) returns the current price of the i-th item ever set", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setPricing(9, 1);
      await f.diamond.setPricing(0, 2);
      await f.diamond.setPricing(9, 40);
      expect(await f.diamond.pricingAt(0)).to.equal(40n);
      expect(await f.diamond.pricingAt(1)).to.equal(2n);
    });

    it("pricingAt reverts InvalidRequest for an index past the end", async () => {
      const f = await loadFixture(deployDiamond);
      await f.diamond.setPricing(1, 1);
      await expect(f.diamond.pricingAt(1))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("index: out of range");
    });

    it("pricingAt reverts InvalidRequest when no price was ever set", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.pricingAt(0))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("index: out of range");
    });
  });

  describe("creditApiKey", () => {
    it("adds successive credits", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).creditApiKey(master, 10);
      await f.diamond.connect(f.payer2).creditApiKey(master, 32);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(42n);
    });

    itRejectsZeroAmount("creditApiKey");
    itRejectsUnknownHash((f, hash) => f.diamond.connect(f.payer).creditApiKey(hash, 1));

    it("reverts AccountDoesNotExist for a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, usage } = await accountWithUsageKey(f);
      await f.diamond.connect(f.payer).removeUsageApiKey(master, usage);
      await expect(f.diamond.connect(f.payer).creditApiKey(usage, 1))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(usage);
    });

    it("credits a usage key's own balance, not its master's, and emits the usage key hash", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, usage } = await accountWithUsageKey(f, 5n);
      await expect(f.diamond.connect(f.payer).creditApiKey(usage, 10))
        .to.emit(f.diamond, "ApiKeyCredited")
        .withArgs(usage, 10n);
      expect(await f.diamond.apiKeyBalance(usage)).to.equal(15n);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(0n);
    });

    it("credits the master through an admin alias and emits the master hash", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const admin = f.users[1];
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
      const alias = aliasOf(admin.address);
      await expect(f.diamond.connect(f.payer).creditApiKey(alias, 30))
        .to.emit(f.diamond, "ApiKeyCredited")
        .withArgs(master, 30n);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(30n);
      expect(await f.diamond.apiKeyBalance(alias)).to.equal(30n);
    });

  });

  describe("debitApiKey", () => {
    it("debits the whole balance down to zero", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).creditApiKey(master, 100);
      await f.diamond.connect(f.payer).debitApiKey(master, 100);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(0n);
    });

    itRejectsZeroAmount("debitApiKey");
    itRejectsUnknownHash((f, hash) => f.diamond.connect(f.payer).debitApiKey(hash, 1));

    it("reverts InsufficientBalance(hash, amount) when the amount exceeds the balance", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).creditApiKey(master, 10);
      await expect(f.diamond.connect(f.payer).debitApiKey(master, 11))
        .to.be.revertedWithCustomError(f.diamond, "InsufficientBalance")
        .withArgs(master, 11n);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(10n);
    });

    it("reverts InsufficientBalance on an account that was never credited", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).debitApiKey(master, 1))
        .to.be.revertedWithCustomError(f.diamond, "InsufficientBalance")
        .withArgs(master, 1n);
    });

    it("debits a usage key's own balance, not its master's, and emits the usage key hash", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, usage } = await accountWithUsageKey(f, 50n);
      await f.diamond.connect(f.payer).creditApiKey(master, 1000);
      await expect(f.diamond.connect(f.payer).debitApiKey(usage, 20))
        .to.emit(f.diamond, "ApiKeyDebited")
        .withArgs(usage, 20n);
      expect(await f.diamond.apiKeyBalance(usage)).to.equal(30n);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(1000n);
    });

    it("reverts InsufficientBalance for a usage key even when its master has funds", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, usage } = await accountWithUsageKey(f, 5n);
      await f.diamond.connect(f.payer).creditApiKey(master, 1000);
      await expect(f.diamond.connect(f.payer).debitApiKey(usage, 6))
        .to.be.revertedWithCustomError(f.diamond, "InsufficientBalance")
        .withArgs(usage, 6n);
    });

    it("debits the master through an admin alias and emits the master hash", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const admin = f.users[1];
      await f.diamond.connect(f.payer).creditApiKey(master, 100);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
      await expect(f.diamond.connect(f.payer).debitApiKey(aliasOf(admin.address), 25))
        .to.emit(f.diamond, "ApiKeyDebited")
        .withArgs(master, 25n);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(75n);
    });
  });

  describe("apiKeyBalance", () => {
    it("is 0 for a new account", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(0n);
    });

    it("returns a usage key's balance as set by setUsageApiKey", async () => {
      const f = await loadFixture(deployDiamond);
      const { usage } = await accountWithUsageKey(f, 77n);
      expect(await f.diamond.apiKeyBalance(usage)).to.equal(77n);
    });

    itRejectsUnknownHash((f, hash) => f.diamond.apiKeyBalance(hash));

    it("keeps balances of different accounts apart", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f, "a");
      const b = await createManagedAccount(f, "b");
      await f.diamond.connect(f.payer).creditApiKey(a, 11);
      await f.diamond.connect(f.payer).creditApiKey(b, 22);
      expect(await f.diamond.apiKeyBalance(a)).to.equal(11n);
      expect(await f.diamond.apiKeyBalance(b)).to.equal(22n);
    });
  });

  describe("balance across account mode changes", () => {
    it("survives conversion to ChainSecured, readable by master and the new admin alias", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).creditApiKey(master, 1234);
      const admin = f.users[3];
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(1234n);
      expect(await f.diamond.apiKeyBalance(aliasOf(admin.address))).to.equal(1234n);
    });

    it("survives transfer of ChainSecured ownership, readable through the old and new aliases", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, admin1, admin2 } = await convertedAndTransferredWith900(f);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(900n);
      expect(await f.diamond.apiKeyBalance(aliasOf(admin2.address))).to.equal(900n);
      expect(await f.diamond.apiKeyBalance(aliasOf(admin1.address))).to.equal(900n);
    });

    it("still accepts debits after conversion and transfer", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, admin2 } = await convertedAndTransferredWith900(f);
      await expect(f.diamond.connect(f.payer).debitApiKey(aliasOf(admin2.address), 100))
        .to.emit(f.diamond, "ApiKeyDebited")
        .withArgs(master, 100n);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(800n);
    });

    it("keeps a usage key's own balance through conversion", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, usage } = await accountWithUsageKey(f, 44n);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, f.users[5].address);
      expect(await f.diamond.apiKeyBalance(usage)).to.equal(44n);
    });
  });

  it("uses ethers-compatible uint256 amounts at the top of the range", async () => {
    const f = await loadFixture(deployDiamond);
    const master = await createManagedAccount(f);
    await f.diamond.connect(f.payer).creditApiKey(master, ethers.MaxUint256);
    expect(await f.diamond.apiKeyBalance(master)).to.equal(ethers.MaxUint256);
    await expect(f.diamond.connect(f.payer).creditApiKey(master, 1)).to.be.revertedWithPanic(0x11);
  });
});
