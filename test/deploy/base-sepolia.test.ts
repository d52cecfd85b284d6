/**
 * `hardhat deploy --network baseSepolia` against a node shaped like Base Sepolia (chain id 84532,
 * the GasPriceOracle predeploy; automine here so the test stays short), through the fault proxy,
 * with a fresh deployer key and a contract wallet as the diamond's owner: a fresh deploy, a
 * repeated one that sends nothing, and a changed facet whose diamondCut calldata the deploy prints
 * and the wallet submits (scripts/rehearsal/deploy-scenario.ts, which `npm run rehearsal` runs on
 * 2 s blocks).
 */
import fs from "fs";
import { expect } from "chai";
import { artifacts } from "hardhat";
import { Contract, Interface, Wallet, ZeroAddress } from "ethers";
import { RpcFaultProxy } from "../../scripts/lib/rpc-fault-proxy";
import { runDeployScenario, type DeployScenarioResult } from "../../scripts/rehearsal/deploy-scenario";
import { printedCuts } from "../../scripts/rehearsal/hardhat-deploy-run";
import { placeGasPriceOracle, startBaseSepoliaNode, type BaseSepoliaNode } from "../../scripts/rehearsal/node";

describe("deploy to a Base Sepolia-shaped node (--network baseSepolia, contract-wallet owner)", function () {
  this.timeout(600_000);
  let node: BaseSepoliaNode;
  let proxy: RpcFaultProxy;
  let result: DeployScenarioResult;
  const payers = [Wallet.createRandom().address, Wallet.createRandom().address];
  const admin = Wallet.createRandom().address;

  before(async () => {
    node = await startBaseSepoliaNode({ blockTimeMs: 0 });
    await placeGasPriceOracle(node, artifacts);
    proxy = await new RpcFaultProxy(node.url, { latencyMs: [0, 5], seed: 14 }).start();
    result = await runDeployScenario(node, artifacts, { rpcUrl: proxy.url, apiPayers: payers, adminApiPayer: admin });
  });

  after(async () => {
    await proxy?.close();
    await node?.stop();
    if (result) fs.rmSync(result.deploymentsDir, { recursive: true, force: true });
  });

  it("deploys fresh with the given deployer key and roles, the diamond owned by the contract wallet", async () => {
    const provider = node.provider();
    try {
      const d = new Contract(
        result.diamond,
        [
          "function owner() view returns (address)",
          "function api_payers() view returns (address[])",
          "function adminApiPayerAccount() view returns (address)",
          "function configOperator() view returns (address)",
        ],
        provider,
      );
      expect(await d.owner()).to.equal(result.owner);
      expect(await d.api_payers()).to.deep.equal(payers);
      expect(await d.adminApiPayerAccount()).to.equal(admin);
      expect(await d.configOperator()).to.equal(result.deployer);
      expect(result.steps[0]).to.deep.include({ step: "fresh deploy", walletCuts: 0 });
      expect(result.steps[0].deployerTxs).to.be.greaterThan(12);
    } finally {
      provider.destroy();
    }
  });

  it("sends nothing when deployed again, after the fresh deploy and after each cut", () => {
    const repeated = result.steps.filter((s) => s.step.startsWith("again"));
    expect(repeated).to.have.length(3);
    for (const s of repeated) expect(s.deployerTxs, s.step).to.equal(0);
  });

  it("prints the diamondCut calldata for a contract-wallet owner, and the wallet's submission applies it", async () => {
    const cuts = result.steps.filter((s) => s.walletCuts > 0);
    expect(cuts.map((s) => s.walletCuts)).to.deep.equal([1, 1]);
    // the changed facet went out from the deployer (one facet), the cut from the wallet
    for (const s of cuts) expect(s.deployerTxs, s.step).to.equal(1);
    const provider = node.provider();
    try {
      const d = new Contract(result.diamond, ["function facetAddress(bytes4) view returns (address)"], provider);
      const billingVersion = new Interface(["function billingVersion() view returns (uint256)"]).getFunction("billingVersion")?.selector;
      const creditApiKey = new Interface((await artifacts.readArtifact("IAccountConfig")).abi).getFunction("creditApiKey")?.selector;
      // the project's BillingFacet is back: the upgrade-test facet's function is gone, the project's is served again
      expect(await d.facetAddress(billingVersion)).to.equal(ZeroAddress);
      expect(await d.facetAddress(creditApiKey)).to.not.equal(ZeroAddress);
    } finally {
      provider.destroy();
    }
  });

  it("reads the printed cuts back in order, and refuses an output that announces more than it lists", () => {
    const a = `0x${"a".repeat(40)}`;
    const text = `Error: diamond owner X is not a configured signer; submit these 2 diamondCut transaction(s), in order, from the owner (e.g. a Safe):\nto: ${a}\ndata: 0x01\nto: ${a}\ndata: 0x02\n(Add 1 @ y)`;
    expect(printedCuts(text)).to.deep.equal([
      { to: a, data: "0x01" },
      { to: a, data: "0x02" },
    ]);
    expect(printedCuts("facets up to date")).to.deep.equal([]);
    expect(() => printedCuts(text.replace("these 2", "these 3"))).to.throw(/announced 3/);
  });
});
