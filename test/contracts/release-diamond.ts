/**
 * An old release's diamond for the upgrade tests (upgrade-release.test.ts, upgrade-domain-facets.test.ts):
 * deployed from the release's creation bytecode (test/fixtures/release-v1, release-v2), registered with
 * hardhat-deploy, then upgraded with the project's own selector-diff deploy script (deploy/002_diamond.ts).
 */
import hre, { deployments, ethers } from "hardhat";
import type { InterfaceAbi } from "ethers";
import { FacetCutAction, selectorsOf, type FacetCut, type SelectorMap } from "../../scripts/lib/diamond";
import type { DiamondFixture } from "../fixtures/diamond";
import type { IAccountConfig } from "../../typechain-types";

/** The shape of test/fixtures/release-vN/contracts.json: ABI and creation bytecode by contract name. */
export interface ReleaseBuild {
  contracts: Record<string, { abi: unknown[]; bytecode: string }>;
}

/**
 * Deploys every facet of `release` and its AccountConfigInit, then the diamond cut with them and
 * initialised with initializeV1, and saves it as the "AccountConfigDiamond" deployment (in memory
 * only). `facets` of the result are the release's facets by name; `users` are the signers after payer2.
 */
export async function deployReleaseDiamond(release: ReleaseBuild): Promise<DiamondFixture> {
  // Start from empty in-memory deployments, and never write them to deployments/hardhat.
  await deployments.run(["no-deploy-script-has-this-tag"], { resetMemory: true, writeDeploymentsToFiles: false });
  const [owner, configOperator, pricingOperator, adminPayer, payer, payer2, ...users] = await ethers.getSigners();
  const signers = { owner, configOperator, pricingOperator, adminPayer, payer, payer2, users };
  const deploy = async (name: string) => {
    const c = release.contracts[name];
    const contract = await new ethers.ContractFactory(c.abi as InterfaceAbi, c.bytecode, owner).deploy();
    await contract.waitForDeployment();
    return { address: await contract.getAddress(), iface: contract.interface };
  };
  const facets: Record<string, string> = {};
  const cuts: FacetCut[] = [];
  for (const name of Object.keys(release.contracts).filter((n) => n !== "AccountConfigInit")) {
    const facet = await deploy(name);
    facets[name] = facet.address;
    cuts.push({ facetAddress: facet.address, action: FacetCutAction.Add, functionSelectors: selectorsOf(facet.iface) });
  }
  const init = await deploy("AccountConfigInit");
  const initData = init.iface.encodeFunctionData("initializeV1", [
    { configOperator: configOperator.address, pricingOperator: pricingOperator.address, adminApiPayer: adminPayer.address, apiPayers: [payer.address, payer2.address] },
  ]);
  const diamondContract = await ethers.deployContract("AccountConfig", [owner.address, cuts, init.address, initData]);
  await diamondContract.waitForDeployment();
  const diamondAddress = await diamondContract.getAddress();
  const receipt = await diamondContract.deploymentTransaction()!.wait();
  const artifact = await hre.artifacts.readArtifact("AccountConfig");
  await deployments.save("AccountConfigDiamond", {
    address: diamondAddress,
    abi: artifact.abi,
    transactionHash: receipt!.hash,
    receipt: { ...receipt!.toJSON(), blockNumber: receipt!.blockNumber } as never,
  });
  const diamond = (await ethers.getContractAt("IAccountConfig", diamondAddress)) as unknown as IAccountConfig;
  return { diamond, diamondAddress, facets, initAddress: init.address, ...signers };
}

/** The selector-diff upgrade, exactly as `hardhat deploy` runs it. */
export async function upgradeWithDeployScript(): Promise<void> {
  await deployments.run(["AccountConfig"], { resetMemory: false, writeDeploymentsToFiles: false });
}

/** selector -> facet address, as the diamond's loupe reports it. */
export async function loupeSelectors(diamond: IAccountConfig): Promise<SelectorMap> {
  const map: SelectorMap = new Map();
  for (const facet of await diamond.facets()) for (const s of facet.functionSelectors) map.set(s, facet.facetAddress);
  return map;
}
