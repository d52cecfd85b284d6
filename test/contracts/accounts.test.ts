/**
 * Accounts: newAccount, newChainSecuredAccount, the account views (counts, existence, wallet,
 * snapshot, hash resolution) and convertToChainSecuredAccount. Who may create and convert an
 * account, and whom accountExistsAndIsMutable answers true, is one table (roles x operations,
 * test/fixtures/role-table.ts); the other tests check what the operations do.
 * Rules: docs/contracts.md "Identity and aliasing" / "Accounts";
 * choices: docs/contract-behaviour.md "Identity" / "Accounts".
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../fixtures/diamond";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  SUCCEEDS,
  returns,
  revertsWithSender,
  row,
  signerOf,
  viewRow,
  writeRow,
  type ViewOperation,
  type WriteOperation,
} from "../fixtures/role-table";
import {
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  groupIdFrom,
  HashKind,
  hashText,
  newApiKey,
  registerWallet,
  usageKeyArgs,
} from "../fixtures/support";

const randomAddress = () => ethers.Wallet.createRandom().address;

/** newAccount(hash, managed, "n", "d", admin) with hash and admin chosen from the sender and the "account admin" role. */
function newAccountOp(
  title: string,
  managed: boolean,
  pick: (f: DiamondFixture, sender: HardhatEthersSigner) => { hash: bigint; admin: string },
): WriteOperation<void> {
  return {
    title,
    prepare: async () => undefined,
    send: (f, sender) => {
      const { hash, admin } = pick(f, sender);
      return f.diamond.connect(sender).newAccount(hash, managed, "n", "d", admin);
    },
    async succeeded(f, sender, _ctx, tx) {
      const { hash, admin } = pick(f, sender);
      await expect(tx)
        .to.emit(f.diamond, "AccountCreated")
        .withArgs(hash, admin, managed)
        .and.to.emit(f.diamond, "AccountMetadataSet")
        .withArgs(hash, "n", "d");
      const info = await f.diamond.getAccount(hash);
      expect([info.masterApiKeyHash, info.managed, info.adminWalletAddress]).to.deep.equal([hash, managed, admin]);
    },
  };
}

const accountAdmin = (f: DiamondFixture) => signerOf(f, "account admin").address;
// hashText of a fixed text: the same hash in every generated test, unbound in each fresh fixture
const OTHER_HASH = hashText("accounts-role-table: an API key");

const managedForAdmin = newAccountOp("newAccount(API key hash, managed, wallet = account admin)", true, (f) => ({
  hash: OTHER_HASH,
  admin: accountAdmin(f),
}));
const unmanagedForAdmin = newAccountOp("newAccount(API key hash, unmanaged, admin = account admin)", false, (f) => ({
  hash: OTHER_HASH,
  admin: accountAdmin(f),
}));
const unmanagedOwn = newAccountOp("newAccount(alias(sender), unmanaged, admin = sender)", false, (_f, sender) => ({
  hash: aliasOf(sender.address),
  admin: sender.address,
}));
const managedOwn = newAccountOp("newAccount(alias(sender), managed, wallet = sender)", true, (_f, sender) => ({
  hash: aliasOf(sender.address),
  admin: sender.address,
}));
const unmanagedApiKeyForSender = newAccountOp("newAccount(API key hash, unmanaged, admin = sender)", false, (_f, sender) => ({
  hash: OTHER_HASH,
  admin: sender.address,
}));
const unmanagedAdminsAlias = newAccountOp("newAccount(alias(account admin), unmanaged, admin = account admin)", false, (f) => ({
  hash: aliasOf(accountAdmin(f)),
  admin: accountAdmin(f),
}));
const unmanagedOwnAliasForAdmin = newAccountOp("newAccount(alias(sender), unmanaged, admin = account admin)", false, (f, sender) => ({
  hash: aliasOf(sender.address),
  admin: accountAdmin(f),
}));

const newChainSecured: WriteOperation<void> = {
  title: "newChainSecuredAccount",
  prepare: async () => undefined,
  send: (f, sender) => f.diamond.connect(sender).newChainSecuredAccount("n", "d"),
  async succeeded(f, sender, _ctx, tx) {
    const hash = aliasOf(sender.address);
    await expect(tx).to.emit(f.diamond, "AccountCreated").withArgs(hash, sender.address, false);
    expect((await f.diamond.getAccount(hash)).adminWalletAddress).to.equal(sender.address);
  },
};

