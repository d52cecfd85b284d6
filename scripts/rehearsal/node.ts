/**
 * A node shaped like Base Sepolia for the offline rehearsal (README "Running on Base Sepolia"): a child
 * `hardhat node` (EDR) with chain id 84532 (scripts/rehearsal/base-sepolia-node.config.ts), blocks
 * every `blockTimeMs` (interval mining; 0 = automine, for bounded tests) and the OP-stack
 * GasPriceOracle predeploy's code at 0x420000000000000000000000000000000000000F, so that the
 * relayer's L1 data fee path (src/relayer/chain/writer/l1-fee.ts) is exercised.
 *
 *   const node = await startBaseSepoliaNode({ blockTimeMs: 2000 });
 *   await placeGasPriceOracle(node, hre.artifacts);
 *   await node.rpc("hardhat_setBalance", [address, "0x..."]);
 *   await node.stop();
 */
import path from "path";
import { ContractFactory, JsonRpcProvider, Network, Wallet, toQuantity } from "ethers";
import { GAS_PRICE_ORACLE } from "../../src/relayer/chain/writer/l1-fee";
import { rpcCall } from "../lib/http-json";
import { startLocalChain, type ArtifactReader, type Child, type ChildOutput } from "../lib/local-chain";

export const BASE_SEPOLIA_CHAIN_ID = 84532;
const NODE_CONFIG = path.join(__dirname, "base-sepolia-node.config.ts");

/**
 * L1 parameters of the stand-in oracle (contracts/test/GasPriceOracleTest.sol), in the range Base
 * Sepolia shows: an L1 base fee of 5 gwei, a blob base fee of 1 wei and Ecotone's default scalars.
 */
export const ORACLE_PARAMS = { l1BaseFee: 5_000_000_000n, blobBaseFee: 1n, baseFeeScalar: 1368n, blobBaseFeeScalar: 810949n };

export interface BaseSepoliaNode extends Child {
  url: string;
  /** One JSON-RPC call straight to the node (no faults); throws on a JSON-RPC error. */
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  /** A provider straight to the node (static network 84532, no cache, no batching). */
  provider(): JsonRpcProvider;
}

export interface BaseSepoliaNodeOptions {
  /** Block interval in ms; 0 = automine (one block per transaction). Default 2000. */
  blockTimeMs?: number;
  /** The node's output (default: captured). */
  stdout?: ChildOutput;
  timeoutMs?: number;
}

export async function startBaseSepoliaNode(opts: BaseSepoliaNodeOptions = {}): Promise<BaseSepoliaNode> {
  const node = await startLocalChain({
    config: NODE_CONFIG,
    chainId: BASE_SEPOLIA_CHAIN_ID,
    stdout: opts.stdout,
    stderr: opts.stdout,
    timeoutMs: opts.timeoutMs,
  });
  const url = node.url;
  const rpc = (method: string, params: unknown[] = []) => rpcCall(url, method, params, 30_000);
  const blockTimeMs = opts.blockTimeMs ?? 2000;
  await rpc("hardhat_setLoggingEnabled", [false]);
  if (blockTimeMs > 0) {
    await rpc("evm_setAutomine", [false]);
    await rpc("evm_setIntervalMining", [blockTimeMs]);
  }
  const provider = () => {
    const p = new JsonRpcProvider(url, Network.from(BASE_SEPOLIA_CHAIN_ID), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 1 });
    p.pollingInterval = 200;
    return p;
  };
  return { ...node, rpc, provider };
}

/** Gives `address` exactly `wei` (hardhat_setBalance). */
export async function setBalance(node: Pick<BaseSepoliaNode, "rpc">, address: string, wei: bigint): Promise<void> {
  await node.rpc("hardhat_setBalance", [address, toQuantity(wei)]);
}

/**
 * Deploys contracts/test/GasPriceOracleTest.sol (ORACLE_PARAMS; from a throw-away funded key) and
 * copies its runtime code to the predeploy address with hardhat_setCode. Its parameters are
 * immutables, part of the code, so the copy computes the same fees. Returns the L1 fee the copy
 * charges for 100 non-zero bytes (a sanity figure for the log).
 */
export async function placeGasPriceOracle(node: BaseSepoliaNode, artifacts: ArtifactReader): Promise<bigint> {
  const provider = node.provider();
  try {
    const funder = Wallet.createRandom().connect(provider);
    await setBalance(node, funder.address, 10n ** 18n);
    const art = await artifacts.readArtifact("GasPriceOracleTest");
    const p = ORACLE_PARAMS;
    const contract = await new ContractFactory(art.abi, art.bytecode, funder).deploy(p.l1BaseFee, p.blobBaseFee, p.baseFeeScalar, p.blobBaseFeeScalar);
    await contract.waitForDeployment();
    const code = (await node.rpc("eth_getCode", [await contract.getAddress(), "latest"])) as string;
    await node.rpc("hardhat_setCode", [GAS_PRICE_ORACLE, code]);
    const sample = `0x${"ff".repeat(100)}`;
    const data = contract.interface.encodeFunctionData("getL1Fee", [sample]);
    const fee = (await node.rpc("eth_call", [{ to: GAS_PRICE_ORACLE, data }, "latest"])) as string;
    if (BigInt(fee) === 0n) throw new Error("the GasPriceOracle copy answers a zero L1 fee");
    return BigInt(fee);
  } finally {
    provider.destroy();
  }
}
