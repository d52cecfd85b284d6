/**
 * Billing in both account modes through the SDK, against a real relayer (dev provider) on the
 * in-process chain: top-ups, charges and balances with an API key and with X-Wallet-Auth, and the
 * balance following the account (its master hash) through conversion and ownership transfer.
 */
import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { usageKeyPermissions } from "./permissions";
import { listeningRelayer } from "./listening-relayer";
import { LitApiError, LitNodeSimpleApiClient, createClient } from "../../src/sdk";

const HELLO = 'async function main() {\n  return "Hello World!";\n}\n';

describe("SDK: billing in both modes (relayer with the dev provider, in-process chain)", function () {
  const server = listeningRelayer({ BILLING_PROVIDER: "dev", BILLING_STARTING_CREDIT_CENTS: "2000" });
  let apiKey: string;
  let usageKey: string;
  let firstAdmin: HardhatEthersSigner;
  let secondAdmin: HardhatEthersSigner;
  /** The balance as the API reports it (negative = credit). */
  let lastBalance: number;

  const sovereign = (signer: HardhatEthersSigner) =>
    new LitNodeSimpleApiClient({ baseUrl: server.baseUrl, mode: "sovereign", contractAddress: server.harness.f.diamondAddress, signer });
  const balanceOf = async (client: LitNodeSimpleApiClient) => (await client.getBillingBalance()).balance_cents;

  before(async () => {
    [firstAdmin, secondAdmin] = server.harness.f.users.slice(5);
  });

  describe("API mode", () => {
    it("reports the dev provider", async () => {
      expect(await createClient(server.baseUrl).getStripeConfig()).to.deep.equal({
        publishable_key: "pk_dev_local_test_payments_no_real_money",
        provider: "dev",
      });
    });

    it("a new account starts with the configured credit", async () => {
      const res = await createClient(server.baseUrl).newAccount({ accountName: "billing", accountDescription: "" });
      apiKey = res.api_key;
      expect(await createClient(server.baseUrl, { apiKey }).getBillingBalance()).to.deep.equal({
        balance_cents: -2000,
        balance_display: "$20.00 credit",
      });
    });

    it("a top-up is credited once", async () => {
      const client = createClient(server.baseUrl, { apiKey });
      const intent = await client.createPaymentIntent({ amountCents: 1500 });
      expect(intent.client_secret).to.contain(intent.payment_intent_id);
      await client.confirmPayment({ paymentIntentId: intent.payment_intent_id });
      await client.confirmPayment({ paymentIntentId: intent.payment_intent_id });
      expect(await balanceOf(client)).to.equal(-3500);
    });

    it("management writes and Lit Actions are charged", async () => {
      const client = createClient(server.baseUrl, { apiKey });
      await client.addGroup({ groupName: "g", groupDescription: "", pkpIdsPermitted: [], cidHashesPermitted: ["0"] });
      const usage = await client.addUsageApiKey(usageKeyPermissions({ name: "runner", executeInGroups: [0] }));
      usageKey = usage.usage_api_key;
      expect(await balanceOf(client)).to.equal(-3498); // two writes
      const run = await createClient(server.baseUrl, { apiKey: usageKey }).litAction({ code: HELLO });
      expect(run.has_error, JSON.stringify(run)).to.equal(false);
      expect(await balanceOf(client)).to.equal(-3497); // one execution second
      lastBalance = -3497;
    });
  });

  describe("conversion to ChainSecured", () => {
    it("keeps the balance with the account (less the conversion's own write price)", async () => {
      const client = createClient(server.baseUrl);
      const cfg = await client.getNodeChainConfig();
      await client.convertToChainSecuredAccount({ apiKey, signer: firstAdmin, chainId: Number(cfg.chain_id) });
      await server.sync();
      lastBalance += 1; // the conversion is a billed write (1 cent)
      expect(await balanceOf(sovereign(firstAdmin))).to.equal(lastBalance);
    });

    it("the wallet tops up with X-Wallet-Auth", async () => {
      const wallet = sovereign(firstAdmin);
      const intent = await wallet.createPaymentIntent({ amountCents: 500 });
      await wallet.confirmPayment({ paymentIntentId: intent.payment_intent_id });
      lastBalance -= 500;
      expect(await balanceOf(wallet)).to.equal(lastBalance);
    });

    it("the usage key's executions are charged to the same account", async () => {
      const run = await createClient(server.baseUrl, { apiKey: usageKey }).litAction({ code: HELLO });
      expect(run.has_error).to.equal(false);
      lastBalance += 1;
      expect(await balanceOf(sovereign(firstAdmin))).to.equal(lastBalance);
    });
  });

  describe("ownership transfer", () => {
    it("leaves the balance unchanged for the new admin", async () => {
      await sovereign(firstAdmin).transferChainSecuredAccountOwnership({ newAdminWalletAddress: secondAdmin.address });
      await server.sync();
      expect(await balanceOf(sovereign(secondAdmin))).to.equal(lastBalance);
    });

    it("the previous admin's X-Wallet-Auth no longer opens the account's billing (403)", async () => {
      let err: unknown;
      try {
        await sovereign(firstAdmin).getBillingBalance();
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(LitApiError);
      expect((err as LitApiError).status).to.equal(403);
    });
  });
});
