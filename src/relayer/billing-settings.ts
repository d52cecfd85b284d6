/**
 * The billing settings of the relayer (config.ts lists the variables; http-api.md §8): the payment
 * provider, prices and top-up bounds in US cents, and the Stripe keys.
 */
import { quote, type Reader } from "./env-reader";

export type BillingProviderName = "none" | "dev" | "stripe";

/** Billing settings (http-api.md §8). Amounts are US cents. */
export interface BillingSettings {
  provider: BillingProviderName;
  startingCreditCents: number;
  prices: { writeCents: number; executionSecondCents: number };
  minTopUpCents: number;
  maxTopUpCents: number;
  stripe: { secretKey: string; publishableKey: string; apiBase: string } | null;
}

export function readBillingSettings(read: Reader, problems: string[]): BillingSettings {
  const providerText = read.string("BILLING_PROVIDER", "none").toLowerCase();
  const provider = (["none", "dev", "stripe"] as const).find((p) => p === providerText);
  if (provider === undefined) problems.push(`BILLING_PROVIDER: expected none, dev or stripe, got ${quote(providerText)}`);
  const minTopUpCents = read.int("BILLING_MIN_TOP_UP_CENTS", 500, 50, 99_999_999);
  const maxTopUpCents = read.int("BILLING_MAX_TOP_UP_CENTS", 99_999_999, 50, 99_999_999);
  if (maxTopUpCents < minTopUpCents)
    problems.push(`BILLING_MAX_TOP_UP_CENTS: ${maxTopUpCents} is below BILLING_MIN_TOP_UP_CENTS (${minTopUpCents})`);
  let stripe: BillingSettings["stripe"] = null;
  if (provider === "stripe") {
    const secretKey = read.optional("STRIPE_SECRET_KEY");
    const publishableKey = read.optional("STRIPE_PUBLISHABLE_KEY");
    if (secretKey === null) problems.push("STRIPE_SECRET_KEY: required with BILLING_PROVIDER=stripe");
    else if (!/^(sk|rk)_(test|live)_\S+$/.test(secretKey))
      problems.push("STRIPE_SECRET_KEY: expected a Stripe secret key (sk_test_..., sk_live_... or rk_...)");
    if (publishableKey === null) problems.push("STRIPE_PUBLISHABLE_KEY: required with BILLING_PROVIDER=stripe");
    else if (!/^pk_(test|live)_\S+$/.test(publishableKey))
      problems.push("STRIPE_PUBLISHABLE_KEY: expected a Stripe publishable key (pk_test_... or pk_live_...)");
    const apiBase = read.string("STRIPE_API_BASE", "https://api.stripe.com");
    if (!/^https?:\/\/[^/\s]+\/?$/i.test(apiBase))
      problems.push(`STRIPE_API_BASE: expected scheme://host[:port], got ${quote(apiBase)}`);
    stripe = { secretKey: secretKey ?? "", publishableKey: publishableKey ?? "", apiBase: apiBase.replace(/\/$/, "") };
  }
  return {
    provider: provider ?? "none",
    startingCreditCents: read.int("BILLING_STARTING_CREDIT_CENTS", provider === "dev" ? 10_000 : 0, 0, 1_000_000_000),
    prices: {
      writeCents: read.int("BILLING_WRITE_PRICE_CENTS", 1, 0, 1_000_000),
      executionSecondCents: read.int("BILLING_EXECUTION_SECOND_PRICE_CENTS", 1, 0, 1_000_000),
    },
    minTopUpCents,
    maxTopUpCents,
    stripe,
  };
}
