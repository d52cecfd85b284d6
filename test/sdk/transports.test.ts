/**
 * One behaviour spec (account-operations.behaviour.ts), two implementations: the HTTP transport
 * (an API-mode account, the relayer's /core/v1 over a real socket) and the diamond transport (a
 * ChainSecured account whose fresh wallet calls the diamond itself), both against the same relayer
 * and in-process chain. Also what each transport refuses because the other one carries it.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { type Hash32, apiKeyTextHash, chainSecuredHash } from "../../src/core/hashing";
import type { Signer } from "ethers";
import {
  type AccountTransport,
  DiamondTransport,
  HttpTransport,
  LitNodeSimpleApiClient,
  LitUsageError,
  ModeError,
  createConnection,
  transportFor,
} from "../../src/sdk";
import { listeningRelayer } from "./listening-relayer";
import { accountOperationsBehaviour, type Subject } from "./account-operations.behaviour";

describe("SDK transports: one behaviour, HTTP and diamond", function () {
  this.timeout(300_000);
  const server = listeningRelayer();

  /** A fresh funded wallet on the in-process chain. */
  async function freshWallet() {
    const wallet = ethers.Wallet.createRandom().connect(ethers.provider);
    await network.provider.send("hardhat_setBalance", [wallet.address, "0x56BC75E2D63100000"]); // 100 ETH
    return wallet;
  }

  describe("HttpTransport (API key, relayer /core/v1)", () => {
    accountOperationsBehaviour({
      diamond: () => server.harness.f.diamond,
      async newSubject(): Promise<Subject> {
        const c = createConnection({ baseUrl: server.baseUrl });
        const { api_key } = await new LitNodeSimpleApiClient({ baseUrl: server.baseUrl }).newAccount({
          accountName: "spec",
          accountDescription: "",
        });
        c.session.apiKey = api_key;
        return { ops: new HttpTransport(c.relayer, c.session, c.diamond), master: apiKeyTextHash(api_key) };
      },
    });
  });

  describe("DiamondTransport (ChainSecured wallet, the diamond)", () => {
    accountOperationsBehaviour({
      diamond: () => server.harness.f.diamond,
      async newSubject(): Promise<Subject> {
        const signer = await freshWallet();
        const c = createConnection({ baseUrl: server.baseUrl, signer, contractAddress: server.harness.f.diamondAddress });
        const ops = new DiamondTransport(c.relayer, c.session, c.diamond);
        const { api_key_hash } = await ops.newChainSecuredAccount({ accountName: "spec", accountDescription: "" });
        // the relayer mints key material for the account once its index has seen it
        await server.sync();
        return { ops, master: api_key_hash as Hash32 };
      },
    });
  });

  describe("what only one transport carries", () => {
    it("HTTP: a conversion with the master key given with surrounding spaces binds the account the relayer authenticates", async () => {
      // The relayer trims the X-Api-Key it is sent before hashing it; the ConvertAccount signature
      // must name that same account, not the hash of the untrimmed text.
      const client = new LitNodeSimpleApiClient({ baseUrl: server.baseUrl });
      const { api_key } = await client.newAccount({ accountName: "padded", accountDescription: "" });
      const admin = ethers.Wallet.createRandom();
      const converted = await client.convertToChainSecuredAccount({ apiKey: ` ${api_key} `, signer: admin });
      expect(converted).to.deep.equal({
        success: true,
        wallet_address: admin.address.toLowerCase(),
        api_key_hash: apiKeyTextHash(api_key),
      });
      expect((await server.harness.f.diamond.getAccount(apiKeyTextHash(api_key))).adminWalletAddress).to.equal(admin.address);
    });
  });

  describe("choosing the transport", () => {
    it("the mode picks the transport once: api = HttpTransport, sovereign = DiamondTransport", () => {
      const c = createConnection({ baseUrl: server.baseUrl });
      expect(transportFor("api", c)).to.be.instanceOf(HttpTransport);
      expect(transportFor("sovereign", c)).to.be.instanceOf(DiamondTransport);
      expect(new LitNodeSimpleApiClient({ baseUrl: server.baseUrl }).mode).to.equal("api");
      expect(new LitNodeSimpleApiClient({ baseUrl: server.baseUrl, mode: "sovereign" }).mode).to.equal("sovereign");
    });

    it("an unknown mode is refused at construction, naming it", () => {
      const make = () => new LitNodeSimpleApiClient({ baseUrl: server.baseUrl, mode: "wallet" as unknown as "api" });
      expect(make).to.throw(LitUsageError, '"wallet"');
    });

    it("the diamond transport refuses a group id that is not a non-negative integer in listActions, naming it, before reading the chain", async () => {
      const signer = await freshWallet();
      const c = createConnection({ baseUrl: server.baseUrl, signer, contractAddress: server.harness.f.diamondAddress });
      const ops = new DiamondTransport(c.relayer, c.session, c.diamond);
      for (const groupId of [-1, 1.5]) {
        const e = await ops.listActions({ groupId, pageNumber: 0, pageSize: 10 }).then(
          () => null,
          (err: unknown) => err,
        );
        expect(e).to.be.instanceOf(LitUsageError);
        expect((e as Error).message).to.include(`groupId: expected a non-negative integer below 2^256 (decimal or 0x hex), got ${groupId}`);
      }
    });

    it("the HTTP transport refuses the ChainSecured admin operations with ModeError before sending anything", async () => {
      let sent = 0;
      const c = createConnection({
        baseUrl: server.baseUrl,
        fetch: async () => {
          sent++;
          throw new Error("nothing should be sent");
        },
      });
      const http: AccountTransport = new HttpTransport(c.relayer, c.session, c.diamond);
      const calls = [
        () => http.newChainSecuredAccount({ accountName: "x", accountDescription: "" }),
        () => http.reclaimAddressAlias(),
        () => http.transferChainSecuredAccountOwnership({ newAdminWalletAddress: ethers.ZeroAddress }),
        () => http.mintWalletWithSignature(),
        () => http.mintUsageApiKeyWithSignature(),
      ];
      for (const call of calls) {
        const e = await call().then(
          () => null,
          (err: unknown) => err,
        );
        expect(e).to.be.instanceOf(ModeError);
        expect(e).to.include({ mode: "api", requiredMode: "sovereign" });
      }
      expect(sent).to.equal(0);
    });

    it("the diamond transport refuses an API-mode conversion with ModeError before signing or sending", async () => {
      let used = 0;
      const signer = {
        provider: null,
        getAddress: async () => {
          used++;
          return ethers.ZeroAddress;
        },
        signTypedData: async () => {
          used++;
          return "0x";
        },
      } as unknown as Signer;
      const c = createConnection({
        baseUrl: server.baseUrl,
        signer,
        fetch: async () => {
          used++;
          throw new Error("nothing should be sent");
        },
      });
      const diamond: AccountTransport = new DiamondTransport(c.relayer, c.session, c.diamond);
      const e = await diamond.convertToChainSecuredAccount({ signer, apiKey: "k" }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).to.be.instanceOf(ModeError);
      expect(e).to.include({ mode: "sovereign", requiredMode: "api" });
      expect(used).to.equal(0);
    });

    it("the diamond transport names the wallet's alias as the account unless an override is set", async () => {
      const signer = await freshWallet();
      const client = new LitNodeSimpleApiClient({ baseUrl: server.baseUrl, mode: "sovereign", signer, contractAddress: server.harness.f.diamondAddress });
      const created = await client.newChainSecuredAccount({ accountName: "alias", accountDescription: "" });
      expect(created.api_key_hash).to.equal(chainSecuredHash(signer.address));
      await server.sync();
      await client.addGroup({ groupName: "g", groupDescription: "", pkpIdsPermitted: [], cidHashesPermitted: [] });
      expect((await server.harness.f.diamond.getAccount(created.api_key_hash)).groupCount).to.equal(1n);
    });
  });
});
