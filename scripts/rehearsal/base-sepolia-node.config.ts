/**
 * Hardhat configuration of the rehearsal's node only (`hardhat --config <this> node`): the
 * in-memory EDR network with Base Sepolia's chain id (84532) and a low base fee like Base's. The
 * block interval is set at run time (evm_setIntervalMining), so tests can run it with automine.
 * The project's own hardhat.config.ts is not loaded: no deploy on start, no compile.
 */
import path from "path";
import type { HardhatUserConfig } from "hardhat/config";

const config: HardhatUserConfig = {
  networks: {
    hardhat: {
      chainId: 84532,
      hardfork: "cancun",
      // Base's L2 base fee is far below a gwei; 0.01 gwei keeps L2 gas cheap next to the L1 data fee.
      initialBaseFeePerGas: 10_000_000,
    },
  },
  paths: {
    root: path.resolve(__dirname, "..", ".."),
    cache: path.resolve(__dirname, "..", "..", "cache", "rehearsal-node"),
  },
};

export default config;
