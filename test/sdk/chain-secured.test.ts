/**
 * Seed 001's flows end to end through the SDK, against a real relayer listening on HTTP and the
 * in-process chain: an API-mode account with groups, actions, wallets and a usage key; conversion
 * to ChainSecured; every item of "Things to verify after conversion" and "after a transfer"; the
 * sovereign-mode operations (createWallet, addUsageApiKey, newChainSecuredAccount); mode errors and
 * typed errors.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { usageKeyPermissions } from "./permissions";
import { listeningRelayer } from "./listening-relayer";
import {
  ContractRevertError,
  LitApiError,
  LitNodeSimpleApiClient,
  LitUsageError,
  ModeError,
  chainSecuredAccountHash,
  createClient,
} from "../../src/sdk";

const CID = "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR";
const CID_HASH = "0x8c4105ec0937f0fc27873d0af1dd93b35f6ee096ec93d173c629fb17c4abf22f";

async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

const HELLO = 'async function main() {\n  return "Hello World!";\n}\n';

describe("SDK: seed 001 ChainSecured flows (relayer over HTTP, in-process chain)", function () {
  this.timeout(240_000);
  const server = listeningRelayer();
  let contractAddress: string;
  let firstAdmin: HardhatEthersSigner;
  let secondAdmin: HardhatEthersSigner;
  let apiKey: string;
  let master: string;
  let groupId: string;
  let wallet: string;
  let usageKey: string;

  const sovereign = (signer: HardhatEthersSigner, adminHashOverride?: string) =>
    new LitNodeSimpleApiClient({ baseUrl: server.baseUrl, mode: "sovereign", contractAddress, signer, adminHashOverride });
  /** "A Lit Action run with one of those usage keys still succeeds". */
  const expectLitActionRuns = async (key: string) => {
    const r = await createClient(server.baseUrl, { apiKey: key }).litAction({ code: HELLO });
    expect(r.has_error, JSON.stringify(r)).to.equal(false);
    expect(JSON.stringify(r.response)).to.contain("Hello World!");
  };

  before(async () => {
    contractAddress = server.harness.f.diamondAddress;
    [firstAdmin, secondAdmin] = server.harness.f.users.slice(7);
  });

  describe("API mode", () => {
    it("creates an account and its resources over HTTP", async () => {
      const client = createClient(server.baseUrl);
      const res = await client.newAccount({ accountName: "My App", accountDescription: "seed 001", email: "a@b.c" });
      apiKey = res.api_key;
      master = ethers.keccak256(ethers.toUtf8Bytes(apiKey));
      client.setApiKey(apiKey);
      expect(await client.accountExists()).to.equal(true);
      wallet = (await client.createWallet()).wallet_address;
      groupId = (
        await client.addGroup({
          groupName: "g",
          groupDescription: "",
          pkpIdsPermitted: [wallet],
          cidHashesPermitted: [],
        })
      ).group_id;
      await client.addAction({ actionIpfsCid: CID, name: "hello", description: "hi" });
      await client.addActionToGroup({ groupId: Number(groupId), actionIpfsCid: CID });
      usageKey = (
        await client.addUsageApiKey(usageKeyPermissions({ name: "runner", executeInGroups: [Number(groupId)] }))
      ).usage_api_key;
      expect(await client.listApiKeys({ pageNumber: 0, pageSize: 10 })).to.have.length(1);
      expect((await client.listActions({ pageNumber: 0, pageSize: 10 })).map((a) => a.id)).to.deep.equal([CID_HASH]);
      expect(await client.getLitActionIpfsId('async function main() {\n  return "Hello World!";\n}\n')).to.equal(CID);
      const cfg = await client.getNodeChainConfig();
      expect(cfg).to.include({ chain_id: 31337, contract_address: contractAddress.toLowerCase() });
    });

    it("HTTP errors are typed: status, error name and request id", async () => {
      const e = await rejected(
        createClient(server.baseUrl, { apiKey: "not-a-key" }).listGroups({ pageNumber: 0, pageSize: 10 }),
      );
      expect(e).to.be.instanceOf(LitApiError);
      const err = e as LitApiError;
      expect(err.status).to.equal(401);
      expect(err.errorName).to.equal("InvalidApiKey");
      expect(err.requestId).to.match(/^[0-9a-f-]{36}$/);
    });

    it("billing calls against a relayer without billing fail with a typed 404 BillingNotEnabled", async () => {
      const client = createClient(server.baseUrl, { apiKey });
      const calls: [string, () => Promise<unknown>][] = [
        ["/billing/stripe_config", () => client.getStripeConfig()],
        ["/billing/balance", () => client.getBillingBalance()],
        ["/billing/create_payment_intent", () => client.createPaymentIntent({ amountCents: 500 })],
        ["/billing/confirm_payment", () => client.confirmPayment({ paymentIntentId: "pi_x" })],
      ];
      for (const [path, call] of calls) {
        const e = await rejected(call());
        expect(e, path).to.be.instanceOf(LitApiError);
        expect((e as LitApiError).status, path).to.equal(404);
        expect((e as LitApiError).errorName, path).to.equal("BillingNotEnabled");
      }
    });

    it("sovereign-only operations throw ModeError in API mode", async () => {
      const client = createClient(server.baseUrl, { apiKey });
      for (const call of [
        () => client.transferChainSecuredAccountOwnership({ newAdminWalletAddress: secondAdmin.address }),
        () => client.newChainSecuredAccount({ accountName: "x", accountDescription: "" }),
        () => client.mintWalletWithSignature(),
      ]) {
        const e = await rejected(call());
        expect(e).to.be.instanceOf(ModeError);
        expect((e as ModeError).requiredMode).to.equal("sovereign");
      }
    });
  });

  describe("convert to ChainSecured", () => {
    let convertedHash: string;

    it("convertToChainSecuredAccount is API-mode only", async () => {
      const e = await rejected(sovereign(firstAdmin).convertToChainSecuredAccount({ signer: firstAdmin, apiKey }));
      expect(e).to.be.instanceOf(ModeError);
      expect((e as Error).message).to.contain("API-mode only");
    });

    it("converts with the master key and the new admin's EIP-712 signature", async () => {
      const client = createClient(server.baseUrl);
      const cfg = await client.getNodeChainConfig();
      const res = await client.convertToChainSecuredAccount({
        apiKey,
        signer: firstAdmin,
        chainId: Number(cfg.chain_id),
      });
      expect(res).to.deep.equal({
        success: true,
        wallet_address: firstAdmin.address.toLowerCase(),
        api_key_hash: master,
      });
      convertedHash = res.api_key_hash;
    });

    it("after conversion: accountExistsByHash(api_key_hash) is true from the wallet context", async () => {
      expect(await sovereign(firstAdmin).accountExistsByHash(convertedHash)).to.equal(true);
    });

    it("after conversion: an admin write with the original API key fails", async () => {
      const e = await rejected(
        createClient(server.baseUrl, { apiKey }).addUsageApiKey(usageKeyPermissions({ name: "x" })),
      );
      expect(e).to.be.instanceOf(LitApiError);
      expect(e).to.include({ status: 403, errorName: "NoAccountAccess" });
    });

    it("after conversion: an admin write signed by the new wallet succeeds", async () => {
      const client = sovereign(firstAdmin, convertedHash);
      const r = await client.addGroup({
        groupName: "by wallet",
        groupDescription: "",
        pkpIdsPermitted: [],
        cidHashesPermitted: [],
      });
      expect(r.transaction_hash).to.match(/^0x[0-9a-f]{64}$/);
      expect(BigInt(r.group_id)).to.be.greaterThan(BigInt(groupId));
    });

    it("after conversion: groups, PKPs, action CIDs and usage keys are visible under the wallet session", async () => {
      const client = sovereign(firstAdmin); // default admin hash: the wallet's alias, which resolves to the account
      const groups = await client.listGroups({ pageNumber: 0, pageSize: 10 });
      expect(groups.map((g) => BigInt(g.id))).to.include(BigInt(groupId));
      expect((await client.listWallets({ pageNumber: 0, pageSize: 10 })).map((w) => w.wallet_address)).to.include(
        wallet,
      );
      expect((await client.listActions({ pageNumber: 0, pageSize: 10 })).map((a) => a.id)).to.deep.equal([CID_HASH]);
      const keys = await client.listApiKeys({ pageNumber: 0, pageSize: 10 });
      expect(keys.map((k) => k.api_key_hash)).to.deep.equal([ethers.keccak256(ethers.toUtf8Bytes(usageKey))]);
      expect(keys[0].can_execute_in_groups).to.deep.equal([Number(groupId)]);
    });

    it("after conversion: the usage key still authorises its permitted work", async () => {
      await expectLitActionRuns(usageKey);
      const usageHash = ethers.keccak256(ethers.toUtf8Bytes(usageKey));
      expect(await server.harness.f.diamond.canExecuteAction(usageHash, CID_HASH)).to.equal(true);
      expect(await server.harness.f.diamond.canUseWalletInAction(usageHash, CID_HASH, wallet)).to.equal(true);
      await server.sync();
      const usage = createClient(server.baseUrl, { apiKey: usageKey });
      expect(await usage.accountExists()).to.equal(true);
      const inGroup = await usage.listWalletsInGroup({ groupId: Number(groupId), pageNumber: 0, pageSize: 10 });
      expect(inGroup.map((w) => w.wallet_address)).to.deep.equal([wallet]);
    });

    it("sovereign createWallet mints through create_wallet_with_signature and registers the derivation", async () => {
      const client = sovereign(firstAdmin);
      const a = await client.createWallet({ name: "sov", description: "minted" });
      const b = await client.createWallet({ name: "sov2", description: "same second is fine: fresh issuedAt" });
      for (const w of [a, b]) {
        expect(w.transaction_hash).to.match(/^0x[0-9a-f]{64}$/);
        expect(await server.harness.f.diamond.getWalletDerivation(master, w.wallet_address)).to.equal(
          BigInt(w.derivation_path ?? "0"),
        );
      }
      const listed = await client.listWallets({ pageNumber: 0, pageSize: 20 });
      expect(listed.find((w) => w.wallet_address === a.wallet_address)?.name).to.equal("sov");
    });

    it("sovereign addUsageApiKey mints, registers the wallet and attaches the key on-chain", async () => {
      const client = sovereign(firstAdmin);
      const r = await client.addUsageApiKey(usageKeyPermissions({ name: "sov-key", executeInGroups: [Number(groupId)] }));
      const usageHash = ethers.keccak256(ethers.toUtf8Bytes(r.usage_api_key));
      expect(await server.harness.f.diamond.canExecuteAction(usageHash, CID_HASH)).to.equal(true);
      expect(await server.harness.f.diamond.getWalletDerivation(master, r.wallet_address ?? "")).to.equal(
        BigInt(r.derivation_path ?? "0"),
      );
      await server.sync();
      expect(await createClient(server.baseUrl, { apiKey: r.usage_api_key }).accountExists()).to.equal(true);
      await client.removeUsageApiKey({ usageApiKey: r.usage_api_key });
      expect(await server.harness.f.diamond.canExecuteAction(usageHash, CID_HASH)).to.equal(false);
    });
  });

  describe("transfer ChainSecured ownership", () => {
    let previousAdmin: string;

    it("transfers to a new wallet, reporting both admins and the master hash", async () => {
      const res = await sovereign(firstAdmin).transferChainSecuredAccountOwnership({
        newAdminWalletAddress: secondAdmin.address.toLowerCase(),
      });
      expect(res).to.include({
        previous_admin: firstAdmin.address.toLowerCase(),
        new_admin: secondAdmin.address.toLowerCase(),
        api_key_hash: master,
      });
      expect(res.transaction_hash).to.match(/^0x[0-9a-f]{64}$/);
      previousAdmin = res.previous_admin;
      await server.sync();
    });

    it("after a transfer: an admin write signed by the new wallet succeeds", async () => {
      const r = await sovereign(secondAdmin).addAction({
        actionIpfsCid: "QmNewAdminAction",
        name: "n",
        description: "",
      });
      expect(r.success).to.equal(true);
    });

    it("after a transfer: an admin write signed by the previous wallet fails with the decoded revert", async () => {
      const e = await rejected(
        sovereign(firstAdmin).addGroup({
          groupName: "old",
          groupDescription: "",
          pkpIdsPermitted: [],
          cidHashesPermitted: [],
        }),
      );
      expect(e).to.be.instanceOf(ContractRevertError);
      const err = e as ContractRevertError;
      expect(err.errorName).to.equal("NoAccountAccess");
      expect(String(err.args[1]).toLowerCase()).to.equal(previousAdmin);
      // and the previous wallet can no longer mint key material for the account
      const mint = await rejected(sovereign(firstAdmin).createWallet({ name: "x" }));
      expect(mint).to.be.instanceOf(LitApiError);
      expect(mint).to.include({ status: 403, errorName: "NoAccountAccess" });
    });

    it("after a transfer: accountExistsByHash(keccak256(abi.encodePacked(newAdmin))) is true", async () => {
      const hash = ethers.solidityPackedKeccak256(["address"], [secondAdmin.address]);
      expect(hash).to.equal(chainSecuredAccountHash(secondAdmin.address));
      expect(await sovereign(secondAdmin).accountExistsByHash(hash)).to.equal(true);
    });

    it("after a transfer: the previous wallet's accountExists() is false, the new wallet's true (asked as each wallet)", async () => {
      expect(await sovereign(firstAdmin).accountExists()).to.equal(false);
      expect(await sovereign(secondAdmin).accountExists()).to.equal(true);
      // plain existence is the same for anyone
      expect(await sovereign(firstAdmin).accountExistsByHash(chainSecuredAccountHash(firstAdmin.address))).to.equal(true);
    });

    it("after a transfer: a Lit Action run with the original API key is refused (403)", async () => {
      const e = await rejected(createClient(server.baseUrl, { apiKey }).litAction({ code: HELLO }));
      expect(e).to.be.instanceOf(LitApiError);
      expect(e).to.include({ status: 403, errorName: "NotAllowedToExecuteAction" });
    });

    it("after a transfer: groups, PKPs, actions and usage keys are visible under the new wallet session", async () => {
      const client = sovereign(secondAdmin);
      expect((await client.listGroups({ pageNumber: 0, pageSize: 10 })).map((g) => BigInt(g.id))).to.include(
        BigInt(groupId),
      );
      expect((await client.listWallets({ pageNumber: 0, pageSize: 20 })).map((w) => w.wallet_address)).to.include(
        wallet,
      );
      expect((await client.listActions({ pageNumber: 0, pageSize: 10 })).map((a) => a.id)).to.include(CID_HASH);
      expect((await client.listApiKeys({ pageNumber: 0, pageSize: 10 })).map((k) => k.api_key_hash)).to.include(
        ethers.keccak256(ethers.toUtf8Bytes(usageKey)),
      );
    });

    it("after a transfer: the usage key still authorises its permitted work; the new wallet mints", async () => {
      await expectLitActionRuns(usageKey);
      const usageHash = ethers.keccak256(ethers.toUtf8Bytes(usageKey));
      expect(await server.harness.f.diamond.canExecuteAction(usageHash, CID_HASH)).to.equal(true);
      expect(await server.harness.f.diamond.canUseWalletInAction(usageHash, CID_HASH, wallet)).to.equal(true);
      expect(await createClient(server.baseUrl, { apiKey: usageKey }).accountExists()).to.equal(true);
      const w = await sovereign(secondAdmin).createWallet({ name: "after transfer" });
      expect(await server.harness.f.diamond.getWalletDerivation(master, w.wallet_address)).to.not.equal(0n);
    });

    it("validates the new admin address before sending", async () => {
      const e = await rejected(
        sovereign(secondAdmin).transferChainSecuredAccountOwnership({ newAdminWalletAddress: "0x1234" }),
      );
      expect(e).to.be.instanceOf(LitUsageError);
      const back = await rejected(
        sovereign(secondAdmin).transferChainSecuredAccountOwnership({ newAdminWalletAddress: firstAdmin.address }),
      );
      expect(back).to.be.instanceOf(ContractRevertError);
      expect((back as ContractRevertError).errorName).to.equal("AccountAlreadyExists");
    });
  });

  describe("reclaiming a wallet's alias", () => {
    it("a wallet whose alias another account's usage key squats reclaims it, then a conversion to it succeeds", async () => {
      const victim = server.harness.f.users[13];
      const squatter = createClient(server.baseUrl);
      const { api_key: squatterKey } = await squatter.newAccount({ accountName: "squatter", accountDescription: "" });
      const squatterMaster = ethers.keccak256(ethers.toUtf8Bytes(squatterKey));
      const alias = chainSecuredAccountHash(victim.address);
      await (await server.harness.f.diamond.connect(server.harness.f.owner).setUsageApiKey(squatterMaster, alias, 0, 0, "squat", "", false, false, false, [], [], [], [])).wait();
      await server.sync();
      const client = createClient(server.baseUrl);
      const { api_key } = await client.newAccount({ accountName: "to convert", accountDescription: "" });
      const refused = await rejected(client.convertToChainSecuredAccount({ apiKey: api_key, signer: victim }));
      expect(refused).to.be.instanceOf(LitApiError);
      expect(refused).to.include({ status: 409, errorName: "AccountAlreadyExists" });

      const reclaimed = await sovereign(victim).reclaimAddressAlias();
      expect(reclaimed.transaction_hash).to.match(/^0x[0-9a-f]{64}$/);
      await server.sync();
      const res = await client.convertToChainSecuredAccount({ apiKey: api_key, signer: victim });
      expect(res.wallet_address).to.equal(victim.address.toLowerCase());
      expect(await sovereign(victim).accountExists()).to.equal(true);
    });

    it("reclaimAddressAlias is sovereign-mode only and reverts typed for a wallet that owns an account", async () => {
      expect(await rejected(createClient(server.baseUrl).reclaimAddressAlias())).to.be.instanceOf(ModeError);
      const e = await rejected(sovereign(secondAdmin).reclaimAddressAlias());
      expect(e).to.be.instanceOf(ContractRevertError);
      expect((e as ContractRevertError).errorName).to.equal("AccountAlreadyExists");
    });
  });

  describe("ERC-1271 contract wallet", () => {
    it("convertToChainSecuredAccount({walletAddress}) converts to a contract wallet whose owner signs", async () => {
      const owner = server.harness.f.users[12];
      const contract = await (await ethers.getContractFactory("ERC1271WalletTest")).deploy(owner.address);
      await contract.waitForDeployment();
      const walletAddress = await contract.getAddress();
      const client = createClient(server.baseUrl);
      const { api_key } = await client.newAccount({ accountName: "safe-like", accountDescription: "" });
      const res = await client.convertToChainSecuredAccount({ apiKey: api_key, signer: owner, walletAddress });
      expect(res.wallet_address).to.equal(walletAddress.toLowerCase());
      expect((await server.harness.f.diamond.getAccount(res.api_key_hash)).adminWalletAddress).to.equal(walletAddress);
    });
  });

  describe("a new ChainSecured account", () => {
    it("newChainSecuredAccount, accountExistsByHash, then the wallet manages it", async () => {
      const owner = server.harness.f.users[9];
      const client = sovereign(owner);
      const res = await client.newChainSecuredAccount({ accountName: "Sovereign", accountDescription: "" });
      expect(res.wallet_address).to.equal(owner.address.toLowerCase());
      expect(res.api_key_hash).to.equal(chainSecuredAccountHash(owner.address));
      expect(await client.accountExistsByHash(res.api_key_hash)).to.equal(true);
      expect(await client.accountExists()).to.equal(true);
      await server.sync();
      const w = await client.createWallet({ name: "first" });
      const g = await client.addGroup({
        groupName: "g",
        groupDescription: "",
        pkpIdsPermitted: [w.wallet_address],
        cidHashesPermitted: ["0"],
      });
      await client.updateGroup({
        groupId: g.group_id,
        name: "g2",
        description: "renamed",
        pkpIdsPermitted: [w.wallet_address],
      });
      expect((await client.listGroups({ pageNumber: 0, pageSize: 10 }))[0].name).to.equal("g2");
      expect(
        (await client.listWalletsInGroup({ groupId: Number(g.group_id), pageNumber: 0, pageSize: 10 }))[0]
          .wallet_address,
      ).to.equal(w.wallet_address);
      const dup = await rejected(client.newChainSecuredAccount({ accountName: "again", accountDescription: "" }));
      expect(dup).to.be.instanceOf(ContractRevertError);
      expect((dup as ContractRevertError).errorName).to.equal("AccountAlreadyExists");
    });
  });
});
