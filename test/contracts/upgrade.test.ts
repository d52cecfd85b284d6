/**
 * Upgrades (contracts.md "Upgrades"): replacing every facet with a fresh build keeps all state and
 * leaves the diamond writable; a new facet can be added, read existing storage, and be removed.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../fixtures/diamond";
import { skipBecause } from "../fixtures/skips";
import { FACET_NAMES, FacetCutAction, selectorsOf, type FacetCut } from "../../scripts/lib/diamond";
import { groupIdFrom, newApiKey, usageKeyArgs } from "../fixtures/support";
import { COVERAGE_RUN, MAIN_SLOT, fillState, snapshot, type World } from "../fixtures/diamond-state";
import type { UpgradeProbeFacet } from "../../typechain-types";

/** The current diamond with the representative state (use through loadFixture). */
const deployWithState = async (): Promise<World> => fillState(await deployDiamond());

/** Deploy a fresh instance of every facet; returns name -> new address. */
async function deployFreshFacets(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of FACET_NAMES) out[name] = await (await ethers.deployContract(name)).getAddress();
  return out;
}

/** Replace cuts for every facet, DiamondCutFacet last. */
async function replaceAllCuts(fresh: Record<string, string>): Promise<FacetCut[]> {
  const order = [...FACET_NAMES.filter((n) => n !== "DiamondCutFacet"), "DiamondCutFacet" as const];
  const cuts: FacetCut[] = [];
  for (const name of order) {
    const selectors = selectorsOf((await ethers.getContractFactory(name)).interface);
    cuts.push({ facetAddress: fresh[name], action: FacetCutAction.Replace, functionSelectors: selectors });
  }
  return cuts;
}

