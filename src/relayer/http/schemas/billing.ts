/** Schemas of the billing endpoints (http-api.md §3, §8). */
import { Type } from "@sinclair/typebox";

export const StripeConfigReply = Type.Object({
  publishable_key: Type.String({ description: "Stripe publishable key (dev provider: a fixed pk_dev_... label)" }),
  provider: Type.Union([Type.Literal("dev"), Type.Literal("stripe")], {
    description: "dev = local test payments (no real money); stripe = card payments through Stripe",
  }),
});

export const BalanceReply = Type.Object({
  balance_cents: Type.Integer({ description: "negative = credit (the hosted service's convention); 0 = none" }),
  balance_display: Type.String({ description: '"No credits" or "$X.YY credit"' }),
});

export const CreatePaymentIntentBody = Type.Object({
  amount_cents: Type.Number({
    description: "whole US cents, at least 500 (400 below, negative, fractional or above the maximum)",
  }),
});

export const CreatePaymentIntentReply = Type.Object({
  client_secret: Type.String({ description: "for Stripe.js (confirmCardPayment / Elements)" }),
  payment_intent_id: Type.String({ description: "pi_..." }),
});

export const ConfirmPaymentBody = Type.Object({
  payment_intent_id: Type.String({ description: "an intent this account created (404 otherwise)" }),
});

export const ConfirmPaymentReply = Type.Object({
  success: Type.Literal(true),
  already_credited: Type.Boolean({ description: "true when an earlier call credited it (nothing added now)" }),
  credited_cents: Type.Integer({ description: "the amount credited for this intent" }),
});
