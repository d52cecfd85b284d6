/**
 * Seed 000's API workflow over HTTP against a real relayer and the in-process chain: new account,
 * verify, usage key with permissions, wallet, group, action, pkp to group; every list shape; the
 * on-chain state agrees; permission failures cost no gas.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { usageKeyBody } from "../../../scripts/lib/http-json";
import { startHarness, type Harness } from "./relayer-harness";

const CID = "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR";
const CID_HASH = "0x8c4105ec0937f0fc27873d0af1dd93b35f6ee096ec93d173c629fb17c4abf22f";
const HEX64 = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;

describe("relayer: seed 000 workflow over HTTP (real chain, SQLite)", function () {
  this.timeout(120_000);
  let h: Harness;
  let apiKey: string;
  let accountWallet: string;
  let wallet: string;
  let groupId: string;
  let usageKey: string;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it("creates an account and returns its key once with the account wallet", async () => {
    const res = await h.call("POST", "/core/v1/new_account", { body: { account_name: "My App", account_description: "seed 000" } });
    expect(res.statusCode, res.body).to.equal(200);
    const body = res.json() as { api_key: string; wallet_address: string };
    expect(body.api_key).to.match(/^[A-Za-z0-9+/]{43}=$/);
    expect(body.wallet_address).to.match(ADDRESS);
    apiKey = body.api_key;
    accountWallet = body.wallet_address;
    const master = ethers.keccak256(ethers.toUtf8Bytes(apiKey));
    expect((await h.f.diamond.getAccountWalletAddress(master)).toLowerCase()).to.equal(accountWallet);
  });

  it("verifies the account with account_exists", async () => {
    const res = await h.call("GET", "/core/v1/account_exists", { key: apiKey });
    expect(res.statusCode).to.equal(200);
    expect(res.json()).to.equal(true);
  });

  it("creates a wallet registered to the account", async () => {
    const res = await h.call("GET", "/core/v1/create_wallet", { key: apiKey });
    expect(res.statusCode, res.body).to.equal(200);
    wallet = (res.json() as { wallet_address: string }).wallet_address;
    expect(wallet).to.match(ADDRESS);
    const master = ethers.keccak256(ethers.toUtf8Bytes(apiKey));
    expect(await h.f.diamond.getWalletDerivation(master, wallet)).to.not.equal(0n);
  });

  it("adds a group with the wallet and reads its id from the GroupAdded event", async () => {
    const res = await h.call("POST", "/core/v1/add_group", {
      key: apiKey,
      body: { group_name: "oracle", group_description: "", pkp_ids_permitted: [wallet], cid_hashes_permitted: [] },
    });
    expect(res.statusCode, res.body).to.equal(200);
    const body = res.json() as { success: boolean; group_id: string };
    expect(body.success).to.equal(true);
    expect(body.group_id).to.match(/^[1-9][0-9]*$/);
    groupId = body.group_id;
  });

  it("registers an action by raw CID and adds it to the group", async () => {
    let res = await h.call("POST", "/core/v1/add_action", { key: apiKey, body: { action_ipfs_cid: CID, name: "hello", description: "hi" } });
    expect(res.statusCode, res.body).to.equal(200);
    res = await h.call("POST", "/core/v1/add_action_to_group", { key: apiKey, body: { group_id: Number(groupId), action_ipfs_cid: CID } });
    expect(res.statusCode, res.body).to.equal(200);
  });

  it("mints a usage key that may execute in the group, and the chain agrees", async () => {
    const res = await h.call("POST", "/core/v1/add_usage_api_key", {
      key: apiKey,
      body: usageKeyBody({ execute_in_groups: [Number(groupId)] }, "runner", ""),
    });
    expect(res.statusCode, res.body).to.equal(200);
    usageKey = (res.json() as { usage_api_key: string }).usage_api_key;
    const usageHash = ethers.keccak256(ethers.toUtf8Bytes(usageKey));
    expect(await h.f.diamond.canUseWalletInAction(usageHash, CID_HASH, wallet)).to.equal(true);
  });

  it("lists groups, actions, wallets, wallets in group and usage keys in the hosted shapes", async () => {
    const groups = (await h.call("GET", "/core/v1/list_groups?page_number=0&page_size=10", { key: apiKey })).json() as { id: string; name: string }[];
    expect(groups).to.have.length(1);
    expect(groups[0].id).to.match(HEX64);
    expect(BigInt(groups[0].id)).to.equal(BigInt(groupId));
    const actions = (await h.call("GET", "/core/v1/list_actions?page_number=0&page_size=10", { key: apiKey })).json() as { id: string; name: string }[];
    expect(actions).to.deep.equal([{ id: CID_HASH, name: "hello", description: "hi" }]);
    const wallets = (await h.call("GET", "/core/v1/list_wallets?page_number=0&page_size=10", { key: apiKey })).json() as { id: string; wallet_address: string; name: string }[];
    expect(wallets.map((w) => w.wallet_address).sort()).to.deep.equal([accountWallet, wallet].sort());
    expect(wallets.find((w) => w.wallet_address === accountWallet)?.name).to.equal("AMW");
    for (const w of wallets) expect(w.id).to.match(/^[1-9][0-9]*$/);
    const inGroup = (await h.call("GET", `/core/v1/list_wallets_in_group?group_id=${groupId}&page_number=0&page_size=10`, { key: apiKey })).json() as { wallet_address: string }[];
    expect(inGroup.map((w) => w.wallet_address)).to.deep.equal([wallet]);
    const keys = (await h.call("GET", "/core/v1/list_api_keys?page_number=0&page_size=10", { key: apiKey })).json() as Record<string, unknown>[];
    expect(keys).to.have.length(1);
    expect(keys[0].api_key_hash).to.equal(ethers.keccak256(ethers.toUtf8Bytes(usageKey)));
    expect(keys[0].can_execute_in_groups).to.deep.equal([Number(groupId)]);
    expect(keys[0].expiration).to.equal("0");
  });

  it("refuses a usage key without the permission with 403 before spending gas", async () => {
    const payers = (await h.call("GET", "/core/v1/get_api_payers")).json() as string[];
    const nonces = await Promise.all(payers.map((p) => ethers.provider.getTransactionCount(p)));
    const res = await h.call("POST", "/core/v1/add_group", {
      key: usageKey,
      body: { group_name: "x", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
    });
    expect(res.statusCode, res.body).to.equal(403);
    expect(await Promise.all(payers.map((p) => ethers.provider.getTransactionCount(p)))).to.deep.equal(nonces);
  });

  it("refuses the old master key for writes once the account is ChainSecured", async () => {
    const master = ethers.keccak256(ethers.toUtf8Bytes(apiKey));
    const admin = h.f.users[0];
    await (await h.f.diamond.connect(h.f.owner).convertToChainSecuredAccount(master, admin.address)).wait();
    await h.relayer.chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    const res = await h.call("POST", "/core/v1/add_group", {
      key: apiKey,
      body: { group_name: "y", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
    });
    expect(res.statusCode, res.body).to.equal(403);
    const exists = await h.call("GET", "/core/v1/account_exists", { key: apiKey });
    expect(exists.json()).to.equal(true);
  });

  it("exports payer balances, nonce gaps, in-flight counts and indexer lag on /metrics", async () => {
    const res = await h.call("GET", "/metrics");
    expect(res.statusCode).to.equal(200);
    for (const name of ["relayer_payer_balance_wei", "relayer_payer_nonce_gap", "relayer_indexer_lag_blocks", "relayer_indexed_block", "relayer_write_batching"]) {
      expect(res.body).to.contain(name);
    }
    const payers = (await h.call("GET", "/core/v1/get_api_payers")).json() as string[];
    expect(res.body).to.match(new RegExp(`relayer_payer_nonce_gap\\{payer="${payers[0]}"\\} 0`));
  });
});
