/**
 * The Stripe payment provider (src/relayer/payments/stripe.ts) against a local HTTP stub of the
 * two Stripe endpoints it uses (./support.ts): intents, statuses, idempotency keys, and what it
 * reports when Stripe fails.
 */
import { expect } from "chai";
import http from "http";
import type { AddressInfo } from "net";
import { rejectionOf } from "../../support";
import { PaymentProviderUnavailableError, StripePaymentProvider } from "../../../../src/relayer/payments";
import { stripeIdempotencyKey } from "../../../../src/relayer/payments/stripe";
import { StripeStub, closedPort, SECRET, PUBLISHABLE, ALICE, BOB, providerAt } from "./support";

describe("StripePaymentProvider (against a local Stripe stub)", function () {
  const stub = new StripeStub();
  let provider: StripePaymentProvider;

  before(async () => {
    await stub.start();
    provider = providerAt(stub.url);
  });
  afterEach(() => stub.reset());
  after(async () => {
    await stub.close();
  });

  it("reports the name stripe and its publishable key", () => {
    expect(provider.name).to.equal("stripe");
    expect(provider.publishableKey).to.equal(PUBLISHABLE);
  });

  it("creates an intent with the secret key as Bearer auth, the amount in usd and the account hash in metadata", async () => {
    const created = await provider.createIntent({ account: ALICE, amountCents: 1234 });
    expect(stub.requests).to.have.length(1);
    const req = stub.requests[0];
    expect(req.method).to.equal("POST");
    expect(req.path).to.equal("/v1/payment_intents");
    expect(req.headers.authorization).to.equal(`Bearer ${SECRET}`);
    expect(req.headers["content-type"]).to.match(/^application\/x-www-form-urlencoded/);
    expect(req.form.get("amount")).to.equal("1234");
    expect(req.form.get("currency")).to.equal("usd");
    expect(req.form.get("metadata[account_hash]")).to.equal(ALICE);
    expect(req.form.get("automatic_payment_methods[enabled]")).to.equal("true");

    const stored = stub.intents.get(created.id);
    expect(stored, "the stub stored the intent").to.not.equal(undefined);
    expect(created).to.deep.equal({ id: stored!.id, clientSecret: stored!.client_secret });
  });

  it("forwards the idempotency key, namespaced by account and hashed to 64 characters, so a repeat returns the same intent", async () => {
    const first = await provider.createIntent({ account: ALICE, amountCents: 800, idempotencyKey: "topup-1" });
    const again = await provider.createIntent({ account: ALICE, amountCents: 800, idempotencyKey: "topup-1" });
    const expected = stripeIdempotencyKey(ALICE, "topup-1");
    expect(expected).to.match(/^[0-9a-f]{64}$/);
    expect(stub.requests.map((r) => r.headers["idempotency-key"])).to.deep.equal([expected, expected]);
    expect(again).to.deep.equal(first);
    expect(stub.intents.size).to.equal(1);
  });

  it("creates distinct intents for the same idempotency key used by two accounts", async () => {
    const a = await provider.createIntent({ account: ALICE, amountCents: 800, idempotencyKey: "same" });
    const b = await provider.createIntent({ account: BOB, amountCents: 800, idempotencyKey: "same" });
    expect(a.id).to.not.equal(b.id);
    expect(stub.intents.get(b.id)?.metadata.account_hash).to.equal(BOB);
  });

  it("creates distinct intents when no idempotency key is given", async () => {
    const a = await provider.createIntent({ account: ALICE, amountCents: 800 });
    const b = await provider.createIntent({ account: ALICE, amountCents: 800 });
    expect(a.id).to.not.equal(b.id);
  });

  it("retrieves an intent with the Bearer key and maps its fields", async () => {
    const { id } = await provider.createIntent({ account: ALICE, amountCents: 2500 });
    stub.setStatus(id, "succeeded");
    const info = await provider.retrieveIntent(id);
    const req = stub.requests[stub.requests.length - 1];
    expect(req.method).to.equal("GET");
    expect(req.path).to.equal(`/v1/payment_intents/${id}`);
    expect(req.headers.authorization).to.equal(`Bearer ${SECRET}`);
    expect(info).to.deep.equal({
      id,
      status: "succeeded",
      amountCents: 2500,
      amountReceivedCents: 2500,
      currency: "usd",
      account: ALICE,
      failureMessage: null,
    });
  });

  it("maps a declined payment's last_payment_error to failureMessage", async () => {
    const { id } = await provider.createIntent({ account: ALICE, amountCents: 2500 });
    stub.setStatus(id, "declined");
    expect(await provider.retrieveIntent(id)).to.deep.include({
      status: "requires_payment_method",
      amountReceivedCents: 0,
      failureMessage: "Your card was declined.",
    });
  });

  it("maps missing metadata to a null account", async () => {
    const { id } = await provider.createIntent({ account: ALICE, amountCents: 2500 });
    stub.patch(id, { metadata: {} });
    expect((await provider.retrieveIntent(id))?.account).to.equal(null);
  });

  it("answers null for an intent Stripe does not know (404 resource_missing)", async () => {
    expect(await provider.retrieveIntent("pi_does_not_exist")).to.equal(null);
    expect(stub.requests).to.have.length(1);
  });

  it("treats a 404 that is not resource_missing (a wrong API base or proxy) as an outage, not an unknown intent", async () => {
    const proxy = http.createServer((_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { type: "invalid_request_error", message: "Unrecognized request URL" } }));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const wrongBase = new StripePaymentProvider({
        secretKey: "sk_test_x",
        publishableKey: "pk_test_x",
        apiBase: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        maxNetworkRetries: 0,
      });
      const err = await rejectionOf(wrongBase.retrieveIntent("pi_paid_for_real"));
      expect(err).to.be.instanceOf(PaymentProviderUnavailableError);
      expect(err.message).to.match(/HTTP 404/);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  describe("when Stripe fails (no retries, short timeout)", () => {
    it("throws PaymentProviderUnavailableError when creating an intent gets a 500", async () => {
      stub.mode = "error500";
      const err = await rejectionOf(provider.createIntent({ account: ALICE, amountCents: 800 }));
      expect(err).to.be.instanceOf(PaymentProviderUnavailableError);
      expect(err.message).to.match(/^Stripe: .*\(HTTP 500\)$/);
      expect(stub.requests).to.have.length(1);
    });

    it("throws PaymentProviderUnavailableError when retrieving an intent gets a 500", async () => {
      stub.mode = "error500";
      const err = await rejectionOf(provider.retrieveIntent("pi_anything"));
      expect(err).to.be.instanceOf(PaymentProviderUnavailableError);
      expect(err.message).to.contain("HTTP 500");
    });

    it("throws PaymentProviderUnavailableError when Stripe is unreachable (closed port)", async () => {
      const down = providerAt(`http://127.0.0.1:${await closedPort()}`);
      const create = rejectionOf(down.createIntent({ account: ALICE, amountCents: 800 }));
      const retrieve = rejectionOf(down.retrieveIntent("pi_anything"));
      for (const err of await Promise.all([create, retrieve])) {
        expect(err).to.be.instanceOf(PaymentProviderUnavailableError);
        expect(err.message).to.match(/^Stripe: /);
      }
    });

    it("throws PaymentProviderUnavailableError when Stripe does not answer within the timeout", async function () {
      // The stub never answers: only the client's 200 ms timeout ends the call (were it missing,
      // this generous outer timeout would fail the test). It fires no earlier than configured.
      this.timeout(60_000);
      stub.mode = "hang";
      const slow = providerAt(stub.url, { timeoutMs: 200 });
      const started = performance.now();
      const err = await rejectionOf(slow.retrieveIntent("pi_anything"));
      expect(err).to.be.instanceOf(PaymentProviderUnavailableError);
      expect(err.message).to.match(/^Stripe: .*time/i);
      expect(performance.now() - started).to.be.gte(195);
    });

    it("does not mistake an authentication error for a missing intent", async () => {
      const wrongKey = new StripePaymentProvider({
        secretKey: "rk_live_wrong",
        publishableKey: PUBLISHABLE,
        apiBase: stub.url,
        maxNetworkRetries: 0,
        timeoutMs: 30_000,
      });
      const err = await rejectionOf(wrongKey.retrieveIntent("pi_anything"));
      expect(err).to.be.instanceOf(PaymentProviderUnavailableError);
      expect(err.message).to.contain("HTTP 401");
    });
  });
});
