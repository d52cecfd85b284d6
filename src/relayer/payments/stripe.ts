/**
 * The `stripe` payment provider, through the official `stripe` package. Intents are created in
 * USD with the account hash in their metadata (`account_hash`); the payer's browser confirms the
 * card with Stripe.js and the intent's client secret; confirm_payment then reads the intent back
 * and credits `amount_received` once it has succeeded.
 *
 * `apiBase` points the package at another host (a local stub in tests, stripe-mock, a proxy).
 */
import { createHash } from "crypto";
import Stripe from "stripe";
import {
  type CreatedIntent,
  type PaymentIntentInfo,
  type PaymentProvider,
  PaymentProviderUnavailableError,
  type PaymentStatus,
} from "./provider";

export interface StripeProviderOptions {
  secretKey: string;
  publishableKey: string;
  /** scheme://host[:port] of the Stripe API (default https://api.stripe.com). */
  apiBase?: string;
  /** Per-request timeout (10 s). */
  timeoutMs?: number;
  /** Retries of network failures and 409/5xx answers, with Stripe's idempotency keys (2). */
  maxNetworkRetries?: number;
}

export class StripePaymentProvider implements PaymentProvider {
  readonly name = "stripe" as const;
  readonly publishableKey: string;
  private readonly stripe: Stripe;

  constructor(options: StripeProviderOptions) {
    this.publishableKey = options.publishableKey;
    const base = new URL(options.apiBase ?? "https://api.stripe.com");
    const protocol = base.protocol === "http:" ? "http" : "https";
    this.stripe = new Stripe(options.secretKey, {
      host: base.hostname,
      port: base.port === "" ? (protocol === "http" ? 80 : 443) : Number(base.port),
      protocol,
      timeout: options.timeoutMs ?? 10_000,
      maxNetworkRetries: options.maxNetworkRetries ?? 2,
      telemetry: false,
      appInfo: { name: "accountconfig-relayer" },
    });
  }

  async createIntent(request: { account: string; amountCents: number; idempotencyKey?: string }): Promise<CreatedIntent> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amountCents,
          currency: "usd",
          automatic_payment_methods: { enabled: true },
          description: "AccountConfig credits",
          metadata: { account_hash: request.account },
        },
        request.idempotencyKey === undefined ? undefined : { idempotencyKey: stripeIdempotencyKey(request.account, request.idempotencyKey) },
      );
      if (intent.client_secret === null) throw new PaymentProviderUnavailableError("Stripe returned no client secret");
      return { id: intent.id, clientSecret: intent.client_secret };
    } catch (e) {
      throw unavailable(e);
    }
  }

  async retrieveIntent(id: string): Promise<PaymentIntentInfo | null> {
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.retrieve(id);
    } catch (e) {
      if (isMissing(e)) return null;
      throw unavailable(e);
    }
    return {
      id: intent.id,
      status: intent.status as PaymentStatus,
      amountCents: intent.amount,
      amountReceivedCents: intent.amount_received ?? 0,
      currency: intent.currency,
      account: intent.metadata?.account_hash ?? null,
      failureMessage: intent.last_payment_error?.message ?? null,
    };
  }
}

/**
 * Stripe's idempotency key for a client's Idempotency-Key: namespaced by account and hashed to a
 * fixed 64 characters (Stripe allows 255; the client's key may already be 255).
 */
export function stripeIdempotencyKey(account: string, clientKey: string): string {
  return createHash("sha256").update(`${account}:${clientKey}`).digest("hex");
}

/** Only Stripe's "no such object" means the intent is unknown; any other 404 (a wrong URL or proxy) is an outage. */
function isMissing(e: unknown): boolean {
  return (e as { code?: string })?.code === "resource_missing";
}

function unavailable(e: unknown): Error {
  if (e instanceof PaymentProviderUnavailableError) return e;
  const err = e as { message?: string; type?: string; statusCode?: number };
  return new PaymentProviderUnavailableError(
    `Stripe: ${err?.message ?? String(e)}${err?.statusCode ? ` (HTTP ${err.statusCode})` : ""}`,
  );
}
