/**
 * The authority rules of issue 13 over HTTP, against a real relayer (SQLite, indexer, writer,
 * dev billing) on the in-process chain: the relayer's pre-checks answer as the contract does
 * (docs/contract-behaviour.md "Authority follows the current owner", "Only the master makes code
 * runnable", "A wallet can always reclaim its own alias").
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { litActionCid, pkpAddress } from "../../../src/core";
import { chainSecuredTypedData, type WalletFlow } from "../../../src/relayer/services/wallet-signatures";
import { startHarness, type Harness } from "./relayer-harness";

const ZERO_HASH = `0x${"0".repeat(64)}`;
const READ_KEY = `async function main({ pkpId }) {
  const key = await Lit.Actions.getPrivateKey({ pkpId });
  return { address: new ethers.Wallet(key).address.toLowerCase() };
}`;
const HELLO = "async function main() { return 'hello from the old key'; }";

const cidHash = (cid: string): string => ethers.keccak256(ethers.toUtf8Bytes(cid));
const keyHash = (key: string): string => ethers.keccak256(ethers.toUtf8Bytes(key));

let issued = 0;
async function sign(signer: HardhatEthersSigner, flow: WalletFlow) {
  issued = Math.max(Math.floor(Date.now() / 1000), issued + 1);
  const typed = chainSecuredTypedData(flow, signer.address, 31337, issued);
  const signature = await signer.signTypedData(typed.domain, { [flow]: typed.types[flow] }, typed.message);
  return { typed_data: typed, signature };
}

describe("authority rules over HTTP (real relayer and chain)", function () {
  this.timeout(300_000);
  let h: Harness;
  let derivation = 0x5eed00n;

  const sync = async () => h.relayer.chain.indexer.syncTo(await ethers.provider.getBlockNumber());
  const post = async (path: string, key: string | undefined, body: unknown) => h.call("POST", `/core/v1${path}`, { key, body });
  const ok = async (path: string, key: string | undefined, body: unknown) => {
    const res = await post(path, key, body);
    expect(res.statusCode, `${path}: ${res.body}`).to.equal(200);
    return res.json() as Record<string, string>;
  };
  const credit = async (key: string): Promise<number> => {
    const res = await h.call("GET", "/core/v1/billing/balance", { key });
    expect(res.statusCode, res.body).to.equal(200);
    return -(res.json() as { balance_cents: number }).balance_cents;
  };
  const newManaged = async () => {
    const r = await ok("/new_account", undefined, { account_name: "a", account_description: "" });
    return { key: r.api_key, master: keyHash(r.api_key), amw: r.wallet_address };
  };
  /** A wallet the server derives for `master`, registered on-chain by `admin` (a ChainSecured admin). */
  const registerServerWallet = async (admin: HardhatEthersSigner, master: string): Promise<string> => {
    const d = ++derivation;
    const pkp = pkpAddress(h.relayer.config.rootSecret, master, d);
    await (await h.f.diamond.connect(admin).registerWalletDerivation(master, pkp, d, "new admin's wallet", "")).wait();
    return pkp;
  };

  before(async () => {
    h = await startHarness({ BILLING_PROVIDER: "dev", LIT_ACTION_TIMEOUT_MS: "5000" });
  });
  after(async () => {
    await h?.close();
  });

  describe("authority follows the current owner", () => {
    it("the old API key of a converted account runs actions while the converted wallet is the admin", async () => {
      const { key, master } = await newManaged();
      const [w1] = [h.f.users[0]];
      await (await h.f.diamond.connect(h.f.owner).convertToChainSecuredAccount(master, w1.address)).wait();
      const pkp = await registerServerWallet(w1, master);
      await sync();
      const res = await post("/lit_action", key, { code: READ_KEY, js_params: { pkpId: pkp } });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.deep.include({ has_error: false, response: { address: pkp } });
    });

    it("after a transfer the old API key cannot read the new admin's wallet key (403) and spends no credit", async () => {
      const { key, master, amw } = await newManaged();
      const [w1, w2] = [h.f.users[1], h.f.users[2]];
      await (await h.f.diamond.connect(h.f.owner).convertToChainSecuredAccount(master, w1.address)).wait();
      await (await h.f.diamond.connect(w1).transferChainSecuredAccountOwnership(master, w2.address)).wait();
      const pkp = await registerServerWallet(w2, master);
      await sync();
      const before = await credit(key); // the old key still reads
      for (const pkpId of [pkp, amw]) {
        const res = await post("/lit_action", key, { code: READ_KEY, js_params: { pkpId } });
        expect(res.statusCode, res.body).to.equal(403);
        expect(res.json()).to.include({ code: "NotAllowedToExecuteAction" });
      }
      const hello = await post("/lit_action", key, { code: HELLO });
      expect(hello.statusCode, hello.body).to.equal(403);
      expect(await credit(key)).to.equal(before);
      expect(await h.f.diamond.canUseWalletInAction(master, cidHash(await litActionCid(READ_KEY)), pkp)).to.equal(false);
    });
  });

  describe("only the master makes code runnable", () => {
    /** A usage key with can_create_groups, manage rights everywhere and execute rights in a [0] group. */
    async function wildcardRunner() {
      const { key, master, amw } = await newManaged();
      const wildcard = (await ok("/add_group", key, {
        group_name: "all actions",
        group_description: "",
        pkp_ids_permitted: [amw],
        cid_hashes_permitted: [ZERO_HASH],
      })).group_id;
      const usage = (await ok("/add_usage_api_key", key, {
        name: "runner",
        description: "",
        can_create_groups: true,
        can_delete_groups: false,
        can_create_pkps: false,
        manage_ipfs_ids_in_groups: [0],
        add_pkp_to_groups: [],
        remove_pkp_from_groups: [],
        execute_in_groups: [Number(wildcard)],
      })).usage_api_key;
      return { key, master, amw, wildcard: Number(wildcard), usage };
    }

    it("a usage key's add_group listing its own unregistered code is 403 NotMasterAccount; the code stays unrunnable", async () => {
      const { master, amw, usage } = await wildcardRunner();
      const own = { code: READ_KEY, js_params: { pkpId: amw } };
      expect((await post("/lit_action", usage, own)).statusCode).to.equal(403);
      const groupsBefore = (await h.f.diamond.getAccount(master)).groupCount;
      const res = await post("/add_group", usage, {
        group_name: "tmp",
        group_description: "",
        pkp_ids_permitted: [],
        cid_hashes_permitted: [cidHash(await litActionCid(READ_KEY))],
      });
      expect(res.statusCode, res.body).to.equal(403);
      expect(res.json()).to.include({ code: "NotMasterAccount" });
      expect((await h.f.diamond.getAccount(master)).groupCount).to.equal(groupsBefore); // refused before any write
      const again = await post("/lit_action", usage, own);
      expect(again.statusCode, again.body).to.equal(403);
    });

    it("a usage key's add_action_to_group of its own unregistered code is 403 NotMasterAccount", async () => {
      const { amw, usage, wildcard } = await wildcardRunner();
      const res = await post("/add_action_to_group", usage, {
        group_id: wildcard,
        action_ipfs_cid: await litActionCid(READ_KEY),
      });
      expect(res.statusCode, res.body).to.equal(403);
      expect(res.json()).to.include({ code: "NotMasterAccount" });
      expect((await post("/lit_action", usage, { code: READ_KEY, js_params: { pkpId: amw } })).statusCode).to.equal(403);
    });

    it("a usage key may still add an action the master registered", async () => {
      const { key, usage, wildcard } = await wildcardRunner();
      const cid = await litActionCid(HELLO);
      await ok("/add_action", key, { action_ipfs_cid: cid, name: "hello", description: "" });
      await ok("/add_action_to_group", usage, { group_id: wildcard, action_ipfs_cid: cid });
      const res = await post("/lit_action", usage, { code: HELLO });
      expect(res.statusCode, res.body).to.equal(200);
    });
  });

  describe("a wallet can always reclaim its own alias", () => {
    it("convert to a squatted wallet is 409 naming reclaimAddressAlias; after the wallet reclaims it, conversion succeeds", async () => {
      const victim = h.f.users[3];
      const squatter = await newManaged();
      const alias = ethers.keccak256(victim.address);
      await (
        await h.f.diamond.connect(h.f.owner).setUsageApiKey(squatter.master, alias, 0, 0, "squat", "", false, false, false, [], [], [], [0])
      ).wait();
      await sync();
      const target = await newManaged();
      const body = async () => ({ new_admin_wallet_address: victim.address.toLowerCase(), ...(await sign(victim, "ConvertAccount")) });
      const refused = await post("/convert_to_chain_secured_account", target.key, await body());
      expect(refused.statusCode, refused.body).to.equal(409);
      expect(refused.json()).to.include({ code: "AccountAlreadyExists" });
      expect((refused.json() as { error: string }).error).to.include("reclaimAddressAlias");

      await (await h.f.diamond.connect(victim).reclaimAddressAlias()).wait();
      await sync();
      const res = await post("/convert_to_chain_secured_account", target.key, await body());
      expect(res.statusCode, res.body).to.equal(200);
      expect((await h.f.diamond.getAccount(target.master)).adminWalletAddress).to.equal(victim.address);
      // the squatting key is gone from the squatter's account
      const keys = await h.call("GET", "/core/v1/list_api_keys?page_number=0&page_size=10", { key: squatter.key });
      expect(keys.json()).to.deep.equal([]);
    });
  });
});
