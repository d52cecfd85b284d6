/**
 * What the packed `accountconfig` package holds (README "Package layout"): no binding of a
 * test-only contract (contracts/test/; scripts/lib/package-bindings.ts), and its public types
 * export none of them, so an app importing one gets a type error while everything it may use
 * still type-checks (install.test.ts type-checks a consumer of every export).
 */
import { expect } from "chai";
import { execFile } from "child_process";
import fs from "fs";
import path from "path";
import { promisify } from "util";
import { testContractNames } from "../../scripts/lib/package-bindings";
import { PACKED_APP_TIMEOUT_MS, ROOT, packedApp, type PackedApp } from "./packed-app";

const run = promisify(execFile);

describe("the accountconfig package's contents", function () {
  this.timeout(PACKED_APP_TIMEOUT_MS);
  let app: PackedApp;
  let files: string[];
  const testContracts = testContractNames(ROOT);

  before(async () => {
    app = await packedApp();
    const { stdout } = await run("tar", ["-tzf", app.tarball], { maxBuffer: 64 * 1024 * 1024 });
    files = stdout.split("\n").filter(Boolean);
  });

  it("knows the test-only contracts it must leave out", () => {
    expect(testContracts).to.include.members(["ERC1271WalletTest", "UpgradeProbeFacet"]);
  });

  it("ships TypeChain bindings, and none of a test-only contract", () => {
    expect(files).to.include("package/dist/typechain-types/index.d.ts");
    expect(files).to.include("package/dist/typechain-types/factories/contracts/interfaces/IAccountConfig__factory.js");
    const leaked = files.filter((f) => /\/contracts\/test(\/|$)/.test(f) || testContracts.some((n) => path.basename(f).startsWith(`${n}`)));
    expect(leaked).to.deep.equal([]);
  });

  it("names no test-only contract in any file under dist/", () => {
    const installed = path.join(app.dir, "node_modules", "accountconfig", "dist");
    const naming: string[] = [];
    const visit = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) visit(p);
        else if (testContracts.some((n) => fs.readFileSync(p, "utf8").includes(n))) naming.push(path.relative(installed, p));
      }
    };
    visit(installed);
    expect(naming).to.deep.equal([]);
  });

  it("refuses an app's import of a test-only binding from accountconfig/types at type-check", async () => {
    const dir = path.join(app.dir, "test-binding-import");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "app.ts"), `import { ERC1271WalletTest__factory } from "accountconfig/types";\nexport const f = ERC1271WalletTest__factory;\n`);
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "es2022", module: "node16", moduleResolution: "node16", strict: true, skipLibCheck: false, types: [], noEmit: true },
        files: ["app.ts"],
      }),
    );
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const outcome = await run(process.execPath, [tsc, "-p", dir], { cwd: dir }).then(
      () => "type-checked",
      (err: { stdout?: string }) => err.stdout ?? "",
    );
    expect(outcome).to.match(/TS2305: Module '"accountconfig\/types"' has no exported member 'ERC1271WalletTest__factory'/);
  });
});
