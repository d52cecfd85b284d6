/**
 * The chain writer's settings (WriterOptions, given to ChainWriter) and the status it reports
 * (WriterStatus, GET /health and the operator's views).
 */
import type { ChainLogger } from "../log";
import type { PayerReport } from "./payer-check";

export interface WriterOptions {
  diamondAddress: string;
  /** Private keys of the api payers (registered on-chain as api payers). */
  payerKeys: readonly string[];
  /** Private key of the admin api payer (funds payer top-ups); optional. */
  adminPayerKey?: string;
  /** Worker tick: receipt polling, rebroadcasts, stuck checks (ms). Default 1000. */
  pollIntervalMs?: number;
  /** A sent transaction not mined after this long is re-signed with higher fees (ms). Default 60 000. */
  stuckAfterMs?: number;
  /** write() gives up waiting after this long with ChainUnavailableError(queued=true) (ms). Default 120 000. */
  writeTimeoutMs?: number;
  /** Gas limit = estimate * this / 100. Default 125. */
  gasLimitPercent?: number;
  /**
   * Pre-flight every write sent alone, also when its call shape's gas is cached (one eth_call per
   * write; a revert then costs no gas and no nonce). Default false: a write without an
   * Idempotency-Key of a cached shape is sent from the cached gas (docs/relayer-latency.md).
   */
  preflightKnownShapes?: boolean;
  /** Fee increase per re-sign, in percent; at least 12.5. Default 12.5. */
  feeBumpPercent?: number;
  /** Optional ceiling for maxFeePerGas / gasPrice (wei), of new transactions and of fee bumps alike. */
  maxFeePerGasWei?: bigint;
  /**
   * Blocks built on top of a write's block before the relayer stops watching it for reorgs;
   * default: the chain's (chain/finality.ts: local 0, Base Sepolia 10, Base 20).
   */
  confirmationDepth?: number;
  /** Blocks built on top of a write's block before write() answers; 0 (default): on inclusion. */
  writeConfirmations?: number;
  /** How long one fee lookup serves new writes (ms). Default 1000; 0 looks up for every write. */
  feeCacheMs?: number;
  /** Top-up amount (wei); default: the diamond's rebalanceAmount(). 0 disables top-ups. */
  rebalanceAmountWei?: bigint;
  /** A payer below this balance (wei) is topped up; default: half the top-up amount. */
  minPayerBalanceWei?: bigint;
  /** How often balances are checked (ms); 0 disables the background check. Default 60 000. */
  balanceCheckIntervalMs?: number;
  /**
   * How often the payer check (registration and funds, payer-check.ts) runs while it passes (ms);
   * default 60 000 (while it fails: every 5 000 at most); 0: at start-up and on demand only.
   */
  payerCheckIntervalMs?: number;
  /** Least an api payer must hold beyond its in-flight costs for writes to be accepted (wei); never below one write's cost. */
  requiredPayerBalanceWei?: bigint;
  logger?: ChainLogger;
}

export interface WriterStatus {
  ready: boolean;
  inFlight: Record<string, number>;
  lastError: string | null;
  /** Payers the latest payer check found not registered (lowercase). */
  unregisteredPayers: string[];
  /** The latest payer check (null before the first that reached the node). */
  payers: PayerReport | null;
  finality: {
    /** null until the chain id is known. */
    confirmationDepth: number | null;
    writeConfirmations: number;
    /** Transactions whose block a reorg dropped (rebroadcast or re-queued). */
    dropped: number;
    /** Receipts a reorg moved to another block. */
    moved: number;
    /** Rows marked final by this process. */
    finalized: number;
    /** Tracker rounds run (each looks at every watched row once). */
    rounds: number;
  };
  /** The chain has the OP-stack GasPriceOracle (L1 data fee in every cost estimate). */
  l1DataFee: boolean;
}
