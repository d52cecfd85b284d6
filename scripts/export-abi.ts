/**
 * Writes dist/abi/AccountConfig.json: the combined ABI of every facet of the diamond (what apps and
 * the relayer load), then compiles the SDK (src/sdk with the TypeChain bindings it uses) into
 * dist/sdk with tsconfig.sdk.json (the "./sdk" export). Run with `hardhat run scripts/export-abi.ts`
 * (npm run build does).
 */
import { execFileSync } from "child_process";
import fs from "fs";
import path from "path";
import hre from "hardhat";
import { FACET_NAMES, mergeAbis } from "./lib/diamond";

async function main(): Promise<void> {
  const abis = await Promise.all(FACET_NAMES.map(async (name) => (await hre.artifacts.readArtifact(name)).abi));
  const out = path.join(__dirname, "..", "dist", "abi", "AccountConfig.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(mergeAbis(abis), null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
  const root = path.join(__dirname, "..");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.sdk.json")], {
    cwd: root,
    stdio: "inherit",
  });
  console.log("wrote dist/sdk");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
