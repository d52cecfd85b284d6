/**
 * Shared set-up of the ownership-transfer tests (test/contracts/transfer/*.test.ts): populated
 * accounts (converted, and transferred once), two ChainSecured accounts side by side (also used
 * by exploits/wrong-sender.test.ts) and a comparable snapshot of an account's state.
 * Rules: docs/contracts.md "Accounts" (the transfer rules of seed 001);
 * choices: docs/contract-behaviour.md "Accounts" (order of checks).
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { DiamondFixture } from "../../fixtures/diamond";
import {
  createChainSecuredAccount,
  createManagedAccount,
  groupIdFrom,
  hashText,
  newApiKey,
  registerWallet,
  usageKeyArgs,
} from "../../fixtures/support";

/** A managed account with one wallet, one group (cid + wallet), a usage key executing in it, and a balance. */
export async function populatedManagedAccount(f: DiamondFixture) {
  const master = await createManagedAccount(f, "populated");
  const pkp = await registerWallet(f, f.payer, master, "w1");
  const cid = hashText("QmPopulatedAction");
  await f.diamond.connect(f.payer).addAction(master, "action", "does things", cid);
  const groupId = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g", "group", [cid], [pkp]));
  const usage = newApiKey("usage");
  await f.diamond
    .connect(f.payer)
    .setUsageApiKey(master, usage.hash, ...usageKeyArgs({ name: "runner", executeInGroups: [groupId], balance: 7 }));
  await f.diamond.connect(f.payer).creditApiKey(master, 1000);
  return { master, pkp, cid, groupId, usage };
}

/** populatedManagedAccount converted to ChainSecured with `admin` as its admin. */
export async function populatedConvertedAccount(f: DiamondFixture, admin: HardhatEthersSigner) {
  const acct = await populatedManagedAccount(f);
  await f.diamond.connect(f.payer).convertToChainSecuredAccount(acct.master, admin.address);
  return acct;
}

/** populatedConvertedAccount administered by users[0] (`admin`), then transferred to users[1] (`next`). */
export async function populatedAccountTransferred(f: DiamondFixture) {
  const [admin, next] = f.users;
  const acct = await populatedConvertedAccount(f, admin);
  await f.diamond.connect(admin).transferChainSecuredAccountOwnership(acct.master, next.address);
  return { ...acct, admin, next };
}

/** ChainSecured account `a` of users[0] (`admin`), while users[1] (`other`) administers one of its own. */
export async function chainSecuredBesideAnother(f: DiamondFixture) {
  const [admin, other] = f.users;
  const a = await createChainSecuredAccount(f, admin);
  await createChainSecuredAccount(f, other);
  return { a, admin, other };
}

/** Everything the views show about an account, JSON-encoded (bigints as strings) for comparison. */
export async function accountState(f: DiamondFixture, hash: bigint): Promise<string> {
  const d = f.diamond;
  const info = await d.getAccount(hash);
  const state = {
    counts: [info.groupCount, info.actionCount, info.walletCount, info.usageKeyCount],
    groups: await d.listGroups(hash, 0, 100),
    actions: await d.listActions(hash, 0, 100),
    wallets: await d.listPkps(hash, 0, 100),
    keys: await d.listApiKeys(hash, 0, 100),
    balance: await d.apiKeyBalance(hash),
  };
  return JSON.stringify(state, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}