const convert: WriteOperation<bigint> = {
  title: "convertToChainSecuredAccount(managed account whose wallet is the account admin, account admin)",
  async prepare(f) {
    const { hash } = newApiKey("convert");
    await f.diamond.connect(f.payer).newAccount(hash, true, "n", "", accountAdmin(f));
    return hash;
  },
  send: (f, sender, master) => f.diamond.connect(sender).convertToChainSecuredAccount(master, accountAdmin(f)),
  async succeeded(f, _sender, master, tx) {
    await expect(tx).to.emit(f.diamond, "AccountConvertedToChainSecured").withArgs(master, accountAdmin(f));
    const info = await f.diamond.getAccount(master);
    expect([info.managed, info.adminWalletAddress]).to.deep.equal([false, accountAdmin(f)]);
  },
};

/** accountExistsAndIsMutable / accountExists of a hash of an account administered by the account admin. */
function existenceView(
  title: string,
  view: "accountExistsAndIsMutable" | "accountExists",
  prepare: (f: DiamondFixture) => Promise<bigint>,
): ViewOperation<bigint> {
  return { title: `${view}(${title})`, prepare, ask: (f, sender, hash) => f.diamond.connect(sender)[view](hash) };
}

async function managedMaster(f: DiamondFixture): Promise<bigint> {
  const { hash } = newApiKey("mutable-managed");
  await f.diamond.connect(f.payer).newAccount(hash, true, "n", "", accountAdmin(f));
  return hash;
}
const chainSecuredMaster = (f: DiamondFixture) => createChainSecuredAccount(f, signerOf(f, "account admin"));
async function convertedAdminAlias(f: DiamondFixture): Promise<bigint> {
  const master = await createManagedAccount(f, "mutable-converted");
  await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, accountAdmin(f));
  return aliasOf(accountAdmin(f));
}

const OK = SUCCEEDS;
const PAYER = revertsWithSender("OnlyApiPayerOrOwner");
const T = returns(true);
const F = returns(false);

describe("Accounts: who may create and convert an account, and whom it is mutable for (roles x operations)", () => {
  //                                   owner  api payer  2nd payer  admin payer  config op  pricing op  acct admin  stranger
  writeRow(managedForAdmin,           row(OK,    OK,        OK,        PAYER,       PAYER,     PAYER,      PAYER,      PAYER));
  writeRow(unmanagedForAdmin,         row(OK,    OK,        OK,        PAYER,       PAYER,     PAYER,      PAYER,      PAYER));
  writeRow(unmanagedOwn,              row(OK,    OK,        OK,        OK,          OK,        OK,         OK,         OK));
  writeRow(managedOwn,                row(OK,    OK,        OK,        PAYER,       PAYER,     PAYER,      PAYER,      PAYER));
  writeRow(unmanagedApiKeyForSender,  row(OK,    OK,        OK,        PAYER,       PAYER,     PAYER,      PAYER,      PAYER));
  writeRow(unmanagedAdminsAlias,      row(OK,    OK,        OK,        PAYER,       PAYER,     PAYER,      OK,         PAYER));
  writeRow(unmanagedOwnAliasForAdmin, row(OK,    OK,        OK,        PAYER,       PAYER,     PAYER,      OK,         PAYER));
  writeRow(newChainSecured,           row(OK,    OK,        OK,        OK,          OK,        OK,         OK,         OK));
  writeRow(convert,                   row(OK,    OK,        OK,        PAYER,       PAYER,     PAYER,      PAYER,      PAYER));

  const mutable = (title: string, prepare: (f: DiamondFixture) => Promise<bigint>) => existenceView(title, "accountExistsAndIsMutable", prepare);
  const exists = (title: string, prepare: (f: DiamondFixture) => Promise<bigint>) => existenceView(title, "accountExists", prepare);
  viewRow(mutable("managed master", managedMaster),          row(T, T, T, F, F, F, F, F));
  viewRow(mutable("ChainSecured master", chainSecuredMaster), row(F, F, F, F, F, F, T, F));
  viewRow(mutable("admin alias", convertedAdminAlias),        row(F, F, F, F, F, F, T, F));
  viewRow(exists("managed master", managedMaster),            row(T, T, T, T, T, T, T, T));
  viewRow(exists("ChainSecured master", chainSecuredMaster),  row(T, T, T, T, T, T, T, T));
});

