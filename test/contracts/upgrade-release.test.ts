/**
 * Upgrading a diamond that runs the first release (facets built from commit 4570ee7, kept as
 * bytecode in test/fixtures/release-v1/contracts.json) with the project's own selector-diff deploy
 * script (deploy/002_diamond.ts): accounts made and used under the old facets keep their state, and
 * the authority rules of storage version 2 hold for them afterwards (docs/contract-behaviour.md,
 * "Authority follows the current owner"; the initializer: AccountConfigInit.initializeV2).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import release from "../fixtures/release-v1/contracts.json";
import { FACET_NAMES, diffCuts, selectorsOf, type SelectorMap } from "../../scripts/lib/diamond";
import { MAIN_STORAGE_SLOT, chunks, legacyMasterWallets, storageVersion } from "../../scripts/lib/storage-v2";
import { aliasOf, hashText, usageKeyArgs } from "../fixtures/support";
import { deployReleaseDiamond, loupeSelectors, upgradeWithDeployScript } from "./release-diamond";
import type { DiamondFixture } from "../fixtures/diamond";

/**
 * Deploys the first release (facets, initializer, diamond) and registers it with hardhat-deploy.
 * Its `users` are the signers from the ninth on (two later than the fixture's), as this test always had.
 */
async function deployRelease(): Promise<DiamondFixture> {
  const f = await deployReleaseDiamond(release);
  return { ...f, users: f.users.slice(2) };
}

const CID = hashText("QmReleaseAction");

