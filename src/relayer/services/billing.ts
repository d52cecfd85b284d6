/**
 * Billing (http-api.md §8): credits in US cents on a ledger keyed by the account's master hash.
 *
 * - Top-ups: create_payment_intent (bounded amount) through the payment provider, then
 *   confirm_payment, which credits the intent's received amount exactly once, and only for the
 *   account that created it, once the provider reports it succeeded.
 * - Management writes: `chargeWrite` takes the write's price before the transaction is queued
 *   (402 when the balance is short, so no gas is spent) and the caller refunds it when the write
 *   fails. A repeat with the same Idempotency-Key that only replays a result is never charged
 *   again, also once an earlier attempt under that key was refunded.
 * - Lit Actions: `meterExecution` takes the first second's price before the action starts (402
 *   when short) and one more second's price as each further second starts; when the balance runs
 *   out mid-run the action is stopped. Nothing is ever charged below zero.
 * Authentication, validation and permission checks run before any of these (the hosted service
 * charges denied and malformed calls; we do not).
 *
 * With provider "none" billing is off: nothing is charged and the endpoints answer 404.
 */
import { randomUUID } from "crypto";
import type { BillingSettings } from "../config";
import {
  type Ledger,
  PAYMENT_INTENT_ID_RE,
  type PaymentIntentInfo,
  type PaymentProvider,
  PaymentProviderUnavailableError,
} from "../ports";
import { ServiceError, conflict, invalidValue, notFound } from "./errors";

export interface BillingDeps {
  settings: Pick<BillingSettings, "provider" | "prices" | "minTopUpCents" | "maxTopUpCents">;
  /** Null when billing is off. */
  ledger: Ledger | null;
  provider: PaymentProvider | null;
}

/** A taken charge that can be given back (a failed write). */
export interface Charge {
  readonly reference: string;
  readonly amountCents: number;
  /** Credits the charge back once (no-op when nothing was taken). */
  refund(): Promise<void>;
}

/** A running execution's meter. */
export interface ExecutionMeter {
  /** Aborted when the balance cannot pay for the next started second. */
  readonly signal: AbortSignal;
  /** The run starts now: further seconds are charged as they start. */
  begin(): void;
  /** Settles the bill from the measured duration (charges or returns the difference). */
  finish(durationMs: number): Promise<{ chargedCents: number; uncollectedCents: number }>;
}

export interface BalanceView {
  /** Negative = credit, as the hosted service reports it. */
  balance_cents: number;
  balance_display: string;
}

const NO_CHARGE: Charge = { reference: "", amountCents: 0, refund: async () => undefined };

export class BillingService {
  constructor(private readonly deps: BillingDeps) {}

  /** Billing off (provider "none"): nothing is charged; the endpoints answer 404. */
  static disabled(): BillingService {
    return new BillingService({
      settings: { provider: "none", prices: { writeCents: 0, executionSecondCents: 0 }, minTopUpCents: 0, maxTopUpCents: 0 },
      ledger: null,
      provider: null,
    });
  }

  get enabled(): boolean {
    return this.deps.ledger !== null && this.deps.provider !== null;
  }

  // ------------------------------------------------------------------ endpoints

  stripeConfig(): { publishable_key: string; provider: "dev" | "stripe" } {
    const provider = this.requireProvider();
    return { publishable_key: provider.publishableKey, provider: provider.name };
  }

  async balance(account: string): Promise<BalanceView> {
    const credit = await this.db(() => this.requireLedger().balance(account));
    return balanceView(credit);
  }

  async createPaymentIntent(
    account: string,
    amount: unknown,
    idempotencyKey?: string,
  ): Promise<{ client_secret: string; payment_intent_id: string }> {
    const provider = this.requireProvider();
    const ledger = this.requireLedger();
    const cents = this.topUpAmount(amount);
    let created;
    try {
      created = await provider.createIntent({ account, amountCents: cents, idempotencyKey });
    } catch (e) {
      throw providerError(e);
    }
    await this.db(() =>
      ledger.recordPayment({ intentId: created.id, account, provider: provider.name, amountCents: cents }),
    );
    return { client_secret: created.clientSecret, payment_intent_id: created.id };
  }

