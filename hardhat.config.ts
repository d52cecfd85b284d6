import { existsSync } from "fs";
import os from "os";
import path from "path";
import { HardhatUserConfig, subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_COMPILE_JOBS, TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";
import "hardhat-deploy";
import "hardhat-contract-sizer";
import { EDR_PURGE_DELAY_MS, EDR_PURGE_DELAY_VAR } from "./scripts/lib/edr-allocator";
import { requireNetworkEnv } from "./scripts/lib/network-env";
import "./tasks";
import { SkipReportingSpec } from "./test/fixtures/skips";

process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT ??= "true";
// Optional .env beside this file (see .env.example); variables already set in the shell win.
if (existsSync(path.join(__dirname, ".env"))) process.loadEnvFile(path.join(__dirname, ".env"));
// Before Hardhat's network (EDR) is loaded: its allocator reads this once; the shell's or .env's
// value wins (scripts/lib/edr-allocator.ts).
process.env[EDR_PURGE_DELAY_VAR] ??= EDR_PURGE_DELAY_MS;

/** Must equal the exact version of the npm "solc" devDependency (pinned without a caret). */
const SOLC_VERSION = "0.8.28";

// Offline compiler: use soljson.js from the npm "solc" package instead of downloading a build.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(
  async (args: { solcVersion: string }, _hre, runSuper) => {
    if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc") as { version(): string };
    return {
      version: args.solcVersion,
      longVersion: solc.version().replace(/\.Emscripten\.clang$/, ""),
      compilerPath: require.resolve("solc/soljson.js"),
      isSolcJs: true,
    };
  },
);

// The build has two compile jobs (UsageKeysFacet through the IR pipeline, the rest without) and
// solc-js runs each in its own process: run them side by side on every core. Hardhat's default
// (cores - 1) compiles them one after the other on a 2-core CI machine.
subtask(TASK_COMPILE_SOLIDITY_COMPILE_JOBS).setAction(async (args: { concurrency: number }, _hre, runSuper) =>
  runSuper({ ...args, concurrency: Math.max(args.concurrency, os.cpus().length) }),
);

const env = (k: string): string => (process.env[k] ?? "").trim();
const flag = (k: string): boolean => ["1", "true", "yes"].includes(env(k).toLowerCase());

/**
 * `hardhat coverage` (solidity-coverage, `npm run coverage`) compiles instrumented sources. It gets
 * its own artifacts and cache (solidity-coverage removes both when it ends) and writes no typings:
 * the normal build in artifacts/ and typechain-types/ stays as it was (no instrumented bytecode in
 * them, no full recompile afterwards), so .ci/run can type-check (lint) while coverage runs.
 */
const COVERAGE_RUN = process.argv.includes("coverage");

const compilerSettings = (viaIR: boolean) => ({
  version: SOLC_VERSION,
  settings: { optimizer: { enabled: true, runs: 200 }, viaIR, evmVersion: "cancun" },
});

const config: HardhatUserConfig = {
  solidity: {
    compilers: [compilerSettings(flag("VIA_IR"))],
    // setUsageApiKey's hosted-compatible signature has 13 parameters (6 of them dynamic): the
    // legacy code generator cannot decode them within 16 stack slots, so this one facet always
    // compiles through the IR pipeline. Everything else follows VIA_IR.
    overrides: { "contracts/facets/UsageKeysFacet.sol": compilerSettings(true) },
  },
  // DEPLOYMENTS_DIR: where hardhat-deploy records deployments (default ./deployments); the offline
  // rehearsal (scripts/rehearsal) deploys to "baseSepolia" into a temporary one, never over real records.
  paths: {
    deployments: env("DEPLOYMENTS_DIR") || "deployments",
    ...(COVERAGE_RUN ? { artifacts: ".coverage_artifacts", cache: ".coverage_cache" } : {}),
  },
  defaultNetwork: "hardhat",
  networks: {
    hardhat: { chainId: 31337 },
    localhost: { url: env("LOCALHOST_RPC_URL") || `http://127.0.0.1:${env("CHAIN_PORT") || "8545"}`, chainId: 31337 },
    // Public networks: RPC URL and deployer key come from the environment (see .env.example).
    // A missing variable is reported by name when the network is used (scripts/lib/network-env.ts).
    baseSepolia: {
      url: env("BASE_SEPOLIA_RPC_URL") || "http://unset.invalid",
      chainId: 84532,
      accounts: env("DEPLOYER_PRIVATE_KEY") ? [env("DEPLOYER_PRIVATE_KEY")] : [],
    },
    base: {
      url: env("BASE_RPC_URL") || "http://unset.invalid",
      chainId: 8453,
      accounts: env("DEPLOYER_PRIVATE_KEY") ? [env("DEPLOYER_PRIVATE_KEY")] : [],
    },
  },
  // Local networks use dev accounts 0-5; on public networks only the deployer exists and the roles
  // come from DIAMOND_OWNER, CONFIG_OPERATOR, PRICING_OPERATOR, ADMIN_API_PAYER, API_PAYERS.
  namedAccounts: {
    deployer: { default: 0 },
    owner: { default: 0 },
    configOperator: { default: 1, baseSepolia: 0, base: 0 },
    pricingOperator: { default: 2, baseSepolia: 0, base: 0 },
    adminApiPayer: { default: 3, baseSepolia: 0, base: 0 },
    apiPayer1: { default: 4, baseSepolia: "", base: "" },
    apiPayer2: { default: 5, baseSepolia: "", base: "" },
  },
  etherscan: {
    apiKey: env("BASESCAN_API_KEY"),
    customChains: [
      { network: "base", chainId: 8453, urls: { apiURL: "https://api.basescan.org/api", browserURL: "https://basescan.org" } },
      {
        network: "baseSepolia",
        chainId: 84532,
        urls: { apiURL: "https://api-sepolia.basescan.org/api", browserURL: "https://sepolia.basescan.org" },
      },
    ],
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6", dontOverrideCompile: COVERAGE_RUN },
  gasReporter: {
    enabled: flag("REPORT_GAS"),
    offline: !env("COINMARKETCAP_API_KEY"),
    coinmarketcap: env("COINMARKETCAP_API_KEY") || undefined,
    currency: "USD",
  },
  sourcify: { enabled: false },
  contractSizer: { runOnCompile: false, strict: true, only: ["AccountConfig$", "Facet$", "Init$"] },
  // The spec reporter plus every skipped suite with its reason (and SKIP_REPORT=<file> for .ci/run).
  mocha: { timeout: 300_000, reporter: SkipReportingSpec },
};

requireNetworkEnv(process.argv);

export default config;
