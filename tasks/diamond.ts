/** diamond:* tasks: the diamond itself (address, owner, facets). */
import { defineTask, type Json } from "./lib/cli";

defineTask({
  name: "diamond:info",
  description:
    "The diamond's address, owner and facets: {address, owner, selectorCount, facets: [{name, address, selectors}]} (owner, facets); name is the hardhat-deploy deployment name if known.",
  params: {},
  run: async (ctx) => {
    const names = new Map<string, string>();
    const all = await ctx.hre.deployments.all();
    for (const [name, d] of Object.entries(all)) {
      if (name !== "AccountConfig" && name !== "AccountConfigDiamond") names.set(d.address.toLowerCase(), name);
    }
    const owner = await ctx.diamond.owner();
    const facets = await ctx.diamond.facets();
    const list: Json[] = facets.map((f) => ({
      name: names.get(f.facetAddress.toLowerCase()) ?? null,
      address: f.facetAddress,
      selectors: f.functionSelectors.length,
    }));
    const selectorCount = facets.reduce((n, f) => n + f.functionSelectors.length, 0);
    return { address: ctx.diamondAddress, owner, selectorCount, facets: list };
  },
});
