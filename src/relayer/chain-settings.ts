/**
 * The chain settings of the relayer (config.ts lists the variables): the RPC endpoints, the chain
 * and its finality, fees, the diamond, write batching and the payer check.
 */
import { finalityFor } from "./chain/finality";
import { decimalUnits, quote, type Reader } from "./env-reader";

export interface ChainSettings {
  /** The first of rpcUrls. */
  rpcUrl: string;
  /** RPC endpoints (RPC_URLS, else RPC_URL), used as one with failover. */
  rpcUrls: string[];
  /** Per-request timeout of an RPC call (RPC_TIMEOUT_MS). */
  rpcTimeoutMs: number;
  /**
   * Blocks on top of a write's block before it is final (CONFIRMATION_DEPTH); null: the default of
   * the chain id the node reports (chain/finality.ts).
   */
  confirmationDepth: number | null;
  /** Recent blocks the index keeps the hashes of to follow a reorg (REORG_WINDOW); null: the chain's default. */
  reorgWindow: number | null;
  /** Blocks on top of a write's block before it is answered (WRITE_CONFIRMATIONS; 0: on inclusion). */
  writeConfirmations: number;
  /** Ceiling of the fee per gas, in wei (MAX_FEE_PER_GAS_GWEI); null: none. */
  maxFeePerGasWei: bigint | null;
  chainId: number;
  /** `0x` + 40 lowercase hex, or null when not configured yet. */
  diamondAddress: string | null;
  name: string;
  testnet: boolean;
  token: string;
  /** Most calls in one batchCalls transaction (BATCH_MAX_CALLS; below 2 = no batching). */
  batchMaxCalls: number;
  /** Batch transactions under way at once (BATCH_MAX_IN_FLIGHT); null = the number of payers. */
  batchMaxInFlight: number | null;
  /** Most batchCalls calldata bytes in one batch (BATCH_MAX_BYTES; docs/operator.md "Batch size limits"). */
  batchMaxBytes: number;
  /** First block to index (START_BLOCK): the diamond's deployment block. */
  startBlock: number;
  /** How often the payer check runs (PAYER_CHECK_INTERVAL_MS); while it fails, at most every 5 s. */
  payerCheckIntervalMs: number;
  /** Least a payer must hold beyond its in-flight costs, in wei (PAYER_MIN_BALANCE_ETH); null: one write's cost. */
  payerMinBalanceWei: bigint | null;
}

const KNOWN_CHAINS: Record<number, { name: string; testnet: boolean }> = {
  31337: { name: "localhost", testnet: true },
  84532: { name: "base-sepolia", testnet: true },
  8453: { name: "base", testnet: false },
};

/** RPC_URL(S), CHAIN_*, CONFIRMATION_DEPTH, REORG_WINDOW, WRITE_CONFIRMATIONS, fees, DIAMOND_ADDRESS, batching, START_BLOCK, payer checks. */
export function readChainSettings(read: Reader, problems: string[]): ChainSettings {
  const rpcUrl = read.string("RPC_URL", "http://127.0.0.1:8545");
  if (!/^(https?|wss?):\/\/\S+$/i.test(rpcUrl))
    problems.push(`RPC_URL: expected an http(s):// or ws(s):// URL, got ${quote(rpcUrl)}`);
  const listed = read.list("RPC_URLS");
  listed.forEach((u, i) => {
    if (!/^https?:\/\/\S+$/i.test(u)) problems.push(`RPC_URLS: entry ${i + 1} is not an http(s):// URL: ${quote(u)}`);
  });
  if (new Set(listed).size !== listed.length) problems.push("RPC_URLS: lists a URL twice");
  const rpcUrls = listed.length > 0 ? listed : [rpcUrl];
  const chainId = read.int("CHAIN_ID", 31337, 1, Number.MAX_SAFE_INTEGER);
  const known = KNOWN_CHAINS[chainId];
  const confirmationDepth = read.optional("CONFIRMATION_DEPTH") === null ? null : read.int("CONFIRMATION_DEPTH", 0, 0, 10_000);
  const reorgWindow = read.optional("REORG_WINDOW") === null ? null : read.int("REORG_WINDOW", 1, 1, 100_000);
  if (confirmationDepth !== null || reorgWindow !== null) {
    // Checked against CHAIN_ID's defaults for the one not given (the node's chain id decides at start).
    const f = finalityFor(chainId, { confirmationDepth: confirmationDepth ?? undefined, reorgWindow: reorgWindow ?? undefined });
    if (f.reorgWindow < f.confirmationDepth)
      problems.push(
        `REORG_WINDOW: ${f.reorgWindow} is below CONFIRMATION_DEPTH (${f.confirmationDepth}); a write must be final within the window`,
      );
  }
  const writeConfirmations = read.int("WRITE_CONFIRMATIONS", 0, 0, 10_000);
  const maxFeeText = read.optional("MAX_FEE_PER_GAS_GWEI");
  let maxFeePerGasWei: bigint | null = null;
  if (maxFeeText !== null) {
    maxFeePerGasWei = decimalUnits(maxFeeText, 9);
    if (maxFeePerGasWei === null || maxFeePerGasWei === 0n) {
      problems.push(`MAX_FEE_PER_GAS_GWEI: expected a positive number of gwei (at most 9 decimals), got ${quote(maxFeeText)}`);
      maxFeePerGasWei = null;
    }
  }
  const minBalanceText = read.optional("PAYER_MIN_BALANCE_ETH");
  let payerMinBalanceWei: bigint | null = null;
  if (minBalanceText !== null) {
    payerMinBalanceWei = decimalUnits(minBalanceText, 18);
    if (payerMinBalanceWei === null)
      problems.push(`PAYER_MIN_BALANCE_ETH: expected an amount of ETH (at most 18 decimals), got ${quote(minBalanceText)}`);
  }
  const diamondText = read.optional("DIAMOND_ADDRESS");
  let diamondAddress: string | null = null;
  if (diamondText !== null) {
    if (/^(0x)?[0-9a-fA-F]{40}$/.test(diamondText))
      diamondAddress = `0x${diamondText.replace(/^0x/i, "").toLowerCase()}`;
    else problems.push(`DIAMOND_ADDRESS: expected a 20-byte hex address, got ${quote(diamondText)}`);
  }
  return {
    rpcUrl: rpcUrls[0],
    rpcUrls,
    rpcTimeoutMs: read.int("RPC_TIMEOUT_MS", 15_000, 100, 600_000),
    confirmationDepth,
    reorgWindow,
    writeConfirmations,
    maxFeePerGasWei,
    chainId,
    diamondAddress,
    name: read.string("CHAIN_NAME", known?.name ?? `chain-${chainId}`),
    testnet: read.bool("CHAIN_TESTNET", known?.testnet ?? true),
    token: read.string("CHAIN_TOKEN", "ETH"),
    batchMaxCalls: read.int("BATCH_MAX_CALLS", 32, 1, 256),
    batchMaxInFlight: read.optional("BATCH_MAX_IN_FLIGHT") === null ? null : read.int("BATCH_MAX_IN_FLIGHT", 1, 1, 1000),
    // 1 KiB .. 120 KiB: below geth's 128 KiB transaction limit with room for the signed envelope.
    batchMaxBytes: read.int("BATCH_MAX_BYTES", 96 * 1024, 1024, 120 * 1024),
    startBlock: read.int("START_BLOCK", 0, 0, Number.MAX_SAFE_INTEGER),
    payerCheckIntervalMs: read.int("PAYER_CHECK_INTERVAL_MS", 60_000, 100, 86_400_000),
    payerMinBalanceWei,
  };
}