describe("Upgrades", () => {
  describe("replacing every facet", () => {
    it("the snapshot covers real state (sanity check of the fixture)", async function () {
      if (COVERAGE_RUN) skipBecause(this, "coverage-run", "checks the full snapshot, which the coverage run samples");
      const w = await loadFixture(deployWithState);
      const s = await snapshot(w);
      expect(s["accountCount"]).to.equal("3");
      expect(s["pkpCount"]).to.equal("4");
      expect(s["nodeConfigurationKeys"]).to.deep.equal(["rpc_url", "threshold"]);
      expect(s[`apiKeyBalance(${w.hashes[0]})`]).to.equal("999");
      expect(s[`canExecuteAction(${w.hashes[1]},${w.cids[1]})`]).to.equal(true);
      expect(s[`canExecuteAction(${w.hashes[4]},${w.cids[0]})`]).to.equal(false); // expired key
      expect(String(s[`getAccount(${w.hashes[9]})`])).to.not.match(/^revert/);
      expect(String(s[`getAccount(${w.hashes[10]})`])).to.match(/^revert/);
      expect(Object.keys(s).length).to.be.greaterThan(2000);
    });

    it("keeps every view identical after one cut replacing all facets (DiamondCutFacet last)", async () => {
      const w = await loadFixture(deployWithState);
      const before = await snapshot(w);
      const fresh = await deployFreshFacets();
      await w.f.diamond.connect(w.f.owner).diamondCut(await replaceAllCuts(fresh), ethers.ZeroAddress, "0x");
      expect(await snapshot(w)).to.deep.equal(before);
    });

    it("keeps every view identical after one cut per facet (DiamondCutFacet last)", async () => {
      const w = await loadFixture(deployWithState);
      const before = await snapshot(w);
      const fresh = await deployFreshFacets();
      for (const cut of await replaceAllCuts(fresh)) {
        await w.f.diamond.connect(w.f.owner).diamondCut([cut], ethers.ZeroAddress, "0x");
      }
      expect(await snapshot(w)).to.deep.equal(before);
    });

    it("routes every selector to the new facets and drops the old ones from the loupe", async () => {
      const w = await loadFixture(deployWithState);
      const fresh = await deployFreshFacets();
      await w.f.diamond.diamondCut(await replaceAllCuts(fresh), ethers.ZeroAddress, "0x");
      const addresses = [...(await w.f.diamond.facetAddresses())];
      expect(addresses.length).to.equal(FACET_NAMES.length);
      expect(addresses).to.have.members(FACET_NAMES.map((n) => fresh[n]));
      for (const name of FACET_NAMES) {
        for (const selector of selectorsOf((await ethers.getContractFactory(name)).interface)) {
          expect(await w.f.diamond.facetAddress(selector), `${name} ${selector}`).to.equal(fresh[name]);
        }
        expect(await w.f.diamond.facetFunctionSelectors(w.f.facets[name]), name).to.deep.equal([]);
      }
    });

    it("keeps the diamond writable after the upgrade", async () => {
      const w = await loadFixture(deployWithState);
      const { f } = w;
      const d = f.diamond;
      const counterBefore = await ethers.provider.getStorage(f.diamondAddress, MAIN_SLOT + 1n);
      await d.diamondCut(await replaceAllCuts(await deployFreshFacets()), ethers.ZeroAddress, "0x");

      const a = w.hashes[0];
      const gid = await groupIdFrom(f, d.connect(f.payer).addGroup(a, "after upgrade", "", [w.cids[0]], [w.wallets[0]]));
      expect(gid).to.equal(BigInt(counterBefore) + 1n);
      const u = newApiKey("post-upgrade");
      await d.connect(f.payer).setUsageApiKey(a, u.hash, ...usageKeyArgs({ executeInGroups: [gid] }));
      expect(await d.canUseWalletInAction(u.hash, w.cids[0], w.wallets[0])).to.equal(true);
      await d.connect(f.payer).creditApiKey(a, 1);
      expect(await d.apiKeyBalance(a)).to.equal(1000n);
      await d.connect(f.users[1]).transferChainSecuredAccountOwnership(w.hashes[5], f.users[5].address);
      expect(await d.getAccountWalletAddress(w.hashes[5])).to.equal(f.users[5].address);
      await d.connect(f.configOperator).setNodeConfiguration("after", "upgrade");
      expect(await d.nodeConfigurationKeys()).to.deep.equal(["rpc_url", "threshold", "after"]);
      await d.connect(f.pricingOperator).setPricing(2, 5);
      expect(await d.pricingItemIds()).to.deep.equal([1n, 0n, 2n]);
    });

    it("still enforces access control after the upgrade", async () => {
      const w = await loadFixture(deployWithState);
      const { f } = w;
      await f.diamond.diamondCut(await replaceAllCuts(await deployFreshFacets()), ethers.ZeroAddress, "0x");
      await expect(f.diamond.connect(f.users[4]).addGroup(w.hashes[0], "x", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(f.users[4].address);
      await expect(f.diamond.connect(f.payer).diamondCut([], ethers.ZeroAddress, "0x"))
        .to.be.revertedWithCustomError(f.diamond, "NotContractOwner")
        .withArgs(f.payer.address, f.owner.address);
    });

    it("lets the replaced DiamondCutFacet perform later cuts", async () => {
      const w = await loadFixture(deployWithState);
      const { f } = w;
      await f.diamond.diamondCut(await replaceAllCuts(await deployFreshFacets()), ethers.ZeroAddress, "0x");
      const again = await deployFreshFacets();
      await expect(f.diamond.diamondCut(await replaceAllCuts(again), ethers.ZeroAddress, "0x")).to.emit(f.diamond, "DiamondCut");
      expect(await f.diamond.facetAddress(f.diamond.interface.getFunction("diamondCut").selector)).to.equal(again.DiamondCutFacet);
    });

    it("still refuses to re-run the initializer after the upgrade", async () => {
      const w = await loadFixture(deployWithState);
      const { f } = w;
      await f.diamond.diamondCut(await replaceAllCuts(await deployFreshFacets()), ethers.ZeroAddress, "0x");
      const init = await ethers.getContractAt("AccountConfigInit", f.initAddress);
      const data = init.interface.encodeFunctionData("initializeV1", [
        { configOperator: f.owner.address, pricingOperator: f.owner.address, adminApiPayer: f.owner.address, apiPayers: [] },
      ]);
      await expect(f.diamond.diamondCut([], f.initAddress, data))
        .to.be.revertedWithCustomError(f.diamond, "AlreadyInitialized")
        .withArgs(1n, 2n);
    });
  });

  describe("adding and removing a facet (UpgradeProbeFacet)", () => {
    async function addV2(w: World) {
      const facet = await ethers.deployContract("UpgradeProbeFacet");
      const facetAddress = await facet.getAddress();
      const selectors = selectorsOf(facet.interface);
      await w.f.diamond.diamondCut([{ facetAddress, action: FacetCutAction.Add, functionSelectors: selectors }], ethers.ZeroAddress, "0x");
      const v2 = (await ethers.getContractAt("UpgradeProbeFacet", w.f.diamondAddress)) as unknown as UpgradeProbeFacet;
      return { facetAddress, selectors, v2 };
    }

    it("adds the new facet's selectors to the loupe", async () => {
      const w = await loadFixture(deployWithState);
      const { facetAddress, selectors } = await addV2(w);
      expect(selectors.length).to.equal(3);
      expect([...(await w.f.diamond.facetFunctionSelectors(facetAddress))].sort()).to.deep.equal(selectors);
      expect(await w.f.diamond.facetAddresses()).to.include(facetAddress);
    });

    it("serves a new pure view through the diamond", async () => {
      const w = await loadFixture(deployWithState);
      const { v2 } = await addV2(w);
      expect(await v2.probeVersion()).to.equal(2n);
    });

    it("reads existing storage through LibAccountConfig (group counter, storage version)", async () => {
      const w = await loadFixture(deployWithState);
      const { v2 } = await addV2(w);
      const maxGroup = w.groups.filter((g) => g !== 999n).reduce((m, g) => (g > m ? g : m), 0n);
      expect(await v2.groupCounter()).to.equal(maxGroup);
      expect(await v2.storageVersion()).to.equal(2n);
    });

    it("sees writes made through the other facets", async () => {
      const w = await loadFixture(deployWithState);
      const { v2 } = await addV2(w);
      const before = await v2.groupCounter();
      const gid = await groupIdFrom(w.f, w.f.diamond.connect(w.f.payer).addGroup(w.hashes[0], "new", "", [], []));
      expect(gid).to.equal(before + 1n);
      expect(await v2.groupCounter()).to.equal(gid);
    });

    it("leaves all other views unchanged while added", async () => {
      const w = await loadFixture(deployWithState);
      const before = await snapshot(w);
      await addV2(w);
      expect(await snapshot(w)).to.deep.equal(before);
    });

    it("removes the facet: its selectors revert FunctionDoesNotExist and the loupe forgets it", async () => {
      const w = await loadFixture(deployWithState);
      const { facetAddress, selectors, v2 } = await addV2(w);
      await w.f.diamond.diamondCut([{ facetAddress: ethers.ZeroAddress, action: FacetCutAction.Remove, functionSelectors: selectors }], ethers.ZeroAddress, "0x");
      await expect(v2.probeVersion())
        .to.be.revertedWithCustomError(w.f.diamond, "FunctionDoesNotExist")
        .withArgs(v2.interface.getFunction("probeVersion").selector);
      await expect(v2.groupCounter())
        .to.be.revertedWithCustomError(w.f.diamond, "FunctionDoesNotExist")
        .withArgs(v2.interface.getFunction("groupCounter").selector);
      await expect(v2.storageVersion())
        .to.be.revertedWithCustomError(w.f.diamond, "FunctionDoesNotExist")
        .withArgs(v2.interface.getFunction("storageVersion").selector);
      expect(await w.f.diamond.facetAddresses()).to.not.include(facetAddress);
      for (const selector of selectors) expect(await w.f.diamond.facetAddress(selector)).to.equal(ethers.ZeroAddress);
    });

    it("leaves all views unchanged after add and remove", async () => {
      const w = await loadFixture(deployWithState);
      const before = await snapshot(w);
      const { selectors } = await addV2(w);
      await w.f.diamond.diamondCut([{ facetAddress: ethers.ZeroAddress, action: FacetCutAction.Remove, functionSelectors: selectors }], ethers.ZeroAddress, "0x");
      expect(await snapshot(w)).to.deep.equal(before);
    });
  });
});
