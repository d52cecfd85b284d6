export * from "./provider";
export { DevPaymentProvider, DEV_PAYMENT_MIGRATIONS, DEV_PUBLISHABLE_KEY } from "./dev";
export { StripePaymentProvider, type StripeProviderOptions } from "./stripe";
