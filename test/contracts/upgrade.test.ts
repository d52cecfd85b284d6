/**
 * Upgrades (contracts.md "Upgrades"): replacing every facet with a fresh build keeps all state and
 * leaves the diamond writable; a new facet can be added, read existing storage, and be removed.
 */
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../fixtures/diamond";
import { skipBecause } from "../fixtures/skips";
import { FACET_NAMES, FacetCutAction, selectorsOf, type FacetCut } from "../../scripts/lib/diamond";
import { aliasOf, groupIdFrom, hashText, newApiKey, registerWallet, usageKeyArgs } from "../fixtures/helpers";
import type { ReadsFacetV2 } from "../../typechain-types";

const MAIN_SLOT = (() => {
  const inner = BigInt(ethers.keccak256(ethers.toUtf8Bytes("accountconfig.storage.main"))) - 1n;
  const outer = BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [inner])));
  return outer & ~0xffn;
})();

interface World {
  f: DiamondFixture;
  /** every hash worth probing: masters, aliases, usage keys (live, removed, expired), unknown */
  hashes: bigint[];
  cids: bigint[];
  wallets: string[];
  groups: bigint[];
  nodeKeys: string[];
  pricingIds: bigint[];
}

/** A representative state: managed + ChainSecured accounts, wildcard groups, keys, balances, config. */
async function deployWithState(): Promise<World> {
  const f = await deployDiamond();
  const d = f.diamond;
  const [adminB1, adminB2, adminC, extraPayer] = f.users;

  // ---- account A: managed, written by the api payer
  const a = newApiKey("A");
  await d.connect(f.payer).newAccount(a.hash, true, "Account A", "managed account", ethers.Wallet.createRandom().address);
  const cidA1 = hashText("QmA1");
  const cidA2 = hashText("QmA2");
  const cidA3 = hashText("QmA3");
  await d.connect(f.payer).addAction(a.hash, "action 1", "first", cidA1);
  await d.connect(f.payer).addAction(a.hash, "action 2", "second", cidA2);
  const w1 = await registerWallet(f, f.payer, a.hash, "w1");
  const w2 = await registerWallet(f, f.payer, a.hash, "w2");
  const gA1 = await groupIdFrom(f, d.connect(f.payer).addGroup(a.hash, "explicit", "one cid", [cidA1], [w1]));
  const gA2 = await groupIdFrom(f, d.connect(f.payer).addGroup(a.hash, "wildcards", "all", [0n], [ethers.ZeroAddress]));
  const gA3 = await groupIdFrom(f, d.connect(f.payer).addGroup(a.hash, "two", "", [cidA2, cidA3], [w2]));
  const gA4 = await groupIdFrom(f, d.connect(f.payer).addGroup(a.hash, "doomed", "", [cidA1], []));
  await d.connect(f.payer).removeGroup(a.hash, gA4);
  await d.connect(f.payer).addPkpToGroup(a.hash, gA3, w1);
  await d.connect(f.payer).updateGroupMetadata(a.hash, gA1, "explicit (renamed)", "d");
  await d.connect(f.payer).updateActionMetadata(a.hash, cidA2, gA3, "action 2b", "renamed");

  const uA1 = newApiKey("uA1");
  const future = BigInt(await time.latest()) + 10n * 365n * 86400n;
  await d
    .connect(f.payer)
    .setUsageApiKey(a.hash, uA1.hash, ...usageKeyArgs({ expiration: future, balance: 10, name: "scoped", createGroups: true, manageIPFSIdsInGroups: [gA1], addPkpToGroups: [0], executeInGroups: [gA1, gA3] }));
  const uA2 = newApiKey("uA2");
  await d.connect(f.payer).setUsageApiKey(a.hash, uA2.hash, ...usageKeyArgs({ name: "all-access", executeInGroups: [0], deleteGroups: true }));
  const uA3 = newApiKey("uA3");
  await d.connect(f.payer).setUsageApiKey(a.hash, uA3.hash, ...usageKeyArgs({ name: "removed", executeInGroups: [gA2] }));
  await d.connect(f.payer).removeUsageApiKey(a.hash, uA3.hash);
  const uA4 = newApiKey("uA4");
  const soon = BigInt(await time.latest()) + 100n;
  await d.connect(f.payer).setUsageApiKey(a.hash, uA4.hash, ...usageKeyArgs({ name: "expiring", expiration: soon, executeInGroups: [gA2] }));
  await d.connect(f.payer).updateUsageApiKeyMetadata(a.hash, uA2.hash, "all-access (renamed)", "never deploy");
  await d.connect(f.payer).creditApiKey(a.hash, 1000);
  await d.connect(f.pricingOperator).debitApiKey(a.hash, 1);

  // ---- account B: managed, converted to ChainSecured, then transferred
  const b = newApiKey("B");
  await d.connect(f.payer).newAccount(b.hash, true, "Account B", "", ethers.Wallet.createRandom().address);
  const cidB = hashText("QmB");
  const wB = await registerWallet(f, f.payer, b.hash, "wB");
  const gB1 = await groupIdFrom(f, d.connect(f.payer).addGroup(b.hash, "b-group", "", [cidB, 0n], [wB]));
  const uB = newApiKey("uB");
  await d.connect(f.payer).setUsageApiKey(b.hash, uB.hash, ...usageKeyArgs({ executeInGroups: [gB1], removePkpFromGroups: [0], createPKPs: true }));
  await d.connect(f.payer).creditApiKey(b.hash, 50);
  await d.connect(f.payer).convertToChainSecuredAccount(b.hash, adminB1.address);
  await d.connect(adminB1).transferChainSecuredAccountOwnership(b.hash, adminB2.address);
  await d.connect(adminB2).addActionToGroup(b.hash, gB1, hashText("QmB2"));

  // ---- account C: self-service ChainSecured
  await d.connect(adminC).newChainSecuredAccount("Account C", "sovereign");
  const c = aliasOf(adminC.address);
  const cidC = hashText("QmC");
  const wC = await registerWallet(f, adminC, c, "wC");
  const gC1 = await groupIdFrom(f, d.connect(adminC).addGroup(c, "c-group", "", [cidC], [ethers.ZeroAddress]));
  await d.connect(adminC).addAction(c, "c action", "", hashText("QmC-unused"));
  await d.connect(f.payer).creditApiKey(c, 7);

  // ---- config and pricing
  await d.connect(f.adminPayer).setApiPayers([f.payer.address, f.payer2.address, extraPayer.address]);
  await d.connect(f.configOperator).setRequestedApiPayerCount(5);
  await d.connect(f.configOperator).setRebalanceAmount(ethers.parseEther("0.25"));
  await d.connect(f.configOperator).setNodeConfiguration("rpc_url", "https://rpc.example");
  await d.connect(f.configOperator).setNodeConfiguration("threshold", "3");
  await d.connect(f.configOperator).setNodeConfiguration("tmp", "x");
  await d.connect(f.configOperator).removeNodeConfiguration("tmp");
  await d.connect(f.pricingOperator).setPricing(1, 25);
  await d.connect(f.pricingOperator).setPricing(0, 100);
  await d.connect(f.owner).setPricing(1, 30);

  await time.increase(1000); // uA4 is now expired

  return {
    f,
    hashes: [a.hash, uA1.hash, uA2.hash, uA3.hash, uA4.hash, b.hash, aliasOf(adminB1.address), aliasOf(adminB2.address), uB.hash, c, newApiKey("unknown").hash],
    cids: [cidA1, cidA2, cidA3, cidB, cidC, hashText("QmUnregistered"), 0n],
    wallets: [w1, w2, wB, wC, ethers.Wallet.createRandom().address, ethers.ZeroAddress],
    groups: [gA1, gA2, gA3, gA4, gB1, gC1, 999n],
    nodeKeys: ["rpc_url", "threshold", "tmp", "never"],
    pricingIds: [0n, 1n, 2n],
  };
}