  /**
   * Credits a succeeded intent of this account once. A repeat (or a concurrent twin) answers
   * success without a second credit. Unknown ids and other accounts' ids are 404 alike.
   */
  async confirmPayment(account: string, intentId: unknown): Promise<{ success: true; already_credited: boolean; credited_cents: number }> {
    const provider = this.requireProvider();
    const ledger = this.requireLedger();
    if (typeof intentId !== "string" || !PAYMENT_INTENT_ID_RE.test(intentId))
      throw invalidValue("payment_intent_id", "expected a payment intent id (pi_ followed by letters, digits or _)");
    const unknown = () => notFound("PaymentIntentNotFound", `no payment intent ${intentId} belongs to this account`);
    const record = await this.db(() => ledger.payment(intentId));
    if (record === null || record.account !== account || record.provider !== provider.name) throw unknown();
    if (record.creditedCents !== null)
      return { success: true, already_credited: true, credited_cents: record.creditedCents };
    let intent: PaymentIntentInfo | null;
    try {
      intent = await provider.retrieveIntent(intentId);
    } catch (e) {
      throw providerError(e);
    }
    if (intent === null || (intent.account !== null && intent.account !== account)) throw unknown();
    requireSucceeded(intent);
    if (intent.currency.toLowerCase() !== "usd")
      throw conflict("PaymentCurrencyMismatch", `payment ${intentId} is in ${intent.currency}, credits are bought in usd`);
    const received = intent.amountReceivedCents;
    const r = await this.db(() => ledger.creditPayment(account, intentId, received));
    return { success: true, already_credited: r.status === "duplicate", credited_cents: received };
  }

  // ------------------------------------------------------------------ charging

  /**
   * Takes the price of one management write from `account` (402 when short). With an
   * Idempotency-Key, the charge is per attempt of the request (Ledger.debitAttempt): a repeat
   * of a charged attempt only replays its result and is not charged again; after an attempt
   * failed and was refunded, the next attempt (the write runs again) is charged anew; repeats of
   * that one are free again.
   */
  async chargeWrite(account: string, idempotencyKey?: string): Promise<Charge> {
    const cents = this.deps.settings.prices.writeCents;
    if (!this.enabled || cents === 0) return NO_CHARGE;
    const ledger = this.requireLedger();
    const r =
      idempotencyKey === undefined
        ? await this.db(async () => {
            const reference = `write:${account}:${randomUUID()}`;
            return { ...(await ledger.debit(account, cents, "write", reference)), reference };
          })
        : await this.db(() => ledger.debitAttempt(account, cents, "write", `write:${account}:idem:${idempotencyKey}`));
    if (r.status === "insufficient") throw paymentRequired(cents, r.balanceCents, "this write");
    if (r.status === "duplicate") return NO_CHARGE;
    return this.refundable(account, r.reference, cents);
  }

  /**
   * Starts billing an execution: the first second is taken now (402 when short), each further
   * started second when it starts. `finish` settles on the measured duration.
   */
  async meterExecution(account: string, requestId: string): Promise<ExecutionMeter> {
    const perSecond = this.deps.settings.prices.executionSecondCents;
    const controller = new AbortController();
    if (!this.enabled || perSecond === 0) {
      return {
        signal: controller.signal,
        begin: () => undefined,
        finish: async () => ({ chargedCents: 0, uncollectedCents: 0 }),
      };
    }
    const ledger = this.requireLedger();
    const base = `exec:${account}:${requestId}:${randomUUID()}`;
    const first = await this.db(() => ledger.debit(account, perSecond, "execution", `${base}:s1`));
    if (first.status === "insufficient") throw paymentRequired(perSecond, first.balanceCents, "a Lit Action");
    let seconds = 1; // seconds paid for
    let finished = false;
    let ticking: Promise<void> = Promise.resolve();
    const payNext = async (): Promise<boolean> => {
      const r = await ledger.debit(account, perSecond, "execution", `${base}:s${seconds + 1}`);
      if (r.status === "insufficient") return false;
      seconds += 1;
      return true;
    };
    let timer: NodeJS.Timeout | null = null;
    const tick = () => {
      ticking = ticking.then(async () => {
        if (finished || controller.signal.aborted) return;
        const paid = await payNext().catch(() => false);
        if (!paid && !finished) controller.abort(new Error("out of credits: the balance cannot pay for another second"));
      });
    };
    return {
      signal: controller.signal,
      begin: () => {
        if (timer !== null || finished) return;
        timer = setInterval(tick, 1000);
        timer.unref?.();
      },
      finish: async (durationMs: number) => {
        finished = true;
        if (timer !== null) clearInterval(timer);
        await ticking;
        const started = Math.max(1, Math.ceil(durationMs / 1000));
        let uncollected = 0;
        // A tick may lag behind the run by a few ms: pay for seconds it missed, while the balance allows.
        while (seconds < started) {
          if (!(await payNext().catch(() => false))) {
            uncollected = (started - seconds) * perSecond;
            break;
          }
        }
        // ... or have paid for a second that the run did not start (timer ahead of the clock).
        if (seconds > started) {
          const extra = (seconds - started) * perSecond;
          await ledger.credit(account, extra, "refund", `refund:${base}:over`);
          seconds = started;
        }
        return { chargedCents: seconds * perSecond, uncollectedCents: uncollected };
      },
    };
  }

