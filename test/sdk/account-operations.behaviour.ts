/**
 * The behaviour every AccountOperations implementation shows (src/sdk/transport.ts), written once
 * and run against each transport by test/sdk/transports.test.ts: the same requests give the same
 * results (the relayer's shapes) and the same final state, and bad input is refused before it
 * changes anything. Each test works on a fresh account of its own.
 */
import { expect } from "chai";
import type { IAccountConfig } from "../../typechain-types";
import { apiKeyTextHash, cidTextHash, toHash32, type Hash32 } from "../../src/core/hashing";
import { LitSdkError, type AccountOperations, type ApiKeyItem } from "../../src/sdk";
import { usageKeyPermissions } from "./permissions";

/** An account reached through the transport under test. */
export interface Subject {
  ops: AccountOperations;
  /** The account's master hash. */
  master: Hash32;
}

export interface BehaviourContext {
  /** A fresh account, with its transport. */
  newSubject(): Promise<Subject>;
  /** The diamond, read directly (the source of truth both transports write to). */
  diamond(): IAccountConfig;
}

const CID = "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR";
const CID2 = "QmRwN9GKHvCn4Vk7biqtr6adjXMs7PzzYPCzNCRjPFiDjm";
const PAGE = { pageNumber: 0, pageSize: 10 };
const API_KEY_ITEM_FIELDS: (keyof ApiKeyItem)[] = [
  "id",
  "api_key_hash",
  "name",
  "description",
  "expiration",
  "balance",
  "can_create_groups",
  "can_delete_groups",
  "can_create_pkps",
  "can_manage_ipfs_ids_in_groups",
  "can_add_pkp_to_groups",
  "can_remove_pkp_from_groups",
  "can_execute_in_groups",
];

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

async function newGroup(ops: AccountOperations, name = "g", extra: { pkps?: string[]; cids?: string[] } = {}) {
  const { group_id } = await ops.addGroup({
    groupName: name,
    groupDescription: `${name} description`,
    pkpIdsPermitted: extra.pkps ?? [],
    cidHashesPermitted: extra.cids ?? [],
  });
  return Number(group_id);
}

