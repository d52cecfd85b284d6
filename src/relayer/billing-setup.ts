/**
 * Billing composition (http-api.md §8): the ledger, the payment provider and the service, from
 * the relayer configuration; and the on-chain mirror of the prices (BillingFacet pricing items).
 */
import type { BillingSettings } from "./config";
import { diamondInterface, type RpcLike } from "./chain";
import { DevPaymentProvider, type PaymentProvider, StripePaymentProvider } from "./payments";
import { BillingService } from "./services";
import { SqlDevIntentStore, SqlLedger, type Queryable } from "./store";

/** BillingFacet pricing item ids of the relayer's prices (US cents). */
export const PRICING_ITEMS = { managementWrite: 1n, executionSecond: 2n } as const;

export interface BillingSetup {
  service: BillingService;
  ledger: SqlLedger | null;
  provider: PaymentProvider | null;
}

/** The billing service of a configuration; provider "none" gives a disabled service. */
export function createBilling(settings: BillingSettings, db: Queryable): BillingSetup {
  if (settings.provider === "none") return { service: BillingService.disabled(), ledger: null, provider: null };
  const ledger = new SqlLedger(db, { startingCreditCents: settings.startingCreditCents });
  let provider: PaymentProvider;
  if (settings.provider === "stripe") {
    if (settings.stripe === null) throw new Error("STRIPE_SECRET_KEY / STRIPE_PUBLISHABLE_KEY: required with BILLING_PROVIDER=stripe");
    provider = new StripePaymentProvider(settings.stripe);
  } else {
    provider = new DevPaymentProvider(new SqlDevIntentStore(db));
  }
  return { service: new BillingService({ settings, ledger, provider }), ledger, provider };
}

export interface PricingMismatch {
  item: "managementWrite" | "executionSecond";
  itemId: bigint;
  configured: bigint;
  onChain: bigint;
}

/**
 * Compares the configured prices with the diamond's pricing items (getPricing). The diamond is the
 * published price list; `npx hardhat billing:set-pricing --item <id> --price <cents>` (owner or
 * pricing operator) updates it, and `npm start` writes it at deploy time.
 */
export async function pricingMismatches(
  rpc: RpcLike,
  diamond: string,
  prices: BillingSettings["prices"],
): Promise<PricingMismatch[]> {
  const out: PricingMismatch[] = [];
  const wanted: [PricingMismatch["item"], bigint][] = [
    ["managementWrite", BigInt(prices.writeCents)],
    ["executionSecond", BigInt(prices.executionSecondCents)],
  ];
  for (const [item, configured] of wanted) {
    const itemId = PRICING_ITEMS[item];
    const data = diamondInterface.encodeFunctionData("getPricing", [itemId]);
    const raw = String(await rpc.send("eth_call", [{ to: diamond, data }, "latest"]));
    const onChain = BigInt(diamondInterface.decodeFunctionResult("getPricing", raw)[0] as bigint);
    if (onChain !== configured) out.push({ item, itemId, configured, onChain });
  }
  return out;
}
