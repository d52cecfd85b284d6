export * from "./provider";
export { DevPaymentProvider, DEV_PUBLISHABLE_KEY } from "./dev";
export { StripePaymentProvider, type StripeProviderOptions } from "./stripe";
