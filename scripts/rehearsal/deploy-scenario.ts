/**
 * The deploy part of the rehearsal: `hardhat deploy --network baseSepolia` against the Base
 * Sepolia-shaped node (through the fault proxy), a non-default deployer key and a contract wallet
 * (contracts/test/ERC1271WalletTest.sol) as the diamond's owner:
 *
 *   1. fresh: every facet, the initializer and the diamond, owned by the wallet;
 *   2. again: nothing sent (the deployer's nonce and the diamond's facets unchanged);
 *   3. a changed facet (ACCOUNTCONFIG_FACET_OVERRIDES, as a release would change one): the deploy
 *      deploys it and, the owner being a contract, prints the diamondCut calldata and stops; the
 *      rehearsal submits it from the wallet (its owner key calls execute(diamond, data));
 *   4. again: nothing sent;
 *   5. back to the project's facet (the same path: deploy, print, submit from the wallet);
 *   6. again: nothing sent.
 *
 * Every step is checked; a failed check throws with the deploy's output.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { Contract, ContractFactory, Wallet, parseEther, type JsonRpcProvider } from "ethers";
import type { ArtifactReader } from "../lib/local-chain";
import { printedCuts, runBaseSepoliaDeploy, savedDiamond, type DeployRun } from "./hardhat-deploy-run";
import { setBalance, type BaseSepoliaNode } from "./node";

export interface DeployScenarioOptions {
  /** BASE_SEPOLIA_RPC_URL for the deploys (the fault proxy). */
  rpcUrl: string;
  /** The relayer's api payers and admin payer (initializeV1 roles), so no register step is needed. */
  apiPayers: string[];
  adminApiPayer: string;
  /** A facet build to cut in and back out (step 3/5); default "BillingFacet:BillingFacetUpgradeTest". */
  facetOverride?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  deployTimeoutMs?: number;
}

export interface DeployStep {
  step: string;
  ms: number;
  /** Transactions the deployer sent in this step. */
  deployerTxs: number;
  /** diamondCut transactions printed for (and submitted from) the contract wallet. */
  walletCuts: number;
}

export interface DeployScenarioResult {
  diamond: string;
  /** The contract wallet that owns the diamond. */
  owner: string;
  deployer: string;
  /** The block of the diamond's deployment transaction. */
  deployBlock: number;
  steps: DeployStep[];
  deploymentsDir: string;
}

const LOUPE = ["function facets() view returns ((address facetAddress, bytes4[] functionSelectors)[])", "function owner() view returns (address)"];

