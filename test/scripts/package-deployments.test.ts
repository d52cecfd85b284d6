import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import {
  DeploymentsError,
  collectDeployments,
  writeDeploymentsModule,
  type PackagedDeployment,
} from "../../scripts/lib/package-deployments";

const A = "0x1111111111111111111111111111111111111111";
const B = "0x2222222222222222222222222222222222222222";

/** What hardhat-deploy leaves in deployments/<network>/ for the diamond. */
function record(dir: string, network: string, chainId: string | null, json: object | string): void {
  fs.mkdirSync(path.join(dir, network), { recursive: true });
  if (chainId !== null) fs.writeFileSync(path.join(dir, network, ".chainId"), chainId);
  fs.writeFileSync(path.join(dir, network, "AccountConfig.json"), typeof json === "string" ? json : JSON.stringify(json));
}

interface GeneratedModule {
  deployments: readonly PackagedDeployment[];
  deploymentFor(chainId: number | bigint): PackagedDeployment | undefined;
  accountConfigAddress(chainId: number | bigint): string | undefined;
}

describe("package deployments module (scripts/lib/package-deployments.ts)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "package-deployments-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("collects nothing from a missing deployments directory", () => {
    expect(collectDeployments(path.join(dir, "absent"))).to.deep.equal([]);
  });

  it("collects each network's diamond with its chain id, block and transaction, sorted by chain id", () => {
    record(dir, "sepolia", "11155111", { address: B, transactionHash: "0xab", receipt: { blockNumber: 7 } });
    record(dir, "localhost", "31337\n", { address: A });
    expect(collectDeployments(dir)).to.deep.equal([
      { network: "localhost", chainId: 31337, address: A, blockNumber: null, transactionHash: null },
      { network: "sepolia", chainId: 11155111, address: B, blockNumber: 7, transactionHash: "0xab" },
    ]);
  });

  it("leaves out the in-process hardhat network and networks without the diamond", () => {
    record(dir, "hardhat", "31337", { address: A });
    fs.mkdirSync(path.join(dir, "mainnet"));
    expect(collectDeployments(dir)).to.deep.equal([]);
  });

  it("refuses two networks naming one chain id with different addresses", () => {
    record(dir, "localhost", "31337", { address: A });
    record(dir, "devnet", "31337", { address: B });
    expect(() => collectDeployments(dir)).to.throw(DeploymentsError, /both have chain id 31337/);
  });

  it("refuses a deployment without its .chainId file", () => {
    record(dir, "sepolia", null, { address: A });
    expect(() => collectDeployments(dir)).to.throw(DeploymentsError, /\.chainId: missing/);
  });

  it("refuses a deployment record that is not JSON", () => {
    record(dir, "sepolia", "11155111", "{");
    expect(() => collectDeployments(dir)).to.throw(DeploymentsError, /not readable JSON/);
  });

  it("refuses a deployment record without an address", () => {
    record(dir, "sepolia", "11155111", { address: "0x12" });
    expect(() => collectDeployments(dir)).to.throw(DeploymentsError, /no address/);
  });

  it("writes a module that looks deployments up by chain id (number or bigint)", () => {
    record(dir, "sepolia", "11155111", { address: B, receipt: { blockNumber: 7 } });
    const out = path.join(dir, "out");
    writeDeploymentsModule(dir, out);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(path.join(out, "index.js")) as GeneratedModule;
    expect(m.deployments.map((d) => d.network)).to.deep.equal(["sepolia"]);
    expect(m.accountConfigAddress(11155111n)).to.equal(B);
    expect(m.deploymentFor(11155111)?.blockNumber).to.equal(7);
    expect(m.accountConfigAddress(1)).to.equal(undefined);
    expect(Object.isFrozen(m.deployments) && Object.isFrozen(m.deployments[0])).to.equal(true);
    expect(fs.readFileSync(path.join(out, "index.d.ts"), "utf8")).to.contain("accountConfigAddress(chainId: number | bigint)");
  });

  it("writes a valid, empty module when nothing is deployed", () => {
    const out = path.join(dir, "out");
    writeDeploymentsModule(path.join(dir, "absent"), out);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(path.join(out, "index.js")) as GeneratedModule;
    expect(m.deployments).to.deep.equal([]);
    expect(m.deploymentFor(31337)).to.equal(undefined);
  });
});