/** Result/bigint -> JSON-friendly values, so snapshots compare structurally. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return Array.from(value, plain);
  return value;
}

/** A view's result, or its revert data when it reverts (so reverting views are snapshotted too). */
async function safe(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return plain(await call());
  } catch (e) {
    const err = e as { data?: string; message?: string };
    return `revert:${err.data ?? err.message}`;
  }
}

/** Every view of the diamond over the world's hashes, cids, wallets and groups. */
/**
 * Under solidity-coverage every view call is instrumented and the full cross product below takes
 * minutes; the coverage run then snapshots a sample (the first few of each kind). Plain `npm test`
 * always compares everything.
 */
const COVERAGE_RUN = Boolean((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING);
const sample = <T>(items: T[], n: number): T[] => (COVERAGE_RUN ? items.slice(0, n) : items);

async function snapshot(world: World): Promise<Record<string, unknown>> {
  const w: World = {
    ...world,
    hashes: sample(world.hashes, 3),
    groups: sample(world.groups, 3),
    cids: sample(world.cids, 2),
    wallets: sample(world.wallets, 2),
  };
  const d = w.f.diamond;
  const s: Record<string, unknown> = {};
  const pending: Promise<void>[] = [];
  // queue every call and await them together (far faster than one round trip at a time)
  const put = async (label: string, call: () => Promise<unknown>) => {
    if (label in s) throw new Error(`duplicate snapshot label ${label}`);
    s[label] = undefined;
    pending.push(safe(call).then((v) => void (s[label] = v)));
  };

  // globals
  await put("accountCount", () => d.accountCount());
  const accounts = Number(await d.accountCount());
  for (let i = 0; i <= accounts; i++) await put(`indexToAccountHashAt(${i})`, () => d.indexToAccountHashAt(i));
  await put("pkpCount", () => d.pkpCount());
  const pkps = Number(await d.pkpCount());
  for (let i = 0; i <= pkps; i++) await put(`allPkpIdsAt(${i})`, () => d.allPkpIdsAt(i));
  await put("api_payers", () => d.api_payers());
  await put("apiPayerCount", () => d.apiPayerCount());
  for (const who of [w.f.payer, w.f.payer2, w.f.users[3], w.f.users[4], w.f.owner]) {
    await put(`isApiPayer(${who.address})`, () => d.isApiPayer(who.address));
  }
  await put("adminApiPayerAccount", () => d.adminApiPayerAccount());
  await put("configOperator", () => d.configOperator());
  await put("pricingOperator", () => d.pricingOperator());
  await put("requestedApiPayerCount", () => d.requestedApiPayerCount());
  await put("rebalanceAmount", () => d.rebalanceAmount());
  await put("nodeConfigurationKeys", () => d.nodeConfigurationKeys());
  await put("nodeConfigurationValues", () => d.nodeConfigurationValues());
  for (const k of w.nodeKeys) await put(`nodeConfigurationValue(${k})`, () => d.nodeConfigurationValue(k));
  await put("pricingItemIds", () => d.pricingItemIds());
  await put("pricingItemCount", () => d.pricingItemCount());
  for (let i = 0; i <= w.pricingIds.length; i++) await put(`pricingAt(${i})`, () => d.pricingAt(i));
  for (const id of w.pricingIds) await put(`getPricing(${id})`, () => d.getPricing(id));
  await put("owner", () => d.owner());
  for (const id of ["0x01ffc9a7", "0x1f931c1c", "0x48e2b093", "0x7f5828d0", "0xffffffff"]) {
    await put(`supportsInterface(${id})`, () => d.supportsInterface(id));
  }
  for (let i = 0; i < 2; i++) {
    await put(`storage(main+${i})`, () => ethers.provider.getStorage(w.f.diamondAddress, MAIN_SLOT + BigInt(i)));
  }

  // per hash
  for (const h of w.hashes) {
    await put(`resolveApiKeyHash(${h})`, () => d.resolveApiKeyHash(h));
    await put(`accountExistsAndIsMutable(${h})`, () => d.accountExistsAndIsMutable(h));
    await put(`getAccount(${h})`, () => d.getAccount(h));
    await put(`getAccountWalletAddress(${h})`, () => d.getAccountWalletAddress(h));
    await put(`apiKeyBalance(${h})`, () => d.apiKeyBalance(h));
    await put(`listGroups(${h})`, () => d.listGroups(h, 0, 100));
    await put(`listActions(${h})`, () => d.listActions(h, 0, 100));
    await put(`listPkps(${h})`, () => d.listPkps(h, 0, 100));
    await put(`listApiKeys(${h})`, () => d.listApiKeys(h, 0, 100));
    for (const u of w.hashes) await put(`getUsageApiKey(${h},${u})`, () => d.getUsageApiKey(h, u));
    for (const g of w.groups) {
      await put(`listGroupContents(${h},${g})`, () => d.listGroupContents(h, g));
      await put(`listActionsInGroup(${h},${g})`, () => d.listActionsInGroup(h, g, 0, 100));
      await put(`listWalletsInGroup(${h},${g})`, () => d.listWalletsInGroup(h, g, 0, 100));
    }
    for (const wallet of w.wallets) await put(`getWalletDerivation(${h},${wallet})`, () => d.getWalletDerivation(h, wallet));
    await put(`apiKeyCanExecuteForAnyGroup(${h},all)`, () => d.apiKeyCanExecuteForAnyGroup(h, w.groups));
    for (const g of w.groups) await put(`apiKeyCanExecuteForAnyGroup(${h},[${g}])`, () => d.apiKeyCanExecuteForAnyGroup(h, [g]));
    for (const cid of w.cids) {
      await put(`canExecuteAction(${h},${cid})`, () => d.canExecuteAction(h, cid));
      await put(`canExecuteActionFast(${h},${cid})`, () => d.canExecuteActionFast(h, cid));
      await put(`canUseWalletInActionFast(${h},${cid},${w.wallets[0]})`, () => d.canUseWalletInActionFast(h, cid, w.wallets[0]));
      await put(`groupIdsForAction(${h},${cid})`, () => d.groupIdsForAction(h, cid));
      for (const wallet of w.wallets) {
        await put(`canUseWalletInAction(${h},${cid},${wallet})`, () => d.canUseWalletInAction(h, cid, wallet));
        await put(`canExecuteActionAndUseWallet(${h},${cid},${wallet})`, () => d.canExecuteActionAndUseWallet(h, cid, wallet));
        await put(`groupIdsForActionAndWallet(${h},${cid},${wallet})`, () => d.groupIdsForActionAndWallet(h, cid, wallet));
      }
    }
  }
  await Promise.all(pending);
  return s;
}

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

  describe("adding and removing a facet (ReadsFacetV2)", () => {
    async function addV2(w: World) {
      const facet = await ethers.deployContract("ReadsFacetV2");
      const facetAddress = await facet.getAddress();
      const selectors = selectorsOf(facet.interface);
      await w.f.diamond.diamondCut([{ facetAddress, action: FacetCutAction.Add, functionSelectors: selectors }], ethers.ZeroAddress, "0x");
      const v2 = (await ethers.getContractAt("ReadsFacetV2", w.f.diamondAddress)) as unknown as ReadsFacetV2;
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
      expect(await v2.readsVersion()).to.equal(2n);
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
      await expect(v2.readsVersion())
        .to.be.revertedWithCustomError(w.f.diamond, "FunctionDoesNotExist")
        .withArgs(v2.interface.getFunction("readsVersion").selector);
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
