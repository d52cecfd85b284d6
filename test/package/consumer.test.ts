/**
 * Proves that an app can consume the package: builds it (npm run build), links it into a temporary
 * app as node_modules/accountconfig, type-checks and compiles a tiny consumer with Node16 module
 * resolution (so package.json "exports" is what resolves the imports), then runs the consumer's
 * view call against the in-process chain.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { deployments, ethers } from "hardhat";

const ROOT = path.resolve(__dirname, "..", "..");
const CONSUMER = `import { Interface, type ContractRunner } from "ethers";
import { IAccountConfig__factory, type IAccountConfig } from "accountconfig/types";
import abi from "accountconfig/abi/AccountConfig.json";

export async function accountCount(address: string, runner: ContractRunner): Promise<bigint> {
  const diamond: IAccountConfig = IAccountConfig__factory.connect(address, runner);
  return diamond.accountCount();
}

export function abiHasTransfer(): boolean {
  return new Interface(abi).getFunction("transferChainSecuredAccountOwnership") !== null;
}
`;

describe("package exports for apps", () => {
  let app: string;

  before(function () {
    this.timeout(300_000);
    execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "pipe" });
    app = fs.mkdtempSync(path.join(os.tmpdir(), "accountconfig-app-"));
    fs.mkdirSync(path.join(app, "node_modules"));
    fs.symlinkSync(ROOT, path.join(app, "node_modules", "accountconfig"), "dir");
    fs.symlinkSync(path.join(ROOT, "node_modules", "ethers"), path.join(app, "node_modules", "ethers"), "dir");
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
    fs.writeFileSync(path.join(app, "consumer.ts"), CONSUMER);
    fs.writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2022",
          module: "node16",
          moduleResolution: "node16",
          strict: true,
          resolveJsonModule: true,
          esModuleInterop: true,
          skipLibCheck: false,
          outDir: "out",
        },
        files: ["consumer.ts"],
      }),
    );
  });

  after(() => {
    if (app) fs.rmSync(app, { recursive: true, force: true });
  });

  it("type-checks and compiles an app importing accountconfig/types and the combined ABI", () => {
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    execFileSync(process.execPath, [tsc, "-p", app], { cwd: app, stdio: "pipe" });
    expect(fs.existsSync(path.join(app, "out", "consumer.js"))).to.equal(true);
  });

  it("calls a diamond view through the exported TypeChain factory", async () => {
    await deployments.fixture(["AccountConfig"]);
    const address = (await deployments.get("AccountConfig")).address;
    const [, , , , payer] = await ethers.getSigners();
    const diamond = await ethers.getContractAt("IAccountConfig", address);
    await diamond.connect(payer).newAccount(ethers.id("consumer-key"), true, "a", "", payer.address);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const consumer = require(path.join(app, "out", "consumer.js")) as {
      accountCount(address: string, runner: unknown): Promise<bigint>;
      abiHasTransfer(): boolean;
    };
    expect(await consumer.accountCount(address, ethers.provider)).to.equal(1n);
    expect(consumer.abiHasTransfer()).to.equal(true);
  });
});
