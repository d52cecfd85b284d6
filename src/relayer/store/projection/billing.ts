/** On-chain balances (credits and debits of api keys) and the pricing table. */
import type { RowWriter } from "./journal";
import type { Handlers } from "./handler";
import { SETS, nextPos } from "./sets";
import { str } from "./values";

async function addBalance(w: RowWriter, hash: string, delta: bigint): Promise<void> {
  const row = await w.get("balances", [hash]);
  const next = BigInt(typeof row?.amount === "string" ? row.amount : "0") + delta;
  if (next < 0n) throw new Error(`index: balance of ${hash} would become negative`);
  await w.upsert("balances", { hash, amount: next.toString() });
}

export const BILLING_HANDLERS: Handlers = {
  async ApiKeyCredited(w, a) {
    await addBalance(w, str(a, "apiKeyHash"), BigInt(str(a, "amount")));
  },
  async ApiKeyDebited(w, a) {
    await addBalance(w, str(a, "apiKeyHash"), -BigInt(str(a, "amount")));
  },
  async PricingUpdated(w, a) {
    const id = str(a, "pricingItemId");
    const price = str(a, "price");
    if (!(await w.update("pricing", [id], { price }))) {
      await w.insert("pricing", { item_id: id, price, pos: await nextPos(w, SETS.pricing) });
    }
  },
};
