/** The relayer's prices mirrored as the diamond's pricing items (1 = management write, 2 = Lit Action second). */
import { expect } from "chai";
import { ethers } from "hardhat";
import { PRICING_ITEMS, pricingMismatches } from "../../../src/relayer/billing-setup";
import type { RpcLike } from "../../../src/relayer/chain";
import { deployDiamond } from "../../fixtures/diamond";

const rpc: RpcLike = { send: (method, params) => ethers.provider.send(method, params as unknown[]) };

describe("billing: prices mirrored on the diamond", () => {
  it("reports each item whose on-chain price differs from the configured one", async () => {
    const f = await deployDiamond();
    const m = await pricingMismatches(rpc, f.diamondAddress, { writeCents: 1, executionSecondCents: 2 });
    expect(m).to.deep.equal([
      { item: "managementWrite", itemId: 1n, configured: 1n, onChain: 0n },
      { item: "executionSecond", itemId: 2n, configured: 2n, onChain: 0n },
    ]);
  });

  it("reports nothing once the pricing operator has published the configured prices", async () => {
    const f = await deployDiamond();
    await (await f.diamond.connect(f.pricingOperator).setPricing(PRICING_ITEMS.managementWrite, 1)).wait();
    await (await f.diamond.connect(f.pricingOperator).setPricing(PRICING_ITEMS.executionSecond, 2)).wait();
    expect(await pricingMismatches(rpc, f.diamondAddress, { writeCents: 1, executionSecondCents: 2 })).to.deep.equal([]);
    expect(await f.diamond.getPricing(PRICING_ITEMS.executionSecond)).to.equal(2n);
  });
});
