/**
 * Deploys the AccountConfig diamond with every facet and runs initializeV1 once; on later runs,
 * computes the selector diff between the deployed diamond and the current facet deployments and
 * applies it with one diamondCut (Add / Replace / Remove). State is never touched by a cut.
 *
 * Saves the deployment "AccountConfig" (diamond address + the combined ABI of all facets), which
 * tasks, apps and the relayer load.
 */
import { Interface } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { DeployFunction } from "hardhat-deploy/types";
import { FacetCutAction, diffCuts, facetSpecs, mergeAbis, selectorsOf, type FacetCut, type InitArgs, type SelectorMap } from "../scripts/lib/diamond";
import { resolveRoles } from "../scripts/lib/roles";

const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  const { deployments, ethers } = hre;
  const roles = await resolveRoles(hre);
  const log = hre.network.name !== "hardhat" ? console.log : () => undefined;

  const facets = await Promise.all(facetSpecs().map((s) => deployments.get(s.deployment)));
  const desired: SelectorMap = new Map();
  for (const facet of facets) {
    for (const selector of selectorsOf(new Interface(facet.abi))) {
      const other = desired.get(selector);
      if (other) throw new Error(`selector ${selector} is served by two facets (${other}, ${facet.address})`);
      desired.set(selector, facet.address);
    }
  }
  const combinedAbi = mergeAbis(facets.map((f) => f.abi));

  const existing = await deployments.getOrNull("AccountConfigDiamond");
  if (!existing) {
    const init = await deployments.get("AccountConfigInit");
    const initArgs: InitArgs = {
      configOperator: roles.configOperator,
      pricingOperator: roles.pricingOperator,
      adminApiPayer: roles.adminApiPayer,
      apiPayers: roles.apiPayers,
    };
    const cuts: FacetCut[] = facets.map((f) => ({
      facetAddress: f.address,
      action: FacetCutAction.Add,
      functionSelectors: selectorsOf(new Interface(f.abi)),
    }));
    const initCalldata = new Interface(init.abi).encodeFunctionData("initializeV1", [initArgs]);
    const diamond = await deployments.deploy("AccountConfigDiamond", {
      contract: "AccountConfig",
      from: roles.deployer,
      args: [roles.owner, cuts, init.address, initCalldata],
      log: hre.network.name !== "hardhat",
    });
    await deployments.save("AccountConfig", { address: diamond.address, abi: combinedAbi, transactionHash: diamond.transactionHash });
    log(`AccountConfig diamond at ${diamond.address} (owner ${roles.owner})`);
    return;
  }

  const loupe = await ethers.getContractAt("DiamondLoupeFacet", existing.address);
  const current: SelectorMap = new Map();
  for (const facet of await loupe.facets()) {
    for (const selector of facet.functionSelectors) current.set(selector, facet.facetAddress);
  }
  const cuts = diffCuts(current, desired);
  if (cuts.length === 0) {
    log(`AccountConfig diamond at ${existing.address}: facets up to date`);
  } else {
    const cutter = await ethers.getContractAt("DiamondCutFacet", existing.address);
    const owner = await (await ethers.getContractAt("OwnershipFacet", existing.address)).owner();
    const summary = cuts.map((c) => `${["Add", "Replace", "Remove"][c.action]} ${c.functionSelectors.length} @ ${c.facetAddress}`).join("; ");
    const signers = await ethers.getSigners();
    const ownerSigner = signers.find((s) => s.address.toLowerCase() === owner.toLowerCase());
    if (!ownerSigner) {
      const data = cutter.interface.encodeFunctionData("diamondCut", [cuts, ethers.ZeroAddress, "0x"]);
      throw new Error(
        `diamond owner ${owner} is not a configured signer; submit this diamondCut from the owner (e.g. a Safe):\n` +
          `to: ${existing.address}\ndata: ${data}\n(${summary})`,
      );
    }
    const tx = await cutter.connect(ownerSigner).diamondCut(cuts, ethers.ZeroAddress, "0x");
    await tx.wait();
    log(`AccountConfig diamond at ${existing.address}: cut ${summary} (tx ${tx.hash})`);
  }
  await deployments.save("AccountConfig", { address: existing.address, abi: combinedAbi, transactionHash: existing.transactionHash });
};

func.tags = ["AccountConfig", "diamond"];
func.dependencies = ["facets"];
export default func;
