/**
 * Deploys every facet of the AccountConfig diamond and the versioned initializer.
 * hardhat-deploy skips a contract whose bytecode and arguments are unchanged, so re-running only
 * deploys facets whose build changed.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { DeployFunction } from "hardhat-deploy/types";
import { facetSpecs } from "../scripts/lib/diamond";

const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  const { deployments, getNamedAccounts } = hre;
  const { deployer } = await getNamedAccounts();
  const log = hre.network.name !== "hardhat";
  for (const spec of facetSpecs()) {
    await deployments.deploy(spec.deployment, { contract: spec.contract, from: deployer, log });
  }
  await deployments.deploy("AccountConfigInit", { from: deployer, log });
};

func.tags = ["AccountConfig", "facets"];
export default func;