describe("Upgrading the first release with the deploy script", function () {
  this.timeout(300_000);

  it("the release's diamond is at storage version 1 and lacks the new selectors", async () => {
    const r = await deployRelease();
    expect(await storageVersion(ethers.provider, r.diamondAddress)).to.equal(1n);
    const selector = r.diamond.interface.getFunction("reclaimAddressAlias").selector;
    expect(await r.diamond.facetAddress(selector)).to.equal(ethers.ZeroAddress);
  });

  it("an account made, converted and transferred before the upgrade: its old key executes before, not after", async () => {
    const r = await deployRelease();
    const [w1, w2] = r.users;
    const master = hashText("release-account-transferred");
    await r.diamond.connect(r.payer).newAccount(master, true, "a", "", ethers.Wallet.createRandom().address);
    await r.diamond.connect(r.payer).addAction(master, "a", "", CID);
    await r.diamond.connect(r.payer).convertToChainSecuredAccount(master, w1.address);
    await r.diamond.connect(w1).transferChainSecuredAccountOwnership(master, w2.address);
    expect(await r.diamond.canExecuteAction(master, CID)).to.equal(true); // the defect of the old build

    await upgradeWithDeployScript();
    expect(await storageVersion(ethers.provider, r.diamondAddress)).to.equal(2n);
    expect(await r.diamond.canExecuteAction(master, CID)).to.equal(false);
    expect(await r.diamond.canExecuteAction(aliasOf(w2.address), CID)).to.equal(true);
    expect((await r.diamond.getAccount(master)).masterWallet).to.equal(w1.address);
  });

  it("an account made before the upgrade and converted and transferred after it: the old key stops at the transfer", async () => {
    const r = await deployRelease();
    const [w1, w2] = r.users;
    const master = hashText("release-account-later");
    await r.diamond.connect(r.payer).newAccount(master, true, "a", "", ethers.Wallet.createRandom().address);
    await upgradeWithDeployScript();
    await r.diamond.connect(r.payer).convertToChainSecuredAccount(master, w1.address);
    expect(await r.diamond.canExecuteAction(master, CID)).to.equal(true);
    await r.diamond.connect(w1).transferChainSecuredAccountOwnership(master, w2.address);
    expect(await r.diamond.canExecuteAction(master, CID)).to.equal(false);
  });

  it("records the master wallets of earlier unmanaged accounts, so keys still held by their wallet keep executing", async () => {
    const r = await deployRelease();
    const [w1, w2, w3, w4, w5] = r.users;
    const converted = hashText("release-converted");
    await r.diamond.connect(r.payer).newAccount(converted, true, "c", "", ethers.Wallet.createRandom().address);
    await r.diamond.connect(r.payer).convertToChainSecuredAccount(converted, w1.address);
    const unmanaged = hashText("release-unmanaged-by-payer");
    await r.diamond.connect(r.payer).newAccount(unmanaged, false, "u", "", w2.address);
    await r.diamond.connect(w3).newChainSecuredAccount("self", "");
    await r.diamond.connect(w4).newChainSecuredAccount("self, handed on", "");
    await r.diamond.connect(w4).transferChainSecuredAccountOwnership(aliasOf(w4.address), w5.address);
    const block = await ethers.provider.getBlockNumber();

    await upgradeWithDeployScript();
    const recorded = await r.diamond.queryFilter(r.diamond.filters.MasterWalletSet(), block + 1);
    expect(recorded.map((e) => [e.args.masterApiKeyHash, e.args.wallet])).to.deep.equal([
      [converted, w1.address],
      [unmanaged, w2.address],
    ]);
    expect(await r.diamond.canExecuteAction(converted, CID)).to.equal(true);
    expect(await r.diamond.canExecuteAction(unmanaged, CID)).to.equal(true);
    // self-service masters keep their alias rule: the creator's alias executes while it is the admin
    expect(await r.diamond.canExecuteAction(aliasOf(w3.address), CID)).to.equal(true);
    expect(await r.diamond.canExecuteAction(aliasOf(w4.address), CID)).to.equal(false);
  });

  it("keeps every account's state through the upgrade", async () => {
    const r = await deployRelease();
    const [w1] = r.users;
    const master = hashText("release-state");
    await r.diamond.connect(r.payer).newAccount(master, true, "s", "d", ethers.Wallet.createRandom().address);
    const usage = hashText("release-usage");
    await r.diamond.connect(r.payer).setUsageApiKey(master, usage, ...usageKeyArgs({ executeInGroups: [0], balance: 3 }));
    await r.diamond.connect(r.payer).addGroup(master, "g", "", [CID, 0n], []);
    await r.diamond.connect(r.payer).creditApiKey(master, 9);
    await r.diamond.connect(r.payer).convertToChainSecuredAccount(master, w1.address);
    const view = async () =>
      JSON.stringify(
        [
          await r.diamond.listGroups(master, 0, 100),
          await r.diamond.listActions(master, 0, 100),
          await r.diamond.listApiKeys(master, 0, 100),
          await r.diamond.apiKeyBalance(master),
          await r.diamond.resolveApiKeyHash(aliasOf(w1.address)),
          await r.diamond.canExecuteAction(usage, CID),
          await r.diamond.accountCount(),
        ],
        (_k, v) => (typeof v === "bigint" ? v.toString() : v),
      );
    const before = await view();
    await upgradeWithDeployScript();
    expect(await view()).to.equal(before);
  });

  it("a cut without the version 2 initializer leaves earlier converted keys executing nothing (fails closed)", async () => {
    const r = await deployRelease();
    const [w1, w2] = r.users;
    const converted = hashText("release-no-init");
    await r.diamond.connect(r.payer).newAccount(converted, true, "c", "", ethers.Wallet.createRandom().address);
    await r.diamond.connect(r.payer).convertToChainSecuredAccount(converted, w1.address);
    await r.diamond.connect(w2).newChainSecuredAccount("self", "");
    // the selector diff to the current build, cut without the initializer
    const current = await loupeSelectors(r.diamond);
    const desired: SelectorMap = new Map();
    for (const name of FACET_NAMES) {
      const facet = await ethers.deployContract(name);
      for (const s of selectorsOf(facet.interface)) desired.set(s, await facet.getAddress());
    }
    await r.diamond.connect(r.owner).diamondCut(diffCuts(current, desired), ethers.ZeroAddress, "0x");
    expect(await r.diamond.canExecuteAction(converted, CID)).to.equal(false);
    expect(await r.diamond.canExecuteAction(aliasOf(w1.address), CID)).to.equal(true);
    expect(await r.diamond.canExecuteAction(aliasOf(w2.address), CID)).to.equal(true);

    // the current initializer then refuses an invalid pair and records a valid one
    const init = await ethers.deployContract("AccountConfigInit");
    const initAddress = await init.getAddress();
    const record = (fn: "initializeV2" | "recordLegacyMasterWallets", pairs: { master: bigint; wallet: string }[]) =>
      r.diamond
        .connect(r.owner)
        .diamondCut(
          [],
          initAddress,
          fn === "initializeV2"
            ? init.interface.encodeFunctionData("initializeV2", [pairs])
            : init.interface.encodeFunctionData("recordLegacyMasterWallets", [pairs]),
        );
    await expect(record("recordLegacyMasterWallets", []))
      .to.be.revertedWithCustomError(r.diamond, "InvalidRequest")
      .withArgs("recordLegacyMasterWallets: run initializeV2 first");
    await expect(record("initializeV2", [{ master: converted, wallet: w2.address }]))
      .to.be.revertedWithCustomError(r.diamond, "LegacyMasterWalletInvalid")
      .withArgs(converted, w2.address);
    await record("initializeV2", []);
    await record("recordLegacyMasterWallets", [{ master: converted, wallet: w1.address }]);
    expect(await r.diamond.canExecuteAction(converted, CID)).to.equal(true);
    await expect(record("recordLegacyMasterWallets", [{ master: converted, wallet: w1.address }]))
      .to.be.revertedWithCustomError(r.diamond, "LegacyMasterWalletInvalid")
      .withArgs(converted, w1.address);
  });

  it("sends more master wallets than fit in one transaction in further cuts", async () => {
    const r = await deployRelease();
    const wallets = Array.from({ length: 5 }, () => ethers.Wallet.createRandom().address);
    for (const [i, w] of wallets.entries()) {
      await r.diamond.connect(r.payer).newAccount(hashText(`release-many-${i}`), false, "m", "", w);
    }
    const block = await ethers.provider.getBlockNumber();
    const env = { UPGRADE_LOG_BLOCK_SPAN: "2", UPGRADE_MASTER_WALLETS_PER_TX: "2" }; // small log ranges and chunks
    const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      await upgradeWithDeployScript();
    } finally {
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const recorded = await r.diamond.queryFilter(r.diamond.filters.MasterWalletSet(), block + 1);
    expect(recorded.map((e) => e.args.wallet)).to.deep.equal(wallets);
    const cuts = await r.diamond.queryFilter(r.diamond.filters.DiamondCut(), block + 1);
    expect(cuts.map((c) => c.args._diamondCut.length > 0)).to.deep.equal([true, false, false]); // 2 + 2 + 1 wallets
  });

  it("splits master wallets into chunks and skips managed creations and self-service masters", () => {
    const w = ethers.Wallet.createRandom().address;
    const entries = legacyMasterWallets([
      { name: "AccountCreated", master: 1n, wallet: w, managed: true },
      { name: "AccountCreated", master: aliasOf(w), wallet: w, managed: false },
      { name: "AccountConvertedToChainSecured", master: 1n, wallet: w, managed: false },
      { name: "AccountCreated", master: 2n, wallet: w, managed: false },
    ]);
    expect(entries).to.deep.equal([
      { master: ethers.toBeHex(1n, 32), wallet: w },
      { master: ethers.toBeHex(2n, 32), wallet: w },
    ]);
    expect(chunks([1, 2, 3, 4, 5], 2)).to.deep.equal([[1, 2], [3, 4], [5]]);
    expect(MAIN_STORAGE_SLOT).to.equal("0x670b4f625b9fda9a3eac332aabaa648631fa00e6f553ff20ea361f4416f74d00");
  });
});
