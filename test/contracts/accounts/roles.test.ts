/**
 * Accounts: who may create and convert an account, and whom accountExistsAndIsMutable answers
 * true, as one table (roles x operations, test/fixtures/role-table.ts).
 * Rules: docs/contracts.md "Identity and aliasing" / "Accounts";
 * choices: docs/contract-behaviour.md "Identity" / "Accounts".
 */
import { expect } from "chai";
import type { DiamondFixture } from "../../fixtures/diamond";
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
} from "../../fixtures/role-table";
import {
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  hashText,
  newApiKey,
} from "../../fixtures/support";

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
