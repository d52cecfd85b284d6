/**
 * Facet list and selector helpers shared by the test fixture, the deploy scripts and the tasks.
 * Pure functions over ethers Interfaces: no Hardhat runtime needed.
 */
import { Interface, FunctionFragment } from "ethers";

/**
 * Every facet of the AccountConfig diamond, in cut order: the diamond's own three, then one facet
 * per domain, each serving its domain's writes and views (interface contracts/interfaces/I<Domain>.sol).
 */
export const FACET_NAMES = [
  "DiamondCutFacet",
  "DiamondLoupeFacet",
  "OwnershipFacet",
  "AccountsFacet",
  "ActionsFacet",
  "WalletsFacet",
  "GroupsFacet",
  "UsageKeysFacet",
  "PermissionsFacet",
  "ConfigFacet",
  "BillingFacet",
  "BatchFacet",
] as const;

export type FacetName = (typeof FACET_NAMES)[number];

/** EIP-2535 FacetCutAction values. */
export const FacetCutAction = { Add: 0, Replace: 1, Remove: 2 } as const;

export interface FacetCut {
  facetAddress: string;
  action: number;
  functionSelectors: string[];
}

/** The 4-byte selectors of every function in `iface`, sorted. */
export function selectorsOf(iface: Interface): string[] {
  const out: string[] = [];
  iface.forEachFunction((f: FunctionFragment) => out.push(f.selector));
  return out.sort();
}

/** Initializer arguments of AccountConfigInit.initializeV1. */
export interface InitArgs {
  configOperator: string;
  pricingOperator: string;
  adminApiPayer: string;
  apiPayers: string[];
}

/** A facet to deploy: the deployment name and the contract (artifact) it is built from. */
export interface FacetSpec {
  deployment: FacetName;
  contract: string;
}

/**
 * The facets to deploy. `ACCOUNTCONFIG_FACET_OVERRIDES` ("BillingFacet:OtherContract,...") builds a
 * facet from another contract: used by tests to prove that a changed facet is cut in.
 */
export function facetSpecs(overrides = process.env.ACCOUNTCONFIG_FACET_OVERRIDES ?? ""): FacetSpec[] {
  const map = new Map<string, string>();
  for (const entry of overrides.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [deployment, contract] = entry.split(":").map((s) => s.trim());
    if (!FACET_NAMES.includes(deployment as FacetName) || !contract) {
      throw new Error(`ACCOUNTCONFIG_FACET_OVERRIDES: expected "<FacetName>:<Contract>", got "${entry}"`);
    }
    map.set(deployment, contract);
  }
  return FACET_NAMES.map((deployment) => ({ deployment, contract: map.get(deployment) ?? deployment }));
}

/** Selector -> facet address. */
export type SelectorMap = Map<string, string>;

/**
 * The cuts that turn the diamond's current selector map into the desired one: Add for new
 * selectors, Replace for selectors served by another facet address, Remove for selectors no
 * desired facet serves. Grouped by facet address, deterministic order.
 */
export function diffCuts(current: SelectorMap, desired: SelectorMap): FacetCut[] {
  const add = new Map<string, string[]>();
  const replace = new Map<string, string[]>();
  const remove: string[] = [];
  const push = (m: Map<string, string[]>, k: string, v: string) => m.set(k, [...(m.get(k) ?? []), v]);
  for (const [selector, facet] of [...desired.entries()].sort()) {
    const now = current.get(selector);
    if (now === undefined) push(add, facet, selector);
    else if (now.toLowerCase() !== facet.toLowerCase()) push(replace, facet, selector);
  }
  for (const selector of [...current.keys()].sort()) if (!desired.has(selector)) remove.push(selector);
  const cuts: FacetCut[] = [];
  for (const [facetAddress, functionSelectors] of replace) cuts.push({ facetAddress, action: FacetCutAction.Replace, functionSelectors });
  for (const [facetAddress, functionSelectors] of add) cuts.push({ facetAddress, action: FacetCutAction.Add, functionSelectors });
  if (remove.length) cuts.push({ facetAddress: "0x0000000000000000000000000000000000000000", action: FacetCutAction.Remove, functionSelectors: remove });
  return cuts;
}

/** Merge ABIs (functions, events, errors; first occurrence wins), dropping constructors. */
export function mergeAbis(abis: readonly (readonly unknown[])[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const abi of abis) {
    const iface = new Interface(abi as never);
    for (const fragment of iface.fragments) {
      if (fragment.type === "constructor") continue;
      const key = `${fragment.type}:${fragment.format("sighash")}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(JSON.parse(fragment.format("json")));
    }
  }
  return out;
}
