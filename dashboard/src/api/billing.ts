/**
 * Billing as the relayer offers it: GET /billing/stripe_config tells whether billing is on and with
 * which provider ("dev": local test payments that confirm at once, no money moves; "stripe": card
 * payments through Stripe.js). 404 = billing not enabled on this relayer.
 */
import { LitApiError, type LitNodeSimpleApiClient } from "../../../src/sdk";

export type BillingStatus =
  | { kind: "enabled"; provider: "dev" | "stripe"; publishableKey: string }
  | { kind: "disabled"; reason: string };

export async function billingStatus(client: LitNodeSimpleApiClient): Promise<BillingStatus> {
  try {
    const cfg: { publishable_key: string; provider?: unknown } = await client.getStripeConfig();
    const provider =
      cfg.provider === "dev" || cfg.provider === "stripe"
        ? cfg.provider
        : cfg.publishable_key.startsWith("pk_")
          ? "stripe"
          : "dev";
    return { kind: "enabled", provider, publishableKey: cfg.publishable_key };
  } catch (e) {
    if (e instanceof LitApiError && e.status === 404) {
      return { kind: "disabled", reason: "Billing is not enabled on this relayer: nothing is charged." };
    }
    if (e instanceof LitApiError && e.status === 501) {
      return { kind: "disabled", reason: "This relayer does not implement billing yet (HTTP 501)." };
    }
    throw e;
  }
}

/** Dollars typed by a person -> cents (500 is the minimum a payment intent accepts). */
export function dollarsToCents(text: string): number | null {
  if (!/^\d+(\.\d{1,2})?$/.test(text.trim())) return null;
  return Math.round(Number(text.trim()) * 100);
}

export const MIN_PAYMENT_CENTS = 500;

// ---------------------------------------------------------------- Stripe.js (provider "stripe")

export interface StripeCardElement {
  mount(element: HTMLElement): void;
  destroy(): void;
}

export interface StripeInstance {
  elements(): { create(type: "card", options?: Record<string, unknown>): StripeCardElement };
  confirmCardPayment(
    clientSecret: string,
    data: { payment_method: { card: StripeCardElement } },
  ): Promise<{ error?: { message?: string }; paymentIntent?: { id: string; status: string } }>;
}

declare global {
  interface Window {
    Stripe?: (publishableKey: string) => StripeInstance;
  }
}

const STRIPE_JS = "https://js.stripe.com/v3";
let stripeScript: Promise<void> | null = null;

/** Loads Stripe.js once and returns an instance for the publishable key. */
export async function loadStripe(publishableKey: string): Promise<StripeInstance> {
  stripeScript ??= new Promise<void>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = STRIPE_JS;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => {
      stripeScript = null;
      reject(new Error(`could not load Stripe.js from ${STRIPE_JS}`));
    };
    document.head.appendChild(script);
  });
  await stripeScript;
  if (window.Stripe === undefined) throw new Error("Stripe.js loaded but window.Stripe is missing");
  return window.Stripe(publishableKey);
}
