/**
 * The billing endpoints (http-api.md §3, §8): stripe_config (public), balance,
 * create_payment_intent and confirm_payment, for an API key of the account or, for ChainSecured
 * accounts, an X-Wallet-Auth header. With billing off each answers 404 "billing not enabled".
 */
import type { FastifyInstance } from "fastify";
import type { RelayerServices } from "../../services";
import { endpoint } from "../endpoint";
import {
  BalanceReply,
  ConfirmPaymentBody,
  ConfirmPaymentReply,
  CreatePaymentIntentBody,
  CreatePaymentIntentReply,
  StripeConfigReply,
} from "../schemas/billing";

const AUTH =
  "Any key of the account (master or usage) or, without a key, X-Wallet-Auth signed by the account's ChainSecured admin. " +
  "404 BillingNotEnabled when the relayer runs without a payment provider.";

export function registerBillingRoutes(app: FastifyInstance, services: RelayerServices): void {
  const billing = services.billing;

  endpoint(app, services, {
    method: "GET",
    path: "/billing/stripe_config",
    tag: "billing",
    summary: "The payment provider and its publishable key",
    description: "404 BillingNotEnabled when billing is off.",
    auth: "none",
    response: StripeConfigReply,
    handle: async () => billing.stripeConfig(),
  });

  endpoint(app, services, {
    method: "GET",
    path: "/billing/balance",
    tag: "billing",
    summary: "The account's credit balance (shared by all its keys; kept through conversion and transfer)",
    description: AUTH,
    auth: "account",
    response: BalanceReply,
    handle: async ({ account }) => billing.balance(account),
  });

  endpoint(app, services, {
    method: "POST",
    path: "/billing/create_payment_intent",
    tag: "billing",
    summary: "Start a top-up: a payment intent for amount_cents (at least 500)",
    description: `${AUTH} Pay it with the client_secret (Stripe.js), then call confirm_payment. Accepts Idempotency-Key.`,
    auth: "account",
    write: true,
    body: CreatePaymentIntentBody,
    response: CreatePaymentIntentReply,
    handle: async ({ account, body, write }) =>
      billing.createPaymentIntent(account, body.amount_cents, write.idempotencyKey),
  });

  endpoint(app, services, {
    method: "POST",
    path: "/billing/confirm_payment",
    tag: "billing",
    summary: "Credit a succeeded payment intent of this account (exactly once)",
    description:
      `${AUTH} 400 malformed id; 404 unknown id or another account's; 409 PaymentPending while the payment is not complete; ` +
      "402 PaymentFailed when it failed or was canceled; 503 when the provider cannot be reached. A repeat answers success " +
      "with already_credited: true and credits nothing.",
    auth: "account",
    body: ConfirmPaymentBody,
    response: ConfirmPaymentReply,
    handle: async ({ account, body }) => billing.confirmPayment(account, body.payment_intent_id),
  });
}
