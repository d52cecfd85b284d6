import { expect } from "chai";
import { spawnSync } from "child_process";
import path from "path";
import { missingNetworkEnv, selectedNetwork } from "../../scripts/lib/network-env";

describe("public network environment checks", () => {
  it("names every missing variable of Base Sepolia", () => {
    expect(missingNetworkEnv("baseSepolia", {})).to.deep.equal(["BASE_SEPOLIA_RPC_URL", "DEPLOYER_PRIVATE_KEY"]);
  });

  it("asks nothing of local networks", () => {
    expect(missingNetworkEnv("localhost", {})).to.deep.equal([]);
    expect(missingNetworkEnv(undefined, {})).to.deep.equal([]);
  });

  it("is satisfied once the variables are set", () => {
    expect(missingNetworkEnv("base", { BASE_RPC_URL: "http://x", DEPLOYER_PRIVATE_KEY: "0x01" })).to.deep.equal([]);
  });

  it("reads --network in both spellings", () => {
    expect(selectedNetwork(["deploy", "--network", "base"])).to.equal("base");
    expect(selectedNetwork(["deploy", "--network=baseSepolia"])).to.equal("baseSepolia");
  });

  it("stops `hardhat deploy --network base` with a one-line error naming the variables", function () {
    this.timeout(120_000);
    const root = path.resolve(__dirname, "..", "..");
    const env = { ...process.env };
    for (const k of ["BASE_RPC_URL", "DEPLOYER_PRIVATE_KEY", "HARDHAT_NETWORK"]) delete env[k];
    const run = spawnSync(path.join(root, "node_modules", ".bin", "hardhat"), ["deploy", "--network", "base"], {
      cwd: root,
      env,
      encoding: "utf8",
    });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain('network "base" needs BASE_RPC_URL and DEPLOYER_PRIVATE_KEY');
    expect(run.stderr).to.not.match(/at .*\.ts:\d+/); // no stack trace
  });
});