export function accountOperationsBehaviour(ctx: BehaviourContext): void {
  it("a new account exists for its own session", async () => {
    const { ops } = await ctx.newSubject();
    expect(await ops.accountExists()).to.equal(true);
  });

  it("a created wallet is listed with its address in lowercase and a decimal id", async () => {
    const { ops, master } = await ctx.newSubject();
    const { wallet_address } = await ops.createWallet({ name: "w", description: "" });
    expect(wallet_address).to.match(/^0x[0-9a-f]{40}$/);
    const listed = (await ops.listWallets(PAGE)).find((w) => w.wallet_address === wallet_address);
    expect(listed, "the new wallet is listed").to.not.equal(undefined);
    expect(Object.keys(listed ?? {}).sort()).to.deep.equal(["description", "id", "name", "wallet_address"]);
    expect(listed?.id).to.match(/^[0-9]+$/);
    expect(await ctx.diamond().getWalletDerivation(master, wallet_address)).to.not.equal(0n);
  });

  it("a group is added, listed with its id as a Hash32, renamed and removed", async () => {
    const { ops, master } = await ctx.newSubject();
    const gid = await newGroup(ops, "first");
    expect(gid).to.be.greaterThan(0);
    expect(await ops.listGroups(PAGE)).to.deep.equal([
      { id: toHash32(BigInt(gid)), name: "first", description: "first description" },
    ]);
    await ops.updateGroup({ groupId: gid, name: "renamed", description: "d" });
    expect(await ops.listGroups(PAGE)).to.deep.equal([{ id: toHash32(BigInt(gid)), name: "renamed", description: "d" }]);
    await ops.removeGroup({ groupId: gid });
    expect(await ops.listGroups(PAGE)).to.deep.equal([]);
    expect((await ctx.diamond().getAccount(master)).groupCount).to.equal(0n);
  });

  it("groups are paged in a stable order: page size bounds a page, the next page continues", async () => {
    const { ops } = await ctx.newSubject();
    for (const name of ["a", "b", "c"]) await newGroup(ops, name);
    const all = await ops.listGroups(PAGE);
    expect(all.map((g) => g.name)).to.deep.equal(["a", "b", "c"]);
    const first = await ops.listGroups({ pageNumber: 0, pageSize: 2 });
    const second = await ops.listGroups({ pageNumber: 1, pageSize: 2 });
    expect([...first, ...second]).to.deep.equal(all);
    expect(first).to.have.length(2);
  });

  it("an action is registered under keccak256(utf8(cid)), renamed by that hash and deleted", async () => {
    const { ops } = await ctx.newSubject();
    await ops.addAction({ actionIpfsCid: CID, name: "hello", description: "hi" });
    const id = cidTextHash(CID);
    expect(await ops.listActions(PAGE)).to.deep.equal([{ id, name: "hello", description: "hi" }]);
    await ops.updateActionMetadata({ hashedCid: id, name: "renamed", description: "d" });
    expect(await ops.listActions(PAGE)).to.deep.equal([{ id, name: "renamed", description: "d" }]);
    await ops.deleteAction({ hashedCid: id });
    expect(await ops.listActions(PAGE)).to.deep.equal([]);
  });

  it("an action added to a group is listed in that group only, until it is removed from it", async () => {
    const { ops } = await ctx.newSubject();
    await ops.addAction({ actionIpfsCid: CID, name: "one", description: "" });
    await ops.addAction({ actionIpfsCid: CID2, name: "two", description: "" });
    const gid = await newGroup(ops);
    await ops.addActionToGroup({ groupId: gid, actionIpfsCid: CID2 });
    expect(await ops.listActions({ ...PAGE, groupId: gid })).to.deep.equal([
      { id: cidTextHash(CID2), name: "two", description: "" },
    ]);
    await ops.removeActionFromGroup({ groupId: gid, hashedCid: cidTextHash(CID2) });
    expect(await ops.listActions({ ...PAGE, groupId: gid })).to.deep.equal([]);
    expect((await ops.listActions(PAGE)).map((a) => a.name)).to.deep.equal(["one", "two"]);
  });

  it("a wallet added to a group is listed in that group until it is removed from it", async () => {
    const { ops } = await ctx.newSubject();
    const { wallet_address } = await ops.createWallet({ name: "w" });
    const gid = await newGroup(ops);
    expect(await ops.listWalletsInGroup({ ...PAGE, groupId: gid })).to.deep.equal([]);
    await ops.addPkpToGroup({ groupId: gid, pkpId: wallet_address });
    const inGroup = await ops.listWalletsInGroup({ ...PAGE, groupId: gid });
    expect(inGroup.map((w) => w.wallet_address)).to.deep.equal([wallet_address]);
    expect(inGroup[0]).to.deep.equal((await ops.listWallets(PAGE)).find((w) => w.wallet_address === wallet_address));
    await ops.removePkpFromGroup({ groupId: gid, pkpId: wallet_address });
    expect(await ops.listWalletsInGroup({ ...PAGE, groupId: gid })).to.deep.equal([]);
  });

  it("the wallets and actions a group is created with are what the diamond permits a usage key of the group", async () => {
    const { ops } = await ctx.newSubject();
    const { wallet_address } = await ops.createWallet({ name: "w" });
    await ops.addAction({ actionIpfsCid: CID, name: "a", description: "" });
    const gid = await newGroup(ops, "g", { pkps: [wallet_address], cids: [cidTextHash(CID)] });
    const { usage_api_key } = await ops.addUsageApiKey(usageKeyPermissions({ executeInGroups: [gid] }));
    const usageHash = apiKeyTextHash(usage_api_key);
    expect(await ctx.diamond().canUseWalletInAction(usageHash, cidTextHash(CID), wallet_address)).to.equal(true);
    expect(await ctx.diamond().canExecuteAction(usageHash, cidTextHash(CID2))).to.equal(false);
  });

  it("a usage key is attached to the account and listed by keccak256 of its text, with every permission field", async () => {
    const { ops, master } = await ctx.newSubject();
    const gid = await newGroup(ops);
    const added = await ops.addUsageApiKey(
      usageKeyPermissions({ name: "runner", description: "runs", canCreatePkps: true, executeInGroups: [gid] }),
    );
    expect(added.success).to.equal(true);
    const hash = apiKeyTextHash(added.usage_api_key);
    const keys = await ops.listApiKeys(PAGE);
    expect(keys).to.have.length(1);
    expect(Object.keys(keys[0]).sort()).to.deep.equal([...API_KEY_ITEM_FIELDS].sort());
    expect(keys[0]).to.deep.include({
      id: hash,
      api_key_hash: hash,
      name: "runner",
      description: "runs",
      expiration: "0",
      can_create_groups: false,
      can_delete_groups: false,
      can_create_pkps: true,
      can_manage_ipfs_ids_in_groups: [],
      can_add_pkp_to_groups: [],
      can_remove_pkp_from_groups: [],
      can_execute_in_groups: [gid],
    });
    expect((await ctx.diamond().resolveApiKeyHash(hash)).master).to.equal(BigInt(master));
  });

  it("updating a usage key named by its text replaces its permissions and keeps its name's record", async () => {
    const { ops } = await ctx.newSubject();
    const gid = await newGroup(ops);
    const { usage_api_key } = await ops.addUsageApiKey(usageKeyPermissions({ executeInGroups: [gid] }));
    await ops.updateUsageApiKey({
      ...usageKeyPermissions({ name: "k2", canCreateGroups: true, expiration: 4_102_444_800 }),
      usageApiKey: usage_api_key,
    });
    const [key] = await ops.listApiKeys(PAGE);
    expect(key).to.deep.include({
      api_key_hash: apiKeyTextHash(usage_api_key),
      name: "k2",
      can_create_groups: true,
      expiration: "4102444800",
      can_execute_in_groups: [],
    });
  });

  it("a usage key named by its 0x hash is renamed like one named by its text", async () => {
    const { ops } = await ctx.newSubject();
    const { usage_api_key } = await ops.addUsageApiKey(usageKeyPermissions());
    const hash = apiKeyTextHash(usage_api_key);
    await ops.updateUsageApiKeyMetadata({ usageApiKey: hash.toUpperCase().replace("0X", "0x"), name: "by hash", description: "h" });
    expect(await ops.listApiKeys(PAGE)).to.have.length(1);
    expect((await ops.listApiKeys(PAGE))[0]).to.deep.include({ api_key_hash: hash, name: "by hash", description: "h" });
  });

  it("a removed usage key is no longer listed and no longer permits anything", async () => {
    const { ops } = await ctx.newSubject();
    await ops.addAction({ actionIpfsCid: CID, name: "a", description: "" });
    const gid = await newGroup(ops, "g", { cids: [cidTextHash(CID)] });
    const { usage_api_key } = await ops.addUsageApiKey(usageKeyPermissions({ executeInGroups: [gid] }));
    const hash = apiKeyTextHash(usage_api_key);
    expect(await ctx.diamond().canExecuteAction(hash, cidTextHash(CID))).to.equal(true);
    await ops.removeUsageApiKey({ usageApiKey: usage_api_key });
    expect(await ops.listApiKeys(PAGE)).to.deep.equal([]);
    expect(await ctx.diamond().canExecuteAction(hash, cidTextHash(CID))).to.equal(false);
  });

  it("removing a group that does not exist fails naming GroupDoesNotExist and removes nothing", async () => {
    const { ops } = await ctx.newSubject();
    const gid = await newGroup(ops, "kept");
    const e = await rejection(ops.removeGroup({ groupId: gid + 1000 }));
    expect(e).to.be.instanceOf(LitSdkError);
    expect((e as { errorName?: unknown }).errorName).to.equal("GroupDoesNotExist");
    expect((await ops.listGroups(PAGE)).map((g) => g.name)).to.deep.equal(["kept"]);
  });

  it("a hash given where a raw CID is expected is refused and registers nothing", async () => {
    const { ops } = await ctx.newSubject();
    const e = await rejection(ops.addAction({ actionIpfsCid: cidTextHash(CID), name: "a", description: "" }));
    expect(e).to.be.instanceOf(LitSdkError);
    expect((e as Error).message).to.match(/actionIpfsCid|action_ipfs_cid/).and.to.match(/not a hash/);
    expect(await ops.listActions(PAGE)).to.deep.equal([]);
  });

  it("a usage key named by a 0x value that is not 64 hex digits is refused as a mistyped hash", async () => {
    const { ops } = await ctx.newSubject();
    await ops.addUsageApiKey(usageKeyPermissions({ name: "kept" }));
    const e = await rejection(ops.removeUsageApiKey({ usageApiKey: "0x1234" }));
    expect(e).to.be.instanceOf(LitSdkError);
    expect((e as Error).message).to.contain("64 hex digits");
    expect((await ops.listApiKeys(PAGE)).map((k) => k.name)).to.deep.equal(["kept"]);
  });
}
