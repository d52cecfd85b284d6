/**
 * Upgrading a diamond that runs the last release cut on two axes (WritesFacet and ReadsFacet beside
 * domain facets; bytecode of main at b7ee608 in test/fixtures/release-v2/contracts.json) to the
 * facets by domain (docs/contracts.md, "Facets"), with the project's own selector-diff deploy script
 * (deploy/002_diamond.ts): every view answers as before, every selector stays on the diamond and is
 * served by the new facet of its domain, and no selector is left on a removed facet.
 */
import { expect } from "chai";
import { deployments, ethers } from "hardhat";
import { FunctionFragment, Interface, type InterfaceAbi } from "ethers";
import release from "../fixtures/release-v2/contracts.json";
import { FACET_NAMES, FacetCutAction, selectorsOf, type FacetName } from "../../scripts/lib/diamond";
import { storageVersion } from "../../scripts/lib/storage-v2";
import { fillState, snapshot, type World } from "../fixtures/diamond-state";
import { groupIdFrom, hashText, newApiKey, usageKeyArgs } from "../fixtures/support";
import { deployReleaseDiamond, loupeSelectors, upgradeWithDeployScript } from "./release-diamond";

type ReleaseName = keyof typeof release.contracts;

/**
 * Where each function of the two removed facets lives now. Written out by hand (not derived from
 * the build) so that a function moved to the wrong domain fails here.
 */
const MOVED: Record<"WritesFacet" | "ReadsFacet", Record<string, FacetName>> = {
  WritesFacet: {
    addAction: "ActionsFacet",
    removeAction: "ActionsFacet",
    updateActionMetadata: "ActionsFacet",
    registerWalletDerivation: "WalletsFacet",
  },
  ReadsFacet: {
    accountCount: "AccountsFacet",
    indexToAccountHashAt: "AccountsFacet",
    accountExistsAndIsMutable: "AccountsFacet",
    accountExists: "AccountsFacet",
    getAccountWalletAddress: "AccountsFacet",
    getAccount: "AccountsFacet",
    resolveApiKeyHash: "AccountsFacet",
    getWalletDerivation: "WalletsFacet",
    pkpCount: "WalletsFacet",
    allPkpIdsAt: "WalletsFacet",
    listPkps: "WalletsFacet",
    listWalletsInGroup: "WalletsFacet",
    listGroups: "GroupsFacet",
    listGroupContents: "GroupsFacet",
    listActions: "ActionsFacet",
    listActionsInGroup: "ActionsFacet",
    listApiKeys: "UsageKeysFacet",
    getUsageApiKey: "UsageKeysFacet",
  },
};

interface Release {
  world: World;
  /** release facet name -> its address in the old cut */
  oldFacets: Record<string, string>;
  /** selector -> facet address, as the loupe reports it */
  loupe(): Promise<Map<string, string>>;
}

/** Deploys the release-v2 cut (facets, initializer, diamond), registers it with hardhat-deploy and fills it with state. */
async function deployReleaseWithState(): Promise<Release> {
  const f = await deployReleaseDiamond(release);
  const world = await fillState(f);
  return { world, oldFacets: f.facets, loupe: () => loupeSelectors(f.diamond) };
}

/** The selector-diff upgrade, exactly as `hardhat deploy` runs it; returns the block it started after. */
async function upgrade(): Promise<number> {
  const block = await ethers.provider.getBlockNumber();
  await upgradeWithDeployScript();
  return block;
}

/** Facet name -> address of the facets the deploy script deployed for the new cut. */
async function newFacets(): Promise<Record<FacetName, string>> {
  const out = {} as Record<FacetName, string>;
  for (const name of FACET_NAMES) out[name] = (await deployments.get(name)).address;
  return out;
}