describe("Accounts", () => {
  describe("newAccount by an api payer", () => {
    it("creates a managed account with its admin wallet, name and description", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const wallet = randomAddress();
      await f.diamond.connect(f.payer).newAccount(hash, true, "My App", "desc", wallet);
      const info = await f.diamond.getAccount(hash);
      expect(info.masterApiKeyHash).to.equal(hash);
      expect(info.managed).to.equal(true);
      expect(info.adminWalletAddress).to.equal(wallet);
      expect(info.name).to.equal("My App");
      expect(info.description).to.equal("desc");
      expect(info.groupCount).to.equal(0n);
      expect(info.actionCount).to.equal(0n);
      expect(info.walletCount).to.equal(0n);
      expect(info.usageKeyCount).to.equal(0n);
    });

    it("emits AccountCreated and AccountMetadataSet for a managed account", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const wallet = randomAddress();
      await expect(f.diamond.connect(f.payer).newAccount(hash, true, "n", "d", wallet))
        .to.emit(f.diamond, "AccountCreated")
        .withArgs(hash, wallet, true)
        .and.to.emit(f.diamond, "AccountMetadataSet")
        .withArgs(hash, "n", "d");
    });

    it("does not bind an admin alias for a managed account", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const wallet = randomAddress();
      await expect(f.diamond.connect(f.payer).newAccount(hash, true, "n", "", wallet)).not.to.emit(
        f.diamond,
        "AdminAliasBound",
      );
      const [master, kind] = await f.diamond.resolveApiKeyHash(aliasOf(wallet));
      expect(master).to.equal(0n);
      expect(kind).to.equal(HashKind.None);
    });

    it("creates an unmanaged account and binds the admin alias to its master", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const admin = f.users[0].address;
      await expect(f.diamond.connect(f.payer).newAccount(hash, false, "n", "d", admin))
        .to.emit(f.diamond, "AccountCreated")
        .withArgs(hash, admin, false)
        .and.to.emit(f.diamond, "AdminAliasBound")
        .withArgs(hash, aliasOf(admin), admin);
      const [master, kind] = await f.diamond.resolveApiKeyHash(aliasOf(admin));
      expect(master).to.equal(hash);
      expect(kind).to.equal(HashKind.AdminAlias);
      expect((await f.diamond.getAccount(hash)).managed).to.equal(false);
    });

    it("does not emit AdminAliasBound when the unmanaged account's hash is its admin alias", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0].address;
      await expect(f.diamond.connect(f.payer).newAccount(aliasOf(admin), false, "n", "", admin)).not.to.emit(
        f.diamond,
        "AdminAliasBound",
      );
      const [master, kind] = await f.diamond.resolveApiKeyHash(aliasOf(admin));
      expect(master).to.equal(aliasOf(admin));
      expect(kind).to.equal(HashKind.Master);
    });

  });

  describe("newAccount validation", () => {
    it("reverts AccountAlreadyExists(hash) when the hash is already a master", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).newAccount(master, true, "again", "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(master);
    });

    it("reverts AccountAlreadyExists(hash) when the hash is a usage key of another account", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(master, usage.hash, ...usageKeyArgs());
      await expect(f.diamond.connect(f.payer).newAccount(usage.hash, true, "n", "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(usage.hash);
    });

    it("reverts AccountAlreadyExists(hash) when the hash is a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(master, usage.hash, ...usageKeyArgs());
      await f.diamond.connect(f.payer).removeUsageApiKey(master, usage.hash);
      await expect(f.diamond.connect(f.payer).newAccount(usage.hash, true, "n", "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(usage.hash);
    });

    it("reverts AccountAlreadyExists(hash) when the hash is an admin alias of another account", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const admin = f.users[0];
      await f.diamond.connect(f.payer).newAccount(hash, false, "n", "", admin.address);
      // the admin tries to self-create with its own alias, which already points at `hash`
      await expect(f.diamond.connect(admin).newChainSecuredAccount("n", ""))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin.address));
    });

    it("reverts AccountAlreadyExists(alias) when an unmanaged account's admin alias is already bound", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0].address;
      await f.diamond.connect(f.payer).newAccount(newApiKey().hash, false, "first", "", admin);
      const second = newApiKey().hash;
      await expect(f.diamond.connect(f.payer).newAccount(second, false, "second", "", admin))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin));
      expect(await f.diamond.accountExistsAndIsMutable(second)).to.equal(false);
    });

    it("allows a managed account whose wallet already administers an unmanaged account", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      await createChainSecuredAccount(f, admin);
      const { hash } = newApiKey();
      await f.diamond.connect(f.payer).newAccount(hash, true, "n", "", admin.address);
      expect(await f.diamond.getAccountWalletAddress(hash)).to.equal(admin.address);
      // the alias still points at the ChainSecured account
      expect((await f.diamond.resolveApiKeyHash(aliasOf(admin.address)))[0]).to.equal(aliasOf(admin.address));
    });

    it("reverts InvalidRequest when the hash is zero", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).newAccount(0, true, "n", "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("apiKeyHash: must not be zero");
    });

    it("reverts InvalidRequest when the admin wallet is the zero address", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).newAccount(newApiKey().hash, true, "n", "", ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("adminWalletAddress: zero address");
    });

    it("accepts a name of exactly 128 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      await f.diamond.connect(f.payer).newAccount(hash, true, "n".repeat(128), "", randomAddress());
      expect((await f.diamond.getAccount(hash)).name).to.equal("n".repeat(128));
    });

    it("reverts InvalidRequest when the name is longer than 128 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).newAccount(newApiKey().hash, true, "n".repeat(129), "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("measures the name in UTF-8 bytes, not characters", async () => {
      const f = await loadFixture(deployDiamond);
      const name = "€".repeat(43); // 43 characters, 129 bytes
      await expect(f.diamond.connect(f.payer).newAccount(newApiKey().hash, true, name, "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("accepts a description of exactly 1024 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      await f.diamond.connect(f.payer).newAccount(hash, true, "n", "d".repeat(1024), randomAddress());
      expect((await f.diamond.getAccount(hash)).description).to.equal("d".repeat(1024));
    });

    it("reverts InvalidRequest when the description is longer than 1024 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).newAccount(newApiKey().hash, true, "n", "d".repeat(1025), randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });

    it("checks the sender before validating the input", async () => {
      const f = await loadFixture(deployDiamond);
      const user = f.users[0];
      await expect(f.diamond.connect(user).newAccount(0, true, "n", "", ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(user.address);
    });
  });

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

  describe("accountCount and indexToAccountHashAt", () => {
    it("starts with no accounts", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.accountCount()).to.equal(0n);
    });

    it("lists accounts in creation order across both kinds", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createChainSecuredAccount(f, f.users[0]);
      const c = await createManagedAccount(f);
      expect(await f.diamond.accountCount()).to.equal(3n);
      expect(await f.diamond.indexToAccountHashAt(0)).to.equal(a);
      expect(await f.diamond.indexToAccountHashAt(1)).to.equal(b);
      expect(await f.diamond.indexToAccountHashAt(2)).to.equal(c);
    });

    it("does not count a reverted creation", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).newAccount(a, true, "dup", "", randomAddress())).to.be.reverted;
      expect(await f.diamond.accountCount()).to.equal(1n);
    });

    it("does not count usage keys or aliases as accounts", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await f.diamond.connect(f.payer).setUsageApiKey(a, newApiKey().hash, ...usageKeyArgs());
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[0].address);
      expect(await f.diamond.accountCount()).to.equal(1n);
    });

    it("reverts InvalidRequest for an index equal to accountCount", async () => {
      const f = await loadFixture(deployDiamond);
      await createManagedAccount(f);
      await expect(f.diamond.indexToAccountHashAt(1))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("index: out of range");
    });

    it("reverts InvalidRequest for index 0 when there are no accounts", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.indexToAccountHashAt(0))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("index: out of range");
    });
  });

  describe("accountExistsAndIsMutable", () => {
    it("is true for an active usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      expect(await f.diamond.accountExistsAndIsMutable(usage.hash)).to.equal(true);
    });

    it("is false for a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      await f.diamond.connect(f.payer).removeUsageApiKey(a, usage.hash);
      expect(await f.diamond.accountExistsAndIsMutable(usage.hash)).to.equal(false);
    });

    it("is false for an unknown hash and for zero", async () => {
      const f = await loadFixture(deployDiamond);
      await createManagedAccount(f);
      expect(await f.diamond.accountExistsAndIsMutable(hashText("nobody"))).to.equal(false);
      expect(await f.diamond.accountExistsAndIsMutable(0)).to.equal(false);
    });
  });

  describe("getAccountWalletAddress", () => {
    it("returns the wallet of a managed account", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const wallet = randomAddress();
      await f.diamond.connect(f.payer).newAccount(hash, true, "n", "", wallet);
      expect(await f.diamond.getAccountWalletAddress(hash)).to.equal(wallet);
    });

    it("returns the admin of a ChainSecured account when asked through a usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const a = await createChainSecuredAccount(f, admin);
      const usage = newApiKey();
      await f.diamond.connect(admin).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      expect(await f.diamond.getAccountWalletAddress(usage.hash)).to.equal(admin.address);
    });

    it("reverts AccountDoesNotExist for an unknown hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("unknown");
      await expect(f.diamond.getAccountWalletAddress(unknown))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });
  });

  describe("getAccount", () => {
    it("counts groups, actions, wallets and usage keys", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const pkp = await registerWallet(f, f.payer, a);
      await registerWallet(f, f.payer, a);
      const cid = hashText("QmCid");
      await f.diamond.connect(f.payer).addGroup(a, "g", "", [cid], [pkp]);
      await f.diamond.connect(f.payer).addAction(a, "other", "", hashText("QmOther"));
      await f.diamond.connect(f.payer).setUsageApiKey(a, newApiKey().hash, ...usageKeyArgs());
      const info = await f.diamond.getAccount(a);
      expect(info.groupCount).to.equal(1n);
      expect(info.actionCount).to.equal(2n);
      expect(info.walletCount).to.equal(2n);
      expect(info.usageKeyCount).to.equal(1n);
    });

    it("returns the master's snapshot when asked through an admin alias", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const admin = f.users[0].address;
      await f.diamond.connect(f.payer).newAccount(hash, false, "n", "d", admin);
      const info = await f.diamond.getAccount(aliasOf(admin));
      expect(info.masterApiKeyHash).to.equal(hash);
      expect(info.adminWalletAddress).to.equal(admin);
    });

    it("returns the master's snapshot when asked through a usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f, "acct");
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      const info = await f.diamond.getAccount(usage.hash);
      expect(info.masterApiKeyHash).to.equal(a);
      expect(info.name).to.equal("acct");
    });

    it("reverts AccountDoesNotExist for an unknown hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("unknown");
      await expect(f.diamond.getAccount(unknown))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });

    it("reverts AccountDoesNotExist for a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      await f.diamond.connect(f.payer).removeUsageApiKey(a, usage.hash);
      await expect(f.diamond.getAccount(usage.hash))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(usage.hash);
    });
  });

  describe("resolveApiKeyHash", () => {
    it("returns (0, None) for an unknown hash", async () => {
      const f = await loadFixture(deployDiamond);
      const [master, kind] = await f.diamond.resolveApiKeyHash(hashText("unknown"));
      expect(master).to.equal(0n);
      expect(kind).to.equal(HashKind.None);
    });

    it("returns (master, Master) for a master hash", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const [master, kind] = await f.diamond.resolveApiKeyHash(a);
      expect(master).to.equal(a);
      expect(kind).to.equal(HashKind.Master);
    });

    it("returns (master, UsageKey) for a usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      const [master, kind] = await f.diamond.resolveApiKeyHash(usage.hash);
      expect(master).to.equal(a);
      expect(kind).to.equal(HashKind.UsageKey);
    });

    it("returns (master, AdminAlias) for an admin alias", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      await f.diamond.connect(f.payer).newAccount(hash, false, "n", "", f.users[0].address);
      const [master, kind] = await f.diamond.resolveApiKeyHash(aliasOf(f.users[0].address));
      expect(master).to.equal(hash);
      expect(kind).to.equal(HashKind.AdminAlias);
    });

    it("returns (0, RemovedUsageKey) for a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      await f.diamond.connect(f.payer).removeUsageApiKey(a, usage.hash);
      const [master, kind] = await f.diamond.resolveApiKeyHash(usage.hash);
      expect(master).to.equal(0n);
      expect(kind).to.equal(HashKind.RemovedUsageKey);
    });
  });

  describe("convertToChainSecuredAccount", () => {
    it("flips managed to false and sets the new admin", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const admin = f.users[0].address;
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, admin);
      const info = await f.diamond.getAccount(a);
      expect(info.managed).to.equal(false);
      expect(info.adminWalletAddress).to.equal(admin);
      expect(info.masterApiKeyHash).to.equal(a);
      expect(await f.diamond.getAccountWalletAddress(a)).to.equal(admin);
    });

    it("emits AccountConvertedToChainSecured and AdminAliasBound with the master hash", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const admin = f.users[0].address;
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(a, admin))
        .to.emit(f.diamond, "AccountConvertedToChainSecured")
        .withArgs(a, admin)
        .and.to.emit(f.diamond, "AdminAliasBound")
        .withArgs(a, aliasOf(admin), admin);
    });

    it("binds alias(newAdmin) to the master as an AdminAlias", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const admin = f.users[0].address;
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, admin);
      const [master, kind] = await f.diamond.resolveApiKeyHash(aliasOf(admin));
      expect(master).to.equal(a);
      expect(kind).to.equal(HashKind.AdminAlias);
      expect(await f.diamond.connect(f.users[0]).accountExistsAndIsMutable(aliasOf(admin))).to.equal(true);
    });

    it("keeps the master hash a Master binding", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[0].address);
      const [master, kind] = await f.diamond.resolveApiKeyHash(a);
      expect(master).to.equal(a);
      expect(kind).to.equal(HashKind.Master);
    });

    it("reverts InvalidRequest when the new admin is the zero address", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(a, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("newAdminWalletAddress: zero address");
    });

    it("reverts AccountDoesNotExist for an unknown hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("unknown");
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(unknown, f.users[0].address))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });

    it("reverts AccountDoesNotExist for a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      await f.diamond.connect(f.payer).removeUsageApiKey(a, usage.hash);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(usage.hash, f.users[0].address))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(usage.hash);
    });

    it("reverts NotMasterAccount when given a usage key hash", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(usage.hash, f.users[0].address))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(usage.hash);
      expect((await f.diamond.getAccount(a)).managed).to.equal(true);
    });

    it("reverts NotMasterAccount when given an admin alias", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[0].address);
      const alias = aliasOf(f.users[0].address);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(alias, f.users[1].address))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(alias);
    });

    it("reverts InvalidRequest when the account is already ChainSecured (one way only)", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[0].address);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[1].address))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("account is already ChainSecured");
      expect(await f.diamond.getAccountWalletAddress(a)).to.equal(f.users[0].address);
    });

    it("reverts InvalidRequest for an account created ChainSecured", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createChainSecuredAccount(f, f.users[0]);
      await expect(f.diamond.connect(f.owner).convertToChainSecuredAccount(a, f.users[1].address))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("account is already ChainSecured");
    });

    it("reverts AccountAlreadyExists(alias) when the new admin already owns a ChainSecured account", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const admin = f.users[0];
      await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(a, admin.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin.address));
      const info = await f.diamond.getAccount(a);
      expect(info.managed).to.equal(true);
    });

    it("reverts AccountAlreadyExists(alias) when the new admin already administers a converted account", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createManagedAccount(f);
      const admin = f.users[0].address;
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, admin);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(b, admin))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin));
    });

    it("keeps groups, wallets, actions, usage keys and balance", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const pkp = await registerWallet(f, f.payer, a);
      const cid = hashText("QmKeep");
      const gid = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(a, "g", "", [cid], [pkp]));
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs({ executeInGroups: [gid] }));
      await f.diamond.connect(f.payer).creditApiKey(a, 500);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[0].address);
      const info = await f.diamond.getAccount(a);
      expect([info.groupCount, info.actionCount, info.walletCount, info.usageKeyCount]).to.deep.equal([1n, 1n, 1n, 1n]);
      expect(await f.diamond.apiKeyBalance(a)).to.equal(500n);
      expect(await f.diamond.canUseWalletInAction(usage.hash, cid, pkp)).to.equal(true);
    });
  });
});
