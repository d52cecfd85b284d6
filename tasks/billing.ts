/** billing:* tasks: pricing operator, price list, key balances. */
import { parseUint } from "../src/core";
import type { ContractTransactionResponse } from "ethers";
import { defineTask, optional, read, required, send, type Diamond, type Json } from "./lib/cli";
import { keyHashArg } from "./lib/options";
import { defineAddressSetter, defineView } from "./lib/simple-tasks";

const ACCOUNT = required("API key text or 0x apiKeyHash (a usage key has its own balance, other hashes use the master's)");

/** A write that changes a key's balance by --amount. */
function defineBalanceWrite(
  name: string,
  call: (d: Diamond, account: bigint, amount: bigint) => Promise<ContractTransactionResponse>,
  { description }: { description: string },
): void {
  defineTask({
    name,
    description,
    signer: "signer 0 (the owner; or an api payer or the pricing operator)",
    params: { account: ACCOUNT, amount: required("amount (positive, decimal or 0x hex)") },
    run: async (ctx, a) => {
      const account = keyHashArg(a.account);
      const amount = parseUint(a.amount, "--amount");
      return send(ctx, (d) => call(d, account, amount));
    },
  });
}

defineAddressSetter("billing:set-pricing-operator", (d, address) => d.setPricingOperator(address), {
  description: "Set the pricing operator (setPricingOperator).",
  signer: "signer 0 (must be the owner)",
  address: "new pricing operator address",
});

defineView("billing:pricing-operator", "pricingOperator", (d) => d.pricingOperator(), {
  description: "The pricing operator (pricingOperator).",
});

defineTask({
  name: "billing:set-pricing",
  description: "Set the price of a pricing item (setPricing).",
  signer: "signer 0 (the owner; or the pricing operator)",
  params: { item: required("pricing item id"), price: required("price (decimal or 0x hex)") },
  run: async (ctx, a) => {
    const item = parseUint(a.item, "--item");
    const price = parseUint(a.price, "--price");
    return send(ctx, (d) => d.setPricing(item, price));
  },
});

defineTask({
  name: "billing:pricing",
  description:
    "With --item: its price (getPricing). Without: {count, items: [{id, price}]} for every item ever set (pricingItemCount, pricingItemIds).",
  params: { item: optional("pricing item id") },
  run: async (ctx, a) => {
    const item = a.item;
    if (item !== undefined) return read(ctx, "getPricing", (d) => d.getPricing(parseUint(item, "--item")));
    const count = await read(ctx, "pricingItemCount", (d) => d.pricingItemCount());
    const ids = await ctx.diamond.pricingItemIds();
    const items: Json[] = [];
    for (const id of ids) items.push({ id: id.toString(), price: (await ctx.diamond.getPricing(id)).toString() });
    return { count, items };
  },
});

defineTask({
  name: "billing:pricing-at",
  description: "The price of the index-th pricing item ever set (pricingAt).",
  params: { index: required("zero-based pricing item index") },
  run: async (ctx, a) => read(ctx, "pricingAt", (d) => d.pricingAt(parseUint(a.index, "--index"))),
});

defineBalanceWrite("billing:credit", (d, account, amount) => d.creditApiKey(account, amount), {
  description: "Credit a key's balance (creditApiKey).",
});

defineBalanceWrite("billing:debit", (d, account, amount) => d.debitApiKey(account, amount), {
  description: "Debit a key's balance (debitApiKey); reverts with InsufficientBalance above the balance.",
});

defineTask({
  name: "billing:balance",
  description: "A key's balance (apiKeyBalance), as a decimal string.",
  params: { account: ACCOUNT },
  run: async (ctx, a) => read(ctx, "apiKeyBalance", (d) => d.apiKeyBalance(keyHashArg(a.account))),
});
