/**
 * The Stripe payment provider (src/relayer/payments/stripe.ts) against a local HTTP stub of the
 * two Stripe endpoints it uses, then BillingService.createPaymentIntent / confirmPayment over the
 * stub and a SQLite ledger: a succeeded payment is credited exactly once (also under concurrent
 * confirmations), pending / failed / canceled / foreign / unknown intents and an unreachable
 * provider leave the ledger untouched.
 *
 * The stub (node:http on 127.0.0.1, port 0) implements
 *   POST /v1/payment_intents      form-encoded; Idempotency-Key: same key -> same intent
 *   GET  /v1/payment_intents/:id  the PaymentIntent JSON, or Stripe's 404 resource_missing error
 * and lets a test set an intent's status, force 500 answers or hang (for timeouts).
 */
import { expect } from "chai";
import fs from "fs";
import http from "http";
import type { AddressInfo } from "net";
import os from "os";
import path from "path";
import { randomBytes } from "crypto";
import { rejectionOf } from "../support";
import {
  PaymentProviderUnavailableError,
  StripePaymentProvider,
  type PaymentStatus,
} from "../../../src/relayer/payments";
import { stripeIdempotencyKey } from "../../../src/relayer/payments/stripe";
import { BillingService } from "../../../src/relayer/services/billing";
import { ServiceError } from "../../../src/relayer/services/errors";
import { LEDGER_MIGRATIONS, SqlLedger, openStore, type Store } from "../../../src/relayer/store";

// ------------------------------------------------------------------ the Stripe stub

interface StubIntent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_received: number;
  currency: string;
  status: PaymentStatus;
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  last_payment_error: { type: string; code: string; message: string } | null;
  automatic_payment_methods: { enabled: boolean } | null;
  created: number;
  livemode: false;
}

interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  form: URLSearchParams;
}

type StubMode = "ok" | "error500" | "hang";

class StripeStub {
  readonly requests: RecordedRequest[] = [];
  readonly intents = new Map<string, StubIntent>();
  private readonly byIdempotencyKey = new Map<string, string>();
  mode: StubMode = "ok";
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Sets an intent's status the way Stripe reports it. */
  setStatus(id: string, status: "succeeded" | "processing" | "declined" | "requires_payment_method" | "canceled"): void {
    const intent = this.intents.get(id);
    if (!intent) throw new Error(`stub: no intent ${id}`);
    intent.last_payment_error = null;
    intent.amount_received = 0;
    if (status === "succeeded") {
      intent.status = "succeeded";
      intent.amount_received = intent.amount;
    } else if (status === "declined") {
      intent.status = "requires_payment_method";
      intent.last_payment_error = { type: "card_error", code: "card_declined", message: "Your card was declined." };
    } else {
      intent.status = status;
    }
  }

  /** Direct edits of a stored intent (what Stripe would report). */
  patch(id: string, fields: Partial<StubIntent>): void {
    const intent = this.intents.get(id);
    if (!intent) throw new Error(`stub: no intent ${id}`);
    Object.assign(intent, fields);
  }

  reset(): void {
    this.requests.length = 0;
    this.intents.clear();
    this.byIdempotencyKey.clear();
    this.mode = "ok";
    this.server.closeAllConnections();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      this.requests.push({
        method: req.method ?? "",
        path: url.pathname,
        headers: req.headers,
        form: new URLSearchParams(Buffer.concat(chunks).toString("utf8")),
      });
      if (this.mode === "hang") return; // never answers; the client times out
      if (this.mode === "error500") {
        return send(res, 500, { error: { type: "api_error", message: "An unknown error occurred (stub)" } });
      }
      if (!/^Bearer sk_test_\w+$/.test(req.headers.authorization ?? "")) {
        return send(res, 401, { error: { type: "invalid_request_error", message: "Invalid API Key provided" } });
      }
      const form = this.requests[this.requests.length - 1].form;
      if (req.method === "POST" && url.pathname === "/v1/payment_intents") return this.create(req, res, form);
      const m = /^\/v1\/payment_intents\/([^/]+)$/.exec(url.pathname);
      if (req.method === "GET" && m) {
        const id = decodeURIComponent(m[1]);
        const intent = this.intents.get(id);
        if (!intent) return send(res, 404, missing(id));
        return send(res, 200, intent);
      }
      return send(res, 404, {
        error: { type: "invalid_request_error", message: `Unrecognized request URL (${req.method}: ${url.pathname})` },
      });
    });
  }

  private create(req: http.IncomingMessage, res: http.ServerResponse, form: URLSearchParams): void {
    const key = req.headers["idempotency-key"];
    if (typeof key === "string" && this.byIdempotencyKey.has(key)) {
      return send(res, 200, this.intents.get(this.byIdempotencyKey.get(key)!));
    }
    const amount = Number(form.get("amount"));
    const currency = form.get("currency");
    if (!Number.isSafeInteger(amount) || amount < 1 || currency === null) {
      return send(res, 400, {
        error: { type: "invalid_request_error", code: "parameter_missing", message: "Missing or invalid amount/currency" },
      });
    }
    const metadata: Record<string, string> = {};
    for (const [k, v] of form) {
      const mk = /^metadata\[(.+)\]$/.exec(k);
      if (mk) metadata[mk[1]] = v;
    }
    const id = `pi_${randomBytes(12).toString("hex")}`;
    const intent: StubIntent = {
      id,
      object: "payment_intent",
      amount,
      amount_received: 0,
      currency,
      status: "requires_payment_method",
      client_secret: `${id}_secret_${randomBytes(8).toString("hex")}`,
      description: form.get("description"),
      metadata,
      last_payment_error: null,
      automatic_payment_methods:
        form.get("automatic_payment_methods[enabled]") === null
          ? null
          : { enabled: form.get("automatic_payment_methods[enabled]") === "true" },
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    this.intents.set(id, intent);
    if (typeof key === "string") this.byIdempotencyKey.set(key, id);
    return send(res, 200, intent);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Request-Id": `req_${randomBytes(6).toString("hex")}`,
  });
  res.end(text);
}

const missing = (id: string) => ({
  error: {
    type: "invalid_request_error",
    code: "resource_missing",
    param: "intent",
    message: `No such payment_intent: '${id}'`,
  },
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

// ------------------------------------------------------------------ fixtures

const SECRET = "sk_test_stub_0123456789";
const PUBLISHABLE = "pk_test_stub_0123456789";
const ALICE = `0x${"a1".repeat(32)}`;
const BOB = `0x${"b2".repeat(32)}`;

function providerAt(apiBase: string, overrides: { timeoutMs?: number; maxNetworkRetries?: number } = {}) {
  return new StripePaymentProvider({
    secretKey: SECRET,
    publishableKey: PUBLISHABLE,
    apiBase,
    timeoutMs: overrides.timeoutMs ?? 30_000,
    maxNetworkRetries: overrides.maxNetworkRetries ?? 0,
  });
}

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

// ------------------------------------------------------------------ the provider alone

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

// ------------------------------------------------------------------ BillingService over the stub

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

const refsOfPayments = (entries: { reference: string }[]): string[] => entries.map((e) => e.reference);