  // ------------------------------------------------------------------ internals

  private refundable(account: string, reference: string, cents: number): Charge {
    const ledger = this.requireLedger();
    let done = false;
    return {
      reference,
      amountCents: cents,
      refund: async () => {
        if (done) return;
        done = true;
        await ledger.credit(account, cents, "refund", `refund:${reference}`);
      },
    };
  }

  private topUpAmount(amount: unknown): number {
    const { minTopUpCents: min, maxTopUpCents: max } = this.deps.settings;
    const expected = `expected a whole number of cents from ${min} to ${max}`;
    if (typeof amount !== "number" || !Number.isFinite(amount)) throw invalidValue("amount_cents", `${expected}`);
    if (!Number.isInteger(amount)) throw invalidValue("amount_cents", `${expected}; got a fraction (${amount})`);
    if (amount < 0) throw invalidValue("amount_cents", `${expected}; got a negative amount (${amount})`);
    if (amount < min) throw invalidValue("amount_cents", `the minimum top-up is ${min} cents; got ${amount}`);
    if (amount > max) throw invalidValue("amount_cents", `the maximum top-up is ${max} cents; got ${amount}`);
    return amount;
  }

  private requireProvider(): PaymentProvider {
    if (!this.enabled || this.deps.provider === null) throw billingOff();
    return this.deps.provider;
  }

  private requireLedger(): Ledger {
    if (!this.enabled || this.deps.ledger === null) throw billingOff();
    return this.deps.ledger;
  }

  /** Database failures become 503 (nothing was applied: every ledger change is one transaction). */
  private async db<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ServiceError) throw e;
      throw new ServiceError("Unavailable", "DatabaseUnavailable", `billing database: ${(e as Error).message}`, 5);
    }
  }
}

/** The hosted service's balance shape: negative cents = credit. */
export function balanceView(creditCents: number): BalanceView {
  return {
    balance_cents: creditCents === 0 ? 0 : -creditCents,
    balance_display: creditCents > 0 ? `$${(creditCents / 100).toFixed(2)} credit` : "No credits",
  };
}

const billingOff = (): ServiceError =>
  new ServiceError("NotFound", "BillingNotEnabled", "billing not enabled on this relayer (BILLING_PROVIDER=none)");

function paymentRequired(priceCents: number, balanceCents: number, what: string): ServiceError {
  return new ServiceError(
    "PaymentRequired",
    "InsufficientCredits",
    `not enough credits for ${what}: it costs ${priceCents} cent(s), the balance is ${balanceCents}; add funds (POST /billing/create_payment_intent)`,
  );
}

function requireSucceeded(intent: PaymentIntentInfo): void {
  switch (intent.status) {
    case "succeeded":
      return;
    case "canceled":
      throw new ServiceError("PaymentRequired", "PaymentFailed", `payment ${intent.id} was canceled; nothing was credited`);
    case "requires_payment_method":
      if (intent.failureMessage !== null)
        throw new ServiceError(
          "PaymentRequired",
          "PaymentFailed",
          `payment ${intent.id} failed: ${intent.failureMessage}; nothing was credited (pay again with another card)`,
        );
      throw conflict("PaymentPending", `payment ${intent.id} has no payment method yet (status requires_payment_method)`);
    default:
      throw conflict(
        "PaymentPending",
        `payment ${intent.id} is not complete (status ${intent.status}); confirm again once it has succeeded`,
      );
  }
}

function providerError(e: unknown): ServiceError {
  if (e instanceof ServiceError) return e;
  if (e instanceof PaymentProviderUnavailableError)
    return new ServiceError("Unavailable", "PaymentProviderUnavailable", e.message, 5);
  return new ServiceError("Unavailable", "PaymentProviderUnavailable", `payment provider: ${(e as Error).message}`, 5);
}
