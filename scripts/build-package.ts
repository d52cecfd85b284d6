/**
 * Builds what the `accountconfig` package ships (package.json "exports", README "Package layout"),
 * after `hardhat compile`: empties dist/, then writes
 *  - dist/abi/AccountConfig.json: the combined ABI of every facet of the diamond;
 *  - dist/deployments/: the diamond's address per network and chain id, from hardhat-deploy's
 *    deployments directory (scripts/lib/package-deployments.ts; empty when nothing is deployed);
 *  - dist/typechain-types, dist/src/core, dist/src/sdk: tsconfig.build.json compiles the TypeChain
 *    bindings, the browser-safe part of src/core (src/core/browser.ts) and the SDK into one tree,
 *    so the SDK's imports of core and of the bindings are the very files `accountconfig/core` and
 *    `accountconfig/types` export (one copy, one IAccountConfig__factory). The bindings of the
 *    test-only contracts (contracts/test/) are left out (scripts/lib/package-bindings.ts).
 * Run with `hardhat run scripts/build-package.ts` (`npm run build` does).
 */
import fs from "fs";
import path from "path";
import hre from "hardhat";
import * as ts from "typescript";
import { FACET_NAMES, mergeAbis } from "./lib/diamond";
import { compileWithoutTestBindings } from "./lib/package-bindings";
import { writeDeploymentsModule } from "./lib/package-deployments";

const ROOT = path.join(__dirname, "..");
const DIST = path.join(ROOT, "dist");

async function main(): Promise<void> {
  fs.rmSync(DIST, { recursive: true, force: true });

  const abis = await Promise.all(FACET_NAMES.map(async (name) => (await hre.artifacts.readArtifact(name)).abi));
  const abiFile = path.join(DIST, "abi", "AccountConfig.json");
  fs.mkdirSync(path.dirname(abiFile), { recursive: true });
  fs.writeFileSync(abiFile, JSON.stringify(mergeAbis(abis), null, 2) + "\n");
  console.log("wrote dist/abi/AccountConfig.json");

  const deployed = writeDeploymentsModule(hre.config.paths.deployments, path.join(DIST, "deployments"));
  const where = deployed.map((d) => `${d.network} (${d.chainId})`).join(", ") || "none deployed";
  console.log(`wrote dist/deployments: ${where}`);

  const written = compileWithoutTestBindings(ts, path.join(ROOT, "tsconfig.build.json"), path.join(ROOT, "typechain-types"));
  console.log(`wrote dist/typechain-types, dist/src/core, dist/src/sdk (${written.length} files; no test-only contract bindings)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