export async function runDeployScenario(
  node: BaseSepoliaNode,
  artifacts: ArtifactReader,
  opts: DeployScenarioOptions,
): Promise<DeployScenarioResult> {
  const log = opts.log ?? (() => undefined);
  const provider: JsonRpcProvider = node.provider();
  const deploymentsDir = fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-deployments-"));
  try {
    const deployer = Wallet.createRandom();
    const walletOwner = Wallet.createRandom().connect(provider);
    await setBalance(node, deployer.address, parseEther("10"));
    await setBalance(node, walletOwner.address, parseEther("1"));
    const art = await artifacts.readArtifact("ERC1271WalletTest");
    const walletContract = await new ContractFactory(art.abi, art.bytecode, walletOwner).deploy(walletOwner.address);
    await walletContract.waitForDeployment();
    const wallet = await walletContract.getAddress();
    log(`deployer ${deployer.address} (a fresh key), diamond owner: contract wallet ${wallet}`);

    const baseEnv = {
      DIAMOND_OWNER: wallet,
      ADMIN_API_PAYER: opts.adminApiPayer,
      API_PAYERS: opts.apiPayers.join(","),
    };
    const nonce = async () => provider.getTransactionCount(deployer.address, "latest");
    const steps: DeployStep[] = [];
    const deploy = async (step: string, extra: Record<string, string> = {}): Promise<{ run: DeployRun; sent: number }> => {
      const before = await nonce();
      const run = await runBaseSepoliaDeploy(
        { rpcUrl: opts.rpcUrl, deployerKey: deployer.privateKey, deploymentsDir, extra: { ...baseEnv, ...extra } },
        opts.deployTimeoutMs,
      );
      const sent = (await nonce()) - before;
      log(`deploy ${step}: exit ${run.code}, ${sent} deployer transaction(s), ${(run.ms / 1000).toFixed(1)} s`);
      return { run, sent };
    };
    const fail = (what: string, run: DeployRun): never => {
      throw new Error(`deploy scenario: ${what}\n--- hardhat deploy output ---\n${run.output.slice(-6000)}`);
    };
    const diamondAt = (run: DeployRun): string => savedDiamond(deploymentsDir) ?? fail("no AccountConfig deployment saved", run);
    const facets = async (address: string): Promise<string> =>
      JSON.stringify(await new Contract(address, LOUPE, provider).facets(), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

    // 1. fresh
    const fresh = await deploy("fresh");
    if (fresh.run.code !== 0) fail("the fresh deploy failed", fresh.run);
    const diamond = diamondAt(fresh.run);
    const owner = (await new Contract(diamond, LOUPE, provider).owner()) as string;
    if (owner.toLowerCase() !== wallet.toLowerCase()) fail(`the diamond's owner is ${owner}, not the contract wallet ${wallet}`, fresh.run);
    steps.push({ step: "fresh deploy", ms: fresh.run.ms, deployerTxs: fresh.sent, walletCuts: 0 });
    const saved = JSON.parse(fs.readFileSync(path.join(deploymentsDir, "baseSepolia", "AccountConfigDiamond.json"), "utf8")) as {
      transactionHash: string;
      receipt?: { blockNumber: number };
    };
    const deployBlock = saved.receipt?.blockNumber ?? (await provider.getTransactionReceipt(saved.transactionHash))?.blockNumber ?? 0;

    const again = async (step: string, extra: Record<string, string> = {}): Promise<void> => {
      const before = await facets(diamond);
      const r = await deploy(step, extra);
      if (r.run.code !== 0) fail(`${step}: the repeated deploy failed`, r.run);
      if (r.sent !== 0) fail(`${step}: the repeated deploy sent ${r.sent} transaction(s)`, r.run);
      if (!/facets up to date/.test(r.run.output)) fail(`${step}: the repeated deploy did not report "facets up to date"`, r.run);
      if ((await facets(diamond)) !== before) fail(`${step}: the repeated deploy changed the diamond's facets`, r.run);
      if (diamondAt(r.run).toLowerCase() !== diamond.toLowerCase()) fail(`${step}: the saved diamond address changed`, r.run);
      steps.push({ step, ms: r.run.ms, deployerTxs: 0, walletCuts: 0 });
    };

    const throughWallet = async (step: string, extra: Record<string, string>): Promise<void> => {
      const before = await facets(diamond);
      const r = await deploy(step, extra);
      const cuts = printedCuts(r.run.output);
      if (r.run.code === 0 || cuts.length === 0) fail(`${step}: expected the deploy to stop and print the diamondCut calldata for the contract wallet`, r.run);
      for (const cut of cuts) {
        if (cut.to.toLowerCase() !== diamond.toLowerCase()) fail(`${step}: a printed cut is addressed to ${cut.to}, not the diamond`, r.run);
        const tx = await (walletContract.connect(walletOwner) as Contract).execute(cut.to, cut.data);
        const receipt = await tx.wait();
        if (receipt?.status !== 1) fail(`${step}: the wallet's diamondCut transaction ${tx.hash} failed`, r.run);
      }
      if ((await facets(diamond)) === before) fail(`${step}: the submitted cut changed nothing`, r.run);
      log(`  submitted ${cuts.length} diamondCut transaction(s) from the contract wallet`);
      steps.push({ step, ms: r.run.ms, deployerTxs: r.sent, walletCuts: cuts.length });
    };

    await again("again (idempotent)");
    const override = { ACCOUNTCONFIG_FACET_OVERRIDES: opts.facetOverride ?? "BillingFacet:BillingFacetUpgradeTest" };
    await throughWallet("changed facet, cut printed and submitted from the wallet", override);
    await again("again after the cut (idempotent)", override);
    await throughWallet("project facet restored, cut printed and submitted from the wallet", {});
    await again("again after the restore (idempotent)");
    return { diamond: diamond.toLowerCase(), owner: wallet, deployer: deployer.address, deployBlock, steps, deploymentsDir };
  } finally {
    provider.destroy();
  }
}
