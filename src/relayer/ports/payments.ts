/**
 * Payment providers (services <- payments) and where the dev provider keeps its intents.
 */

/** Stripe's PaymentIntent statuses (the dev provider uses "succeeded" only). */
export type PaymentStatus =
  | "requires_payment_method"
  | "requires_confirmation"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "canceled"
  | "succeeded";

export interface PaymentIntentInfo {
  id: string;
  status: PaymentStatus;
  /** The amount asked for, in cents. */
  amountCents: number;
  /** The amount actually received (what is credited), in cents. */
  amountReceivedCents: number;
  currency: string;
  /** The account hash the intent was created for (its metadata), or null when absent. */
  account: string | null;
  /** The last payment error's message, when a payment attempt failed. */
  failureMessage: string | null;
}

export interface CreatedIntent {
  id: string;
  /** Handed to the payer's browser (Stripe.js confirms the card with it). */
  clientSecret: string;
}

/** A payment provider (payments/): `stripe` or `dev`. Only the ledger decides what is credited. */
export interface PaymentProvider {
  readonly name: "dev" | "stripe";
  /** What GET /billing/stripe_config reports. */
  readonly publishableKey: string;
  createIntent(request: { account: string; amountCents: number; idempotencyKey?: string }): Promise<CreatedIntent>;
  /** The intent, or null when the provider does not know the id. */
  retrieveIntent(id: string): Promise<PaymentIntentInfo | null>;
}

/** The provider could not be reached or failed: the request may be retried (503). */
export class PaymentProviderUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PaymentProviderUnavailableError";
  }
}

/** Payment intent ids as the providers issue them: `pi_` + letters, digits and underscores. */
export const PAYMENT_INTENT_ID_RE = /^pi_[A-Za-z0-9_]{1,200}$/;

/** A dev payment intent as kept in the database (store/dev-intents.ts). */
export interface DevIntentRow {
  id: string;
  account: string;
  amountCents: number;
}

/** Where the dev payment provider keeps its intents (payments/dev.ts). */
export interface DevIntentStore {
  /** The intent created under a (scoped) idempotency key, if any. */
  byIdempotencyKey(key: string): Promise<DevIntentRow | undefined>;
  byId(id: string): Promise<DevIntentRow | undefined>;
  insert(row: DevIntentRow & { idempotencyKey: string | null; createdAtMs: number }): Promise<void>;
}
