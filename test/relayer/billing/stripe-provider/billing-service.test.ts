/**
 * BillingService.createPaymentIntent / confirmPayment over the Stripe provider, the local Stripe
 * stub (./support.ts) and a SQLite ledger: a succeeded payment is credited exactly once (also under
 * concurrent confirmations), pending / failed / canceled / foreign / unknown intents and an
 * unreachable provider leave the ledger untouched.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { rejectionOf } from "../../support";
import { StripePaymentProvider } from "../../../../src/relayer/payments";
import { BillingService } from "../../../../src/relayer/services/billing";
import { ServiceError } from "../../../../src/relayer/services/errors";
import { LEDGER_MIGRATIONS, SqlLedger, openStore, type Store } from "../../../../src/relayer/store";
import { StripeStub, closedPort, ALICE, BOB, providerAt } from "./support";

function serviceOver(ledger: SqlLedger, provider: StripePaymentProvider): BillingService {
  return new BillingService({
    settings: { provider: "stripe", prices: { writeCents: 1, executionSecondCents: 1 }, minTopUpCents: 500, maxTopUpCents: 99_999_999 },
    ledger,
    provider,
  });
}

function expectServiceError(err: unknown, kind: string, code: string): ServiceError {
  expect(err, String(err)).to.be.instanceOf(ServiceError);
  const e = err as ServiceError;
  expect({ kind: e.kind, code: e.code }, e.message).to.deep.equal({ kind, code });
  return e;
}

const refsOfPayments = (entries: { reference: string }[]): string[] => entries.map((e) => e.reference);

describe("BillingService with the Stripe provider (stub + SQLite ledger)", function () {
  const stub = new StripeStub();
  let dir = "";
  let store: Store | null = null;
  let ledger: SqlLedger;
  let billing: BillingService;

  before(async () => {
    await stub.start();
  });
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "billing-stripe-"));
    store = await openStore({ dataDir: dir, migrations: LEDGER_MIGRATIONS });
    ledger = new SqlLedger(store.db, { startingCreditCents: 0 });
    billing = serviceOver(ledger, providerAt(stub.url));
  });
  afterEach(async () => {
    stub.reset();
    const s = store;
    store = null;
    await s?.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  after(async () => {
    await stub.close();
  });

  /** A top-up of `cents` created through the service for `account`. */
  async function topUp(account: string, cents = 1500): Promise<string> {
    const r = await billing.createPaymentIntent(account, cents);
    return r.payment_intent_id;
  }

  /** Nothing was credited for `intentId` and the account's ledger holds no row. */
  async function expectUntouched(account: string, intentId: string): Promise<void> {
    expect(await ledger.entries(account), "ledger rows").to.deep.equal([]);
    expect(await ledger.hasReference(`payment:${intentId}`)).to.equal(false);
    expect((await ledger.payment(intentId))?.creditedCents ?? null, "credited mark").to.equal(null);
    expect(await billing.balance(account)).to.deep.equal({ balance_cents: 0, balance_display: "No credits" });
    const v = await ledger.verify(account);
    expect(v.ledgerSumCents).to.equal(v.balanceCents);
  }

  describe("createPaymentIntent", () => {
    it("creates the intent at Stripe and records it for the account, not yet credited", async () => {
      const r = await billing.createPaymentIntent(ALICE, 1500);
      const stored = stub.intents.get(r.payment_intent_id);
      expect(r).to.deep.equal({ client_secret: stored?.client_secret, payment_intent_id: stored?.id });
      expect(stored).to.deep.include({ amount: 1500, currency: "usd", metadata: { account_hash: ALICE } });
      expect(await ledger.payment(r.payment_intent_id)).to.deep.include({
        intentId: r.payment_intent_id,
        account: ALICE,
        provider: "stripe",
        amountCents: 1500,
        creditedCents: null,
      });
      expect(await ledger.entries(ALICE)).to.deep.equal([]);
    });

    it("returns the same intent for a repeat with the same Idempotency-Key", async () => {
      const a = await billing.createPaymentIntent(ALICE, 1500, "key-1");
      const b = await billing.createPaymentIntent(ALICE, 1500, "key-1");
      expect(b).to.deep.equal(a);
      expect(stub.intents.size).to.equal(1);
    });

    it("accepts the minimum (500) and the maximum (99 999 999) amounts", async () => {
      await billing.createPaymentIntent(ALICE, 500);
      await billing.createPaymentIntent(ALICE, 99_999_999);
      expect(stub.requests.map((r) => r.form.get("amount"))).to.deep.equal(["500", "99999999"]);
    });

    const invalid: Array<[string, unknown]> = [
      ["below the 500-cent minimum", 499],
      ["zero", 0],
      ["negative", -500],
      ["a fraction (1.5)", 1.5],
      ["a fraction above the minimum (500.5)", 500.5],
      ["NaN", Number.NaN],
      ["Infinity", Number.POSITIVE_INFINITY],
      ["above the maximum (1e12)", 1e12],
      ['a string ("500")', "500"],
      ["null", null],
      ["missing", undefined],
    ];
    for (const [what, amount] of invalid) {
      it(`refuses an amount ${what} as InvalidValue naming amount_cents, without calling Stripe`, async () => {
        const err = await rejectionOf(billing.createPaymentIntent(ALICE, amount));
        const e = expectServiceError(err, "InvalidValue", "InvalidValue");
        expect(e.message).to.match(/^amount_cents: /);
        expect(stub.requests, "requests to Stripe").to.have.length(0);
      });
    }

    it("answers Unavailable PaymentProviderUnavailable and records nothing when Stripe fails", async () => {
      stub.mode = "error500";
      const err = await rejectionOf(billing.createPaymentIntent(ALICE, 1500));
      const e = expectServiceError(err, "Unavailable", "PaymentProviderUnavailable");
      expect(e.retryAfterSeconds).to.equal(5);
      expect(await store!.db.query("SELECT intent_id FROM billing_payments")).to.deep.equal([]);
    });
  });

  describe("confirmPayment", () => {
    it("credits a succeeded payment once, and a second confirmation answers already_credited without a second credit", async () => {
      const id = await topUp(ALICE, 1500);
      stub.setStatus(id, "succeeded");
      expect(await billing.confirmPayment(ALICE, id)).to.deep.equal({
        success: true,
        already_credited: false,
        credited_cents: 1500,
      });
      const requestsAfterFirst = stub.requests.length;
      expect(await billing.confirmPayment(ALICE, id)).to.deep.equal({
        success: true,
        already_credited: true,
        credited_cents: 1500,
      });
      expect(stub.requests.length, "a credited payment is not looked up again").to.equal(requestsAfterFirst);
      const entries = await ledger.entries(ALICE);
      expect(entries.map(({ amountCents, reason, reference }) => ({ amountCents, reason, reference }))).to.deep.equal([
        { amountCents: 1500, reason: "payment", reference: `payment:${id}` },
      ]);
      expect(await billing.balance(ALICE)).to.deep.equal({ balance_cents: -1500, balance_display: "$15.00 credit" });
      expect((await ledger.payment(id))?.creditedCents).to.equal(1500);
    });

    it("credits a succeeded payment exactly once under 20 concurrent confirmations", async () => {
      const id = await topUp(ALICE, 2000);
      stub.setStatus(id, "succeeded");
      const results = await Promise.all(Array.from({ length: 20 }, () => billing.confirmPayment(ALICE, id)));
      expect(results.filter((r) => !r.already_credited), "first credits").to.have.length(1);
      expect(results.filter((r) => r.already_credited), "repeats").to.have.length(19);
      for (const r of results) expect(r).to.deep.include({ success: true, credited_cents: 2000 });
      expect(refsOfPayments(await ledger.entries(ALICE))).to.deep.equal([`payment:${id}`]);
      expect(await ledger.balance(ALICE)).to.equal(2000);
      const v = await ledger.verify(ALICE);
      expect(v).to.deep.equal({ balanceCents: 2000, ledgerSumCents: 2000 });
    });

    it("credits the amount Stripe received", async () => {
      const id = await topUp(ALICE, 1500);
      stub.setStatus(id, "succeeded");
      stub.patch(id, { amount_received: 1200 });
      expect(await billing.confirmPayment(ALICE, id)).to.deep.include({ already_credited: false, credited_cents: 1200 });
      expect(await ledger.balance(ALICE)).to.equal(1200);
    });

    it("answers Conflict PaymentPending for a processing payment and leaves the ledger untouched", async () => {
      const id = await topUp(ALICE);
      stub.setStatus(id, "processing");
      const err = await rejectionOf(billing.confirmPayment(ALICE, id));
      const e = expectServiceError(err, "Conflict", "PaymentPending");
      expect(e.message).to.contain("processing");
      await expectUntouched(ALICE, id);
    });

    it("answers Conflict PaymentPending for an intent still waiting for a payment method", async () => {
      const id = await topUp(ALICE);
      const err = await rejectionOf(billing.confirmPayment(ALICE, id));
      expectServiceError(err, "Conflict", "PaymentPending");
      await expectUntouched(ALICE, id);
    });

    it("answers PaymentRequired PaymentFailed with the card error for a declined payment and leaves the ledger untouched", async () => {
      const id = await topUp(ALICE);
      stub.setStatus(id, "declined");
      const err = await rejectionOf(billing.confirmPayment(ALICE, id));
      const e = expectServiceError(err, "PaymentRequired", "PaymentFailed");
      expect(e.message).to.contain("Your card was declined.");
      await expectUntouched(ALICE, id);
    });

    it("answers PaymentRequired PaymentFailed for a canceled payment and leaves the ledger untouched", async () => {
      const id = await topUp(ALICE);
      stub.setStatus(id, "canceled");
      const err = await rejectionOf(billing.confirmPayment(ALICE, id));
      const e = expectServiceError(err, "PaymentRequired", "PaymentFailed");
      expect(e.message).to.contain("canceled");
      await expectUntouched(ALICE, id);
    });

    it("credits a payment that was pending once a later confirmation finds it succeeded", async () => {
      const id = await topUp(ALICE, 900);
      stub.setStatus(id, "processing");
      const pending = await rejectionOf(billing.confirmPayment(ALICE, id));
      expectServiceError(pending, "Conflict", "PaymentPending");
      stub.setStatus(id, "succeeded");
      expect(await billing.confirmPayment(ALICE, id)).to.deep.equal({
        success: true,
        already_credited: false,
        credited_cents: 900,
      });
      expect(refsOfPayments(await ledger.entries(ALICE))).to.deep.equal([`payment:${id}`]);
      expect(await ledger.balance(ALICE)).to.equal(900);
    });

    it("answers NotFound PaymentIntentNotFound for an intent created by another account and credits no one", async () => {
      const id = await topUp(BOB);
      stub.setStatus(id, "succeeded");
      const err = await rejectionOf(billing.confirmPayment(ALICE, id));
      expectServiceError(err, "NotFound", "PaymentIntentNotFound");
      await expectUntouched(ALICE, id);
      expect(await ledger.entries(BOB)).to.deep.equal([]);
    });

    it("answers NotFound PaymentIntentNotFound when Stripe's metadata names another account", async () => {
      const id = await topUp(ALICE);
      stub.setStatus(id, "succeeded");
      stub.patch(id, { metadata: { account_hash: BOB } });
      const err = await rejectionOf(billing.confirmPayment(ALICE, id));
      expectServiceError(err, "NotFound", "PaymentIntentNotFound");
      await expectUntouched(ALICE, id);
    });

    it("answers NotFound PaymentIntentNotFound for an id that was never created, without calling Stripe", async () => {
      const err = await rejectionOf(billing.confirmPayment(ALICE, "pi_never_created_000"));
      expectServiceError(err, "NotFound", "PaymentIntentNotFound");
      expect(stub.requests).to.have.length(0);
      await expectUntouched(ALICE, "pi_never_created_000");
    });

    it("answers NotFound PaymentIntentNotFound for an intent created at Stripe but not through this relayer", async () => {
      const direct = await providerAt(stub.url).createIntent({ account: ALICE, amountCents: 1500 });
      stub.setStatus(direct.id, "succeeded");
      const err = await rejectionOf(billing.confirmPayment(ALICE, direct.id));
      expectServiceError(err, "NotFound", "PaymentIntentNotFound");
      await expectUntouched(ALICE, direct.id);
    });

    it("answers NotFound PaymentIntentNotFound when Stripe no longer knows a recorded intent", async () => {
      const id = await topUp(ALICE);
      stub.intents.delete(id);
      const err = await rejectionOf(billing.confirmPayment(ALICE, id));
      expectServiceError(err, "NotFound", "PaymentIntentNotFound");
      await expectUntouched(ALICE, id);
    });

    const malformed: Array<[string, unknown]> = [
      ["without the pi_ prefix", "ch_123"],
      ["with a path separator", "pi_abc/../x"],
      ["empty", ""],
      ["a number", 42],
      ["missing", undefined],
    ];
    for (const [what, id] of malformed) {
      it(`answers InvalidValue naming payment_intent_id for an id ${what}, without calling Stripe`, async () => {
        const err = await rejectionOf(billing.confirmPayment(ALICE, id));
        const e = expectServiceError(err, "InvalidValue", "InvalidValue");
        expect(e.message).to.match(/^payment_intent_id: /);
        expect(stub.requests).to.have.length(0);
        expect(await ledger.entries(ALICE)).to.deep.equal([]);
      });
    }

    it("answers Unavailable PaymentProviderUnavailable when Stripe answers 500, and leaves the ledger untouched", async () => {
      const id = await topUp(ALICE);
      stub.setStatus(id, "succeeded");
      stub.mode = "error500";
      const err = await rejectionOf(billing.confirmPayment(ALICE, id));
      const e = expectServiceError(err, "Unavailable", "PaymentProviderUnavailable");
      expect(e.retryAfterSeconds).to.equal(5);
      await expectUntouched(ALICE, id);
    });

    it("answers Unavailable PaymentProviderUnavailable when Stripe is unreachable, and credits on a later confirmation", async () => {
      const id = await topUp(ALICE, 700);
      stub.setStatus(id, "succeeded");
      const down = serviceOver(ledger, providerAt(`http://127.0.0.1:${await closedPort()}`));
      const err = await rejectionOf(down.confirmPayment(ALICE, id));
      expectServiceError(err, "Unavailable", "PaymentProviderUnavailable");
      await expectUntouched(ALICE, id);
      expect(await billing.confirmPayment(ALICE, id)).to.deep.include({ already_credited: false, credited_cents: 700 });
      expect(await ledger.balance(ALICE)).to.equal(700);
    });

    it("answers Conflict PaymentCurrencyMismatch for a payment in another currency and leaves the ledger untouched", async () => {
      const id = await topUp(ALICE);
      stub.setStatus(id, "succeeded");
      stub.patch(id, { currency: "eur" });
      const err = await rejectionOf(billing.confirmPayment(ALICE, id));
      expectServiceError(err, "Conflict", "PaymentCurrencyMismatch");
      await expectUntouched(ALICE, id);
    });
  });
});
