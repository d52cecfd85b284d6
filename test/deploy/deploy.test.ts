import { expect } from "chai";
import hre, { deployments, ethers } from "hardhat";
import { Interface } from "ethers";
import { selectorsOf } from "../../scripts/lib/diamond";
import type { IAccountConfig } from "../../typechain-types";

const hashText = (t: string) => BigInt(ethers.keccak256(ethers.toUtf8Bytes(t)));

async function diamond(): Promise<IAccountConfig> {
  const d = await deployments.get("AccountConfig");
  return (await ethers.getContractAt("IAccountConfig", d.address)) as unknown as IAccountConfig;
}

describe("deploy scripts", () => {
  afterEach(() => {
    delete process.env.ACCOUNTCONFIG_FACET_OVERRIDES;
  });

  it("deploys every facet, the diamond and runs initializeV1 with the named-account roles", async () => {
    await deployments.fixture(["AccountConfig"]);
    const d = await diamond();
    const signers = await ethers.getSigners();
    expect(await d.owner()).to.equal(signers[0].address);
    expect(await d.configOperator()).to.equal(signers[1].address);
    expect(await d.pricingOperator()).to.equal(signers[2].address);
    expect(await d.adminApiPayerAccount()).to.equal(signers[3].address);
    expect(await d.api_payers()).to.deep.equal([signers[4].address, signers[5].address]);
    expect((await d.facetAddresses()).length).to.equal(12);
  });

  it("saves the combined ABI of all facets under the deployment AccountConfig", async () => {
    await deployments.fixture(["AccountConfig"]);
    const saved = await deployments.get("AccountConfig");
    const artifact = await hre.artifacts.readArtifact("IAccountConfig");
    expect(selectorsOf(new Interface(saved.abi))).to.deep.equal(selectorsOf(new Interface(artifact.abi)));
  });

  it("redeploys nothing when no facet changed", async () => {
    await deployments.fixture(["AccountConfig"]);
    const before = await (await diamond()).facets();
    const blockBefore = await ethers.provider.getBlockNumber();
    await deployments.run(["AccountConfig"], { resetMemory: false, writeDeploymentsToFiles: false });
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
    expect(await (await diamond()).facets()).to.deep.equal(before);
  });

  it("cuts in a changed facet build with Add, Replace and Remove while keeping all state", async () => {
    await deployments.fixture(["AccountConfig"]);
    const d = await diamond();
    const signers = await ethers.getSigners();
    const payer = signers[4];
    const master = hashText("deploy-test-key");
    await d.connect(payer).newAccount(master, true, "acct", "desc", signers[7].address);
    await d.connect(signers[2]).setPricing(1, 5);
    await d.connect(payer).addGroup(master, "g", "", [hashText("QmCid")], []);
    const diamondAddress = await d.getAddress();
    const oldBilling = (await deployments.get("BillingFacet")).address;

    process.env.ACCOUNTCONFIG_FACET_OVERRIDES = "BillingFacet:BillingFacetUpgradeTest";
    await deployments.run(["AccountConfig"], { resetMemory: false, writeDeploymentsToFiles: false });

    expect((await deployments.get("AccountConfig")).address).to.equal(diamondAddress);
    const newBilling = (await deployments.get("BillingFacet")).address;
    expect(newBilling).to.not.equal(oldBilling);
    const v2 = new ethers.Contract(diamondAddress, ["function billingVersion() view returns (uint256)"], ethers.provider);
    expect(await v2.billingVersion()).to.equal(2n);
    expect(await d.facetAddress(d.interface.getFunction("getPricing").selector)).to.equal(newBilling);
    expect(await d.getPricing(1)).to.equal(5n);
    expect(await d.facetAddress(d.interface.getFunction("creditApiKey").selector)).to.equal(ethers.ZeroAddress);
    await expect(d.pricingAt(0)).to.be.revertedWithCustomError(d, "FunctionDoesNotExist");
    expect(await d.getAccountWalletAddress(master)).to.equal(signers[7].address);
    expect((await d.listGroups(master, 0, 10)).map((g) => g.name)).to.deep.equal(["g"]);
  });
});
