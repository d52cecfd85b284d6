/**
 * Payment providers behind one interface (http-api.md §8): `stripe` (the official `stripe`
 * package; real money with live keys) and `dev` (local test payments, no money moves). The billing
 * service creates intents through a provider and, on confirm_payment, asks it for the intent's
 * status; only the ledger decides what is credited.
 */

export {
  PAYMENT_INTENT_ID_RE,
  PaymentProviderUnavailableError,
  type CreatedIntent,
  type PaymentIntentInfo,
  type PaymentProvider,
  type PaymentStatus,
} from "../ports";
