/**
 * Deploys the AccountConfig diamond with every facet and runs initializeV1 once; on later runs,
 * computes the selector diff between the deployed diamond and the current facet deployments and
 * applies it with one diamondCut (Add / Replace / Remove). State is never touched by a cut, except
 * by a storage upgrade it carries: a diamond at storage version 1 is brought to version 2 in the
 * same cut (AccountConfigInit.initializeV2 with the master wallets of the unmanaged accounts made
 * before it, read from the diamond's logs; more than one transaction's worth follow in further
 * cuts without selectors). UPGRADE_LOG_BLOCK_SPAN (default 10000) is the block range per eth_getLogs,
 * UPGRADE_MASTER_WALLETS_PER_TX (default 200) the number of wallets recorded per transaction.
 *
 * Saves the deployment "AccountConfig" (diamond address + the combined ABI of all facets), which
 * tasks, apps and the relayer load.
 */
import { Interface } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { DeployFunction } from "hardhat-deploy/types";
import { FacetCutAction, diffCuts, facetSpecs, mergeAbis, selectorsOf, type FacetCut, type InitArgs, type SelectorMap } from "../scripts/lib/diamond";
import { resolveRoles } from "../scripts/lib/roles";
import { chunks, legacyMasterWallets, readAccountLogs, storageVersion } from "../scripts/lib/storage-v2";

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
  // Storage upgrades carried by the cut: (init address, calldata) per transaction, the first one with the cut.
  const inits: { init: string; data: string }[] = [];
  if ((await storageVersion(ethers.provider, existing.address)) === 1n) {
    const init = await deployments.get("AccountConfigInit");
    const initIface = new Interface(init.abi);
    const fromBlock =
      existing.receipt?.blockNumber ??
      (existing.transactionHash ? (await ethers.provider.getTransactionReceipt(existing.transactionHash))?.blockNumber : undefined) ??
      0;
    const span = Number(process.env.UPGRADE_LOG_BLOCK_SPAN ?? "") || 10_000;
    const logs = await readAccountLogs(ethers.provider, existing.address, fromBlock, await ethers.provider.getBlockNumber(), span);
    const perTx = Number(process.env.UPGRADE_MASTER_WALLETS_PER_TX ?? "") || undefined;
    const [first = [], ...rest] = chunks(legacyMasterWallets(logs), perTx);
    inits.push({ init: init.address, data: initIface.encodeFunctionData("initializeV2", [first]) });
    for (const chunk of rest) inits.push({ init: init.address, data: initIface.encodeFunctionData("recordLegacyMasterWallets", [chunk]) });
    log(`storage version 1 -> 2: ${first.length + rest.flat().length} master wallet(s) of earlier unmanaged accounts to record`);
  }
  if (cuts.length === 0 && inits.length === 0) {
    log(`AccountConfig diamond at ${existing.address}: facets up to date`);
  } else {
    const cutter = await ethers.getContractAt("DiamondCutFacet", existing.address);
    const owner = await (await ethers.getContractAt("OwnershipFacet", existing.address)).owner();
    const summary = cuts.map((c) => `${["Add", "Replace", "Remove"][c.action]} ${c.functionSelectors.length} @ ${c.facetAddress}`).join("; ");
    const txs = (inits.length === 0 ? [{ init: ethers.ZeroAddress, data: "0x" }] : inits).map((step, i) => ({
      cuts: i === 0 ? cuts : [],
      ...step,
    }));
    const signers = await ethers.getSigners();
    const ownerSigner = signers.find((s) => s.address.toLowerCase() === owner.toLowerCase());
    if (!ownerSigner) {
      const data = txs.map((t) => cutter.interface.encodeFunctionData("diamondCut", [t.cuts, t.init, t.data]));
      throw new Error(
        `diamond owner ${owner} is not a configured signer; submit these ${data.length} diamondCut transaction(s), in order, from the owner (e.g. a Safe):\n` +
          data.map((d) => `to: ${existing.address}\ndata: ${d}`).join("\n") +
          `\n(${summary})`,
      );
    }
    for (const t of txs) {
      const tx = await cutter.connect(ownerSigner).diamondCut(t.cuts, t.init, t.data);
      await tx.wait();
      log(`AccountConfig diamond at ${existing.address}: cut ${t.cuts.length > 0 ? summary : "(storage upgrade only)"} (tx ${tx.hash})`);
    }
  }
  await deployments.save("AccountConfig", { address: existing.address, abi: combinedAbi, transactionHash: existing.transactionHash });
};

func.tags = ["AccountConfig", "diamond"];
func.dependencies = ["facets"];
export default func;
