/**
 * Every SDK operation in both modes against a real relayer (HTTP) and the in-process chain: the
 * API-mode calls map to the relayer's endpoints and shapes, the sovereign-mode calls to the
 * diamond, and both leave the same state.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { listeningRelayer } from "./listening-relayer";
import { usageKeyPermissions } from "./permissions";
import { ContractRevertError, LitNodeSimpleApiClient, createClient, type UsageKeyPermissions } from "../../src/sdk";

const CID = "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR";
const CID_HASH = "0x8c4105ec0937f0fc27873d0af1dd93b35f6ee096ec93d173c629fb17c4abf22f";
const PERMS: UsageKeyPermissions = usageKeyPermissions();

describe("SDK: every operation in both modes", function () {
  this.timeout(180_000);
  const server = listeningRelayer();

  for (const mode of ["api", "sovereign"] as const) {
    it(`${mode} mode: groups, actions, wallets and usage keys round-trip`, async () => {
      let client: LitNodeSimpleApiClient;
      let master: string;
      if (mode === "api") {
        client = createClient(server.baseUrl);
        const { api_key } = await client.newAccount({ accountName: "ops", accountDescription: "" });
        client.setApiKey(api_key);
        master = ethers.keccak256(ethers.toUtf8Bytes(api_key));
      } else {
        const signer = server.harness.f.users[13];
        client = new LitNodeSimpleApiClient({ baseUrl: server.baseUrl, mode: "sovereign", signer });
        master = (await client.newChainSecuredAccount({ accountName: "ops", accountDescription: "" })).api_key_hash;
        await server.sync();
      }
      expect(await client.accountExists()).to.equal(true);
      const wallet = (await client.createWallet({ name: "w" })).wallet_address;
      const { group_id } = await client.addGroup({
        groupName: "g",
        groupDescription: "",
        pkpIdsPermitted: [],
        cidHashesPermitted: [],
      });
      const gid = Number(group_id);
      await client.addAction({ actionIpfsCid: CID, name: "a", description: "" });
      await client.updateActionMetadata({ hashedCid: CID_HASH, name: "renamed", description: "d" });
      await client.addActionToGroup({ groupId: gid, actionIpfsCid: CID });
      await client.addPkpToGroup({ groupId: gid, pkpId: wallet });
      expect(
        (await client.listWalletsInGroup({ groupId: gid, pageNumber: 0, pageSize: 10 })).map((w) => w.wallet_address),
      ).to.deep.equal([wallet]);
      expect(await client.listActions({ groupId: gid, pageNumber: 0, pageSize: 10 })).to.deep.equal([
        { id: CID_HASH, name: "renamed", description: "d" },
      ]);
      await client.updateGroup({
        groupId: gid,
        name: "g2",
        description: "x",
        pkpIdsPermitted: [wallet],
        cidHashesPermitted: [CID_HASH],
      });
      expect((await client.listGroups({ pageNumber: 0, pageSize: 10 })).map((g) => g.name)).to.deep.equal(["g2"]);

      const added = await client.addUsageApiKey({ ...PERMS, executeInGroups: [gid] });
      const usageHash = ethers.keccak256(ethers.toUtf8Bytes(added.usage_api_key));
      expect(await server.harness.f.diamond.canUseWalletInAction(usageHash, CID_HASH, wallet)).to.equal(true);
      await client.updateUsageApiKey({ ...PERMS, usageApiKey: added.usage_api_key, canCreateGroups: true });
      await client.updateUsageApiKeyMetadata({ usageApiKey: usageHash, name: "renamed", description: "" });
      const keys = await client.listApiKeys({ pageNumber: 0, pageSize: 10 });
      expect(keys).to.have.length(1);
      expect(keys[0]).to.include({ api_key_hash: usageHash, name: "renamed", can_create_groups: true });
      expect(keys[0].can_execute_in_groups).to.deep.equal([]);

      await client.removePkpFromGroup({ groupId: gid, pkpId: wallet });
      await client.removeActionFromGroup({ groupId: gid, hashedCid: CID_HASH });
      expect(await client.listActions({ groupId: gid, pageNumber: 0, pageSize: 10 })).to.deep.equal([]);
      await client.deleteAction({ hashedCid: CID_HASH });
      await client.removeUsageApiKey({ usageApiKey: added.usage_api_key });
      await client.removeGroup({ groupId: gid });
      expect(await client.listGroups({ pageNumber: 0, pageSize: 10 })).to.deep.equal([]);
      expect(await client.listApiKeys({ pageNumber: 0, pageSize: 10 })).to.deep.equal([]);
      expect((await client.listWallets({ pageNumber: 0, pageSize: 10 })).map((w) => w.wallet_address)).to.include(
        wallet,
      );
      const info = await server.harness.f.diamond.getAccount(master);
      expect([info.groupCount, info.actionCount, info.usageKeyCount]).to.deep.equal([0n, 0n, 0n]);
    });
  }

  it("public configuration calls", async () => {
    const client = createClient(server.baseUrl);
    expect((await client.getChainConfigKeys()).keys).to.be.an("array");
    expect((await client.getLitActionClientConfig()).timeout_ms).to.be.a("number");
    expect(await client.getApiPayers()).to.have.length(2);
    expect(await client.getAdminApiPayer()).to.match(/^0x[0-9a-f]{40}$/);
    expect((await client.version()).name).to.be.a("string");
  });

  it("sovereign reverts carry the decoded custom error and its arguments", async () => {
    const signer = server.harness.f.users[13];
    const client = new LitNodeSimpleApiClient({ baseUrl: server.baseUrl, mode: "sovereign", signer });
    let e: unknown;
    try {
      await client.removeGroup({ groupId: 999_999 });
    } catch (err) {
      e = err;
    }
    expect(e).to.be.instanceOf(ContractRevertError);
    const r = e as ContractRevertError;
    expect(r.errorName).to.equal("GroupDoesNotExist");
    expect(r.args[1]).to.equal(999_999n);
    expect(r.method).to.equal("removeGroup");
  });
});