describe("Upgrading the WritesFacet/ReadsFacet release to the facets by domain", function () {
  this.timeout(600_000);

  // One old diamond with state, upgraded once: the snapshot of every view is long, so the tests
  // below share the deployment and each checks one property of the same upgrade.
  let r: Release;
  let viewsBefore: Record<string, unknown>;
  let selectorsBefore: Map<string, string>;
  let upgradedAfterBlock: number;

  before(async () => {
    r = await deployReleaseWithState();
    viewsBefore = await snapshot(r.world);
    selectorsBefore = await r.loupe();
    upgradedAfterBlock = await upgrade();
  });

  it("the release serves WritesFacet and ReadsFacet selectors from those facets before the upgrade", () => {
    for (const [facet, moved] of Object.entries(MOVED)) {
      const iface = new Interface(release.contracts[facet as ReleaseName].abi as InterfaceAbi);
      expect(Object.keys(moved).sort(), facet).to.deep.equal(
        iface.fragments.filter((f): f is FunctionFragment => f.type === "function").map((f) => f.name).sort(),
      );
      for (const name of Object.keys(moved)) {
        expect(selectorsBefore.get(iface.getFunction(name)!.selector), `${facet}.${name}`).to.equal(r.oldFacets[facet]);
      }
    }
  });

  it("keeps the storage version (2): the cut carries no initializer", async () => {
    expect(await storageVersion(ethers.provider, r.world.f.diamondAddress)).to.equal(2n);
  });

  it("keeps every view's answer over the whole state", async () => {
    expect(Object.keys(viewsBefore).length).to.be.greaterThan(100);
    expect(await snapshot(r.world)).to.deep.equal(viewsBefore);
  });

  it("keeps exactly the same selectors on the diamond (none lost, none added)", async () => {
    expect([...(await r.loupe()).keys()].sort()).to.deep.equal([...selectorsBefore.keys()].sort());
  });

  it("cut only Replace actions: every selector moved to a new facet address", async () => {
    const cuts = await r.world.f.diamond.queryFilter(r.world.f.diamond.filters.DiamondCut(), upgradedAfterBlock + 1);
    expect(cuts).to.have.length(1);
    const actions = cuts[0].args._diamondCut.map((c) => Number(c.action));
    expect(new Set(actions)).to.deep.equal(new Set([FacetCutAction.Replace]));
    const replaced = cuts[0].args._diamondCut.flatMap((c) => [...c.functionSelectors]).sort();
    expect(replaced).to.deep.equal([...selectorsBefore.keys()].sort());
  });

  it("routes every selector to the new facet whose build declares it", async () => {
    const facets = await newFacets();
    const loupe = await r.loupe();
    for (const name of FACET_NAMES) {
      const selectors = selectorsOf((await ethers.getContractFactory(name)).interface);
      for (const selector of selectors) expect(loupe.get(selector), `${name} ${selector}`).to.equal(facets[name]);
      expect([...(await r.world.f.diamond.facetFunctionSelectors(facets[name]))].sort(), name).to.deep.equal(selectors);
    }
  });

  it("routes each function of WritesFacet and ReadsFacet to the facet of its domain", async () => {
    const facets = await newFacets();
    const loupe = await r.loupe();
    for (const [facet, moved] of Object.entries(MOVED)) {
      const iface = new Interface(release.contracts[facet as ReleaseName].abi as InterfaceAbi);
      for (const [name, domain] of Object.entries(moved)) {
        expect(loupe.get(iface.getFunction(name)!.selector), `${facet}.${name} -> ${domain}`).to.equal(facets[domain]);
      }
    }
  });

  it("leaves no selector on a facet of the old cut, and the loupe lists only the new facets", async () => {
    const facets = await newFacets();
    const addresses = [...(await r.world.f.diamond.facetAddresses())];
    expect(addresses).to.have.members(Object.values(facets));
    expect(addresses).to.have.length(FACET_NAMES.length);
    for (const [name, address] of Object.entries(r.oldFacets)) {
      expect(addresses, name).to.not.include(address);
      expect(await r.world.f.diamond.facetFunctionSelectors(address), name).to.deep.equal([]);
    }
  });

  it("saves the deployment's ABI with the same functions, events and errors as the release's facets", async () => {
    const saved = new Interface((await deployments.get("AccountConfig")).abi as InterfaceAbi);
    const names = (iface: Interface, type: string) =>
      iface.fragments.filter((f) => f.type === type).map((f) => f.format("sighash"));
    for (const type of ["function", "event", "error"]) {
      const released = new Set(
        Object.entries(release.contracts)
          .filter(([n]) => n !== "AccountConfigInit")
          .flatMap(([, c]) => names(new Interface(c.abi as InterfaceAbi), type)),
      );
      expect(new Set(names(saved, type)), type).to.deep.equal(released);
    }
  });

  it("accepts writes of every domain through the new facets afterwards", async () => {
    const { f, hashes, cids, wallets } = r.world;
    const d = f.diamond;
    const a = hashes[0];
    const cid = hashText("QmAfterDomainUpgrade");
    await expect(d.connect(f.payer).addAction(a, "after", "", cid)).to.emit(d, "ActionMetadataSet");
    const pkp = ethers.Wallet.createRandom().address;
    await expect(d.connect(f.payer).registerWalletDerivation(a, pkp, 987_654_321n, "w", "")).to.emit(d, "WalletDerivationRegistered");
    const gid = await groupIdFrom(f, d.connect(f.payer).addGroup(a, "after", "", [cid, cids[0]], [pkp, wallets[0]]));
    const u = newApiKey("after-domain-upgrade");
    await d.connect(f.payer).setUsageApiKey(a, u.hash, ...usageKeyArgs({ executeInGroups: [gid] }));
    expect(await d.canUseWalletInAction(u.hash, cid, pkp)).to.equal(true);
    expect((await d.listActionsInGroup(a, gid, 0, 10)).map((m) => m.id)).to.include(cid);
    expect((await d.listWalletsInGroup(a, gid, 0, 10)).map((w) => w.pkpId)).to.include(pkp);
    expect((await d.getUsageApiKey(a, u.hash)).executeInGroups).to.deep.equal([gid]);
    await d.connect(f.payer).creditApiKey(a, 5);
    expect(await d.apiKeyBalance(a)).to.equal(1004n);
    await expect(d.connect(f.users[4]).removeAction(a, cid))
      .to.be.revertedWithCustomError(d, "OnlyApiPayerOrOwner")
      .withArgs(f.users[4].address);
  });
});
