/**
 * Relayer settings, read once from environment variables (docs/http-api.md §6, §9; `npm run
 * relayer` first fills in unset ones from .env, see env-file.ts). Every setting has a default
 * suitable for a local chain; every invalid value is reported with the variable's name.
 *
 *   HOST, PORT                      listen address (127.0.0.1:8080)
 *   TRUST_PROXY                     take the client IP from X-Forwarded-For (false)
 *   DATA_DIR                        ./data (root secret file, SQLite database)
 *   DATABASE_URL                    optional postgres://... (otherwise SQLite in DATA_DIR)
 *   RPC_URL, CHAIN_ID               http://127.0.0.1:8545, 31337
 *   RPC_URLS                        comma-separated RPC URLs of one chain, used with failover (wins over RPC_URL)
 *   RPC_TIMEOUT_MS                  per-request timeout of each RPC call (15000)
 *   CONFIRMATION_DEPTH              blocks on top of a write's block before it is final (per chain id: 31337 0, 84532 10, 8453 20, else 12)
 *   REORG_WINDOW                    recent blocks the index follows reorgs in (31337 64, 84532/8453 128, else 128)
 *   WRITE_CONFIRMATIONS             blocks on top of a write's block before it is answered (0: on inclusion)
 *   MAX_FEE_PER_GAS_GWEI            ceiling of the fee per gas of every transaction and fee bump (none)
 *   DIAMOND_ADDRESS                 the AccountConfig diamond (optional until the chain layer starts)
 *   CHAIN_NAME, CHAIN_TESTNET, CHAIN_TOKEN   what get_node_chain_config reports
 *   BATCH_MAX_CALLS                 most writes one batchCalls transaction carries (32; 1 = no batching)
 *   BATCH_MAX_IN_FLIGHT             write transactions under way before new writes wait to be batched (payer count)
 *   START_BLOCK                     first block to index: the diamond's deployment block (0)
 *   PAYER_CHECK_INTERVAL_MS         how often the payers' registration and funds are checked (60000; 5000 while failing)
 *   PAYER_MIN_BALANCE_ETH           least a payer must hold beyond its in-flight costs (default: one write's cost at current fees)
 *   FRESH_READS                     which answers wait for the index to reach the chain head (docs/finality.md
 *                                   "Answers that follow the chain"): all (default; wallet-signature
 *                                   authority, ChainSecured accounts' credentials, unknown credentials),
 *                                   signatures (wallet-signature authority only), off (the last poll's index)
 *   FRESH_READ_TIMEOUT_MS           how long such a request waits for the head and the index (3000); then 503 IndexBehindHead
 *   ROOT_SECRET                     hex (at least 32 bytes), or
 *   ROOT_SECRET_FILE                DATA_DIR/root-secret, created with mode 0600 on first start
 *   PAYER_COUNT / PAYER_KEYS        derived api payers (2), or comma-separated private keys
 *   ADMIN_PAYER_KEY                 admin api payer key (derived from the root secret otherwise)
 *   CORS_ORIGINS                    comma-separated origins allowed by CORS, or * (none)
 *   RATE_LIMIT_KEY_PER_MINUTE, RATE_LIMIT_KEY_BURST                 per API key (600, 120)
 *   RATE_LIMIT_IP_PER_MINUTE, RATE_LIMIT_IP_BURST                   per client IP (1200, 240)
 *   RATE_LIMIT_NEW_ACCOUNT_PER_HOUR, RATE_LIMIT_NEW_ACCOUNT_BURST   per IP on minting endpoints (20, 5)
 *   (a rate of 0 disables that limit)
 *   LOG_LEVEL                       fatal|error|warn|info|debug|trace|silent (info)
 *   RELEASE_COMMIT                  commit reported by /version (unknown)
 *   LEGACY_SIGNATURES               also accept the hosted wallet-signature formats, which bind no
 *                                   diamond (true; false = only the bound format, docs/wallet-signatures.md)
 *   Lit Actions (http-api.md §5; unset = default, or the on-chain node configuration):
 *   LIT_ACTION_TIMEOUT_MS, LIT_ACTION_MEMORY_LIMIT_MB, LIT_ACTION_MAX_CODE_LENGTH,
 *   LIT_ACTION_MAX_RESPONSE_LENGTH, LIT_ACTION_MAX_CONSOLE_LOG_LENGTH, LIT_ACTION_MAX_FETCH_COUNT,
 *   LIT_ACTION_MAX_KEY_REQUESTS, LIT_ACTION_MAX_PARAMS_BYTES, LIT_ACTION_FETCH_TIMEOUT_MS,
 *   LIT_ACTION_MAX_FETCH_RESPONSE_BYTES   limits
 *   LIT_ACTION_CODE_QUOTA_BYTES     code one account may keep for running by CID (16 MiB)
 *   LIT_ACTION_CODE_CACHE_BYTES, LIT_ACTION_CODE_CACHE_TTL_SECONDS   cache of code sent without a
 *                                   key (16 MiB in all, entries live 3600 s)
 *   LIT_ACTION_FETCH_ALLOW_LIST     comma-separated hosts, IPs or CIDRs fetch may reach despite the SSRF guard
 *   LIT_ACTION_IPFS_GATEWAY_URL     optional IPFS gateway for code the store lacks (e.g. https://ipfs.io)
 *   LIT_ACTION_MAX_CONCURRENCY      executions at once (8); more wait
 *   LIT_ACTION_MAX_CONCURRENCY_PER_ACCOUNT  executions of one account at once (half of the above)
 *   LIT_ACTION_MAX_QUEUED_PER_ACCOUNT       executions of one account waiting beyond those (64); more get 429
 *   LIT_ACTION_MAX_FETCH_BYTES_IN_FLIGHT    fetch bytes the host holds for one execution (16 MiB)
 *   Billing (http-api.md §8; README "Billing"):
 *   BILLING_PROVIDER                none (billing off) | dev (local test payments) | stripe (none)
 *   BILLING_STARTING_CREDIT_CENTS   credit of an account the first time billing sees it (dev 10000, stripe 0)
 *   BILLING_WRITE_PRICE_CENTS       price of a billed management write (1)
 *   BILLING_EXECUTION_SECOND_PRICE_CENTS   price of each started second of a Lit Action (1)
 *   BILLING_MIN_TOP_UP_CENTS, BILLING_MAX_TOP_UP_CENTS   create_payment_intent bounds (500, 99999999)
 *   STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY   required with BILLING_PROVIDER=stripe
 *   STRIPE_API_BASE                 Stripe API base URL (https://api.stripe.com; a stub or stripe-mock in tests)
 */
import { type ActionLimits, limitBounds } from "./lit-runtime/limits";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { finalityFor } from "./chain/finality";

/** FRESH_READS: which answers wait for the index to reach the chain head (docs/finality.md). */
export type FreshReadsPolicy = "all" | "signatures" | "off";
const FRESH_READS_POLICIES: readonly FreshReadsPolicy[] = ["all", "signatures", "off"];

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** A token bucket: `burst` requests at once, refilled at `perSecond`; perSecond 0 disables it. */
export interface RateLimitRule {
  perSecond: number;
  burst: number;
}

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
  /** First block to index (START_BLOCK): the diamond's deployment block. */
  startBlock: number;
  /** How often the payer check runs (PAYER_CHECK_INTERVAL_MS); while it fails, at most every 5 s. */
  payerCheckIntervalMs: number;
  /** Least a payer must hold beyond its in-flight costs, in wei (PAYER_MIN_BALANCE_ETH); null: one write's cost. */
  payerMinBalanceWei: bigint | null;
}

export interface RelayerConfig {
  host: string;
  port: number;
  trustProxy: boolean;
  dataDir: string;
  databaseUrl: string | null;
  chain: ChainSettings;
  rootSecret: Uint8Array;
  /** Where the root secret came from ("env", or the file path). Never the secret itself. */
  rootSecretSource: string;
  payers: {
    /** Number of payers derived from the root secret (ignored when keys are given). */
    count: number;
    /** Explicit payer private keys (`0x` + 64 hex), for public networks. */
    keys: string[];
    adminKey: string | null;
  };
  /** Allowed CORS origins; "*" allows every origin; empty allows none. */
  corsOrigins: string[];
  rateLimits: {
    perKey: RateLimitRule;
    perIp: RateLimitRule;
    newAccount: RateLimitRule;
  };
  logLevel: LogLevel;
  /** Accept the hosted wallet-signature formats besides the bound one (LEGACY_SIGNATURES). */
  legacySignatures: boolean;
  /** Answers from an index at the chain head (FRESH_READS, FRESH_READ_TIMEOUT_MS; docs/finality.md). */
  freshReads: { policy: FreshReadsPolicy; timeoutMs: number };
  /** 10 MiB: larger request bodies get 413. */
  bodyLimitBytes: number;
  build: { name: string; version: string; commit: string };
  litActions: LitActionSettings;
  /** Where Lit Action code is kept for running by CID (docs/relayer-untrusted-input.md). */
  codeStorage: CodeStorageSettings;
  billing: BillingSettings;
}

/** Lit Action code kept per account (quota) and cached for anonymous callers (bounded, expiring). */
export interface CodeStorageSettings {
  quotaBytes: number;
  cacheBytes: number;
  cacheTtlSeconds: number;
}

export type BillingProviderName = "none" | "dev" | "stripe";

/** Billing settings (http-api.md §8). Amounts are US cents. */
export interface BillingSettings {
  provider: BillingProviderName;
  startingCreditCents: number;
  prices: { writeCents: number; executionSecondCents: number };
  minTopUpCents: number;
  maxTopUpCents: number;
  stripe: { secretKey: string; publishableKey: string; apiBase: string } | null;
}

/** Lit Action runtime settings; unset limits fall back to the chain's node configuration, then the defaults. */
export interface LitActionSettings {
  limits: {
    timeoutMs?: number;
    memoryLimitMb?: number;
    maxCodeLength?: number;
    maxResponseLength?: number;
    maxConsoleLogLength?: number;
    maxFetchCount?: number;
    maxKeyRequests?: number;
    maxParamsBytes?: number;
    fetchTimeoutMs?: number;
    maxFetchResponseBytes?: number;
    maxFetchBytesInFlight?: number;
  };
  fetchAllowList: string[];
  ipfsGatewayUrl: string | null;
  maxConcurrency: number;
  maxConcurrencyPerAccount: number;
  maxQueuedPerAccount: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid relayer configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Create ROOT_SECRET_FILE when missing (default true). */
  createRootSecret?: boolean;
}

const KNOWN_CHAINS: Record<number, { name: string; testnet: boolean }> = {
  31337: { name: "localhost", testnet: true },
  84532: { name: "base-sepolia", testnet: true },
  8453: { name: "base", testnet: false },
};

/** Reads and validates every setting; throws ConfigError listing each bad variable by name. */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): RelayerConfig {
  const problems: string[] = [];
  const read = new Reader(env, problems);

  const host = read.string("HOST", "127.0.0.1");
  const port = read.int("PORT", 8080, 1, 65535);
  const trustProxy = read.bool("TRUST_PROXY", false);
  const dataDir = path.resolve(read.string("DATA_DIR", "./data"));
  const databaseUrl = read.optional("DATABASE_URL");
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    problems.push(`DATABASE_URL: expected a postgres:// or postgresql:// URL`);
  }

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
  const chain: ChainSettings = {
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
    startBlock: read.int("START_BLOCK", 0, 0, Number.MAX_SAFE_INTEGER),
    payerCheckIntervalMs: read.int("PAYER_CHECK_INTERVAL_MS", 60_000, 100, 86_400_000),
    payerMinBalanceWei,
  };

  const secret = readRootSecret(env, dataDir, options.createRootSecret ?? true, problems);
  const payers = readPayerKeys(read, env, problems);

  const corsOrigins = read.list("CORS_ORIGINS");
  corsOrigins.forEach((o) => {
    if (o !== "*" && !/^https?:\/\/[^/\s]+$/i.test(o))
      problems.push(`CORS_ORIGINS: ${quote(o)} is not an origin (scheme://host[:port], no path) or *`);
  });

  const rateLimits = {
    perKey: {
      perSecond: read.number("RATE_LIMIT_KEY_PER_MINUTE", 600, 0) / 60,
      burst: read.int("RATE_LIMIT_KEY_BURST", 120, 1, 1_000_000),
    },
    perIp: {
      perSecond: read.number("RATE_LIMIT_IP_PER_MINUTE", 1200, 0) / 60,
      burst: read.int("RATE_LIMIT_IP_BURST", 240, 1, 1_000_000),
    },
    newAccount: {
      perSecond: read.number("RATE_LIMIT_NEW_ACCOUNT_PER_HOUR", 20, 0) / 3600,
      burst: read.int("RATE_LIMIT_NEW_ACCOUNT_BURST", 5, 1, 1_000_000),
    },
  };

  const levelText = read.string("LOG_LEVEL", "info").toLowerCase();
  const logLevel = LOG_LEVELS.find((l) => l === levelText);
  if (logLevel === undefined)
    problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(", ")}, got ${quote(levelText)}`);

  const litActions = readLitActionSettings(read, problems);
  const codeStorage: CodeStorageSettings = {
    quotaBytes: read.int("LIT_ACTION_CODE_QUOTA_BYTES", 16 * 1024 * 1024, 0, 1024 * 1024 * 1024 * 1024),
    cacheBytes: read.int("LIT_ACTION_CODE_CACHE_BYTES", 16 * 1024 * 1024, 0, 1024 * 1024 * 1024 * 1024),
    cacheTtlSeconds: read.int("LIT_ACTION_CODE_CACHE_TTL_SECONDS", 3600, 0, 30 * 24 * 3600),
  };
  const billing = readBillingSettings(read, problems);
  const legacySignatures = read.bool("LEGACY_SIGNATURES", true);
  const freshText = read.string("FRESH_READS", "all").toLowerCase();
  const freshPolicy = FRESH_READS_POLICIES.find((p) => p === freshText);
  if (freshPolicy === undefined)
    problems.push(`FRESH_READS: expected one of ${FRESH_READS_POLICIES.join(", ")}, got ${quote(freshText)}`);
  const freshReads = {
    policy: freshPolicy ?? "all",
    timeoutMs: read.int("FRESH_READ_TIMEOUT_MS", 3000, 100, 60_000),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    host,
    port,
    trustProxy,
    dataDir,
    databaseUrl,
    chain,
    rootSecret: secret?.bytes ?? new Uint8Array(32),
    rootSecretSource: secret?.source ?? "",
    payers,
    corsOrigins,
    rateLimits,
    logLevel: logLevel ?? "info",
    legacySignatures,
    freshReads,
    bodyLimitBytes: 10 * 1024 * 1024,
    build: {
      name: "accountconfig-relayer",
      version: packageVersion(),
      commit: read.string("RELEASE_COMMIT", "unknown"),
    },
    litActions,
    codeStorage,
    billing,
  };
}

/** What the relayer's payer keys come from (loadPayerKeySettings). */
export interface PayerKeySettings {
  dataDir: string;
  /** null when PAYER_KEYS and ADMIN_PAYER_KEY are both given (no key derives from it then). */
  rootSecret: Uint8Array | null;
  /** Where the keys come from, for people: "ROOT_SECRET", the secret file's path, or "PAYER_KEYS and ADMIN_PAYER_KEY". */
  source: string;
  payers: RelayerConfig["payers"];
}

/**
 * Only what the relayer's payer keys derive from (DATA_DIR, ROOT_SECRET / ROOT_SECRET_FILE,
 * PAYER_COUNT, PAYER_KEYS, ADMIN_PAYER_KEY), read exactly as loadConfig reads them: for tools
 * that print or register the payers without starting the relayer (tasks/relayer.ts). The root
 * secret file is not created unless `createRootSecret` is true (default false here).
 */
export function loadPayerKeySettings(env: Env = process.env, options: LoadConfigOptions = {}): PayerKeySettings {
  const problems: string[] = [];
  const read = new Reader(env, problems);
  const dataDir = path.resolve(read.string("DATA_DIR", "./data"));
  const payers = readPayerKeys(read, env, problems);
  const needsSecret = payers.keys.length === 0 || payers.adminKey === null;
  const secret = needsSecret ? readRootSecret(env, dataDir, options.createRootSecret ?? false, problems) : null;
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    dataDir,
    rootSecret: secret?.bytes ?? null,
    source: secret === null ? "PAYER_KEYS and ADMIN_PAYER_KEY" : secret.source === "env" ? "ROOT_SECRET" : secret.source,
    payers,
  };
}

/** PAYER_KEYS, PAYER_COUNT, ADMIN_PAYER_KEY. */
function readPayerKeys(read: Reader, env: Env, problems: string[]): RelayerConfig["payers"] {
  const payerKeys = read.list("PAYER_KEYS");
  payerKeys.forEach((k, i) => {
    if (!PRIVATE_KEY_RE.test(k)) problems.push(`PAYER_KEYS: entry ${i + 1} is not a 32-byte hex private key`);
  });
  const adminKey = read.optional("ADMIN_PAYER_KEY");
  if (adminKey !== null && !PRIVATE_KEY_RE.test(adminKey))
    problems.push("ADMIN_PAYER_KEY: expected a 32-byte hex private key");
  const payerCount = read.int("PAYER_COUNT", payerKeys.length > 0 ? payerKeys.length : 2, 1, 100);
  if (
    payerKeys.length > 0 &&
    env.PAYER_COUNT !== undefined &&
    env.PAYER_COUNT.trim() !== "" &&
    payerCount !== payerKeys.length
  ) {
    problems.push(`PAYER_COUNT: ${payerCount} does not match the ${payerKeys.length} keys of PAYER_KEYS`);
  }
  return {
    count: payerCount,
    keys: payerKeys.filter((k) => PRIVATE_KEY_RE.test(k)).map(normaliseKey),
    adminKey: adminKey === null || !PRIVATE_KEY_RE.test(adminKey) ? null : normaliseKey(adminKey),
  };
}

/** A non-negative decimal amount with at most `decimals` decimals, in base units; null when malformed. */
function decimalUnits(text: string, decimals: number): bigint | null {
  const m = new RegExp(`^([0-9]+)(?:\\.([0-9]{1,${decimals}}))?$`).exec(text);
  if (!m) return null;
  return BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt((m[2] ?? "").padEnd(decimals, "0") || "0");
}

function readBillingSettings(read: Reader, problems: string[]): BillingSettings {
  const providerText = read.string("BILLING_PROVIDER", "none").toLowerCase();
  const provider = (["none", "dev", "stripe"] as const).find((p) => p === providerText);
  if (provider === undefined) problems.push(`BILLING_PROVIDER: expected none, dev or stripe, got ${quote(providerText)}`);
  const minTopUpCents = read.int("BILLING_MIN_TOP_UP_CENTS", 500, 50, 99_999_999);
  const maxTopUpCents = read.int("BILLING_MAX_TOP_UP_CENTS", 99_999_999, 50, 99_999_999);
  if (maxTopUpCents < minTopUpCents)
    problems.push(`BILLING_MAX_TOP_UP_CENTS: ${maxTopUpCents} is below BILLING_MIN_TOP_UP_CENTS (${minTopUpCents})`);
  let stripe: BillingSettings["stripe"] = null;
  if (provider === "stripe") {
    const secretKey = read.optional("STRIPE_SECRET_KEY");
    const publishableKey = read.optional("STRIPE_PUBLISHABLE_KEY");
    if (secretKey === null) problems.push("STRIPE_SECRET_KEY: required with BILLING_PROVIDER=stripe");
    else if (!/^(sk|rk)_(test|live)_\S+$/.test(secretKey))
      problems.push("STRIPE_SECRET_KEY: expected a Stripe secret key (sk_test_..., sk_live_... or rk_...)");
    if (publishableKey === null) problems.push("STRIPE_PUBLISHABLE_KEY: required with BILLING_PROVIDER=stripe");
    else if (!/^pk_(test|live)_\S+$/.test(publishableKey))
      problems.push("STRIPE_PUBLISHABLE_KEY: expected a Stripe publishable key (pk_test_... or pk_live_...)");
    const apiBase = read.string("STRIPE_API_BASE", "https://api.stripe.com");
    if (!/^https?:\/\/[^/\s]+\/?$/i.test(apiBase))
      problems.push(`STRIPE_API_BASE: expected scheme://host[:port], got ${quote(apiBase)}`);
    stripe = { secretKey: secretKey ?? "", publishableKey: publishableKey ?? "", apiBase: apiBase.replace(/\/$/, "") };
  }
  return {
    provider: provider ?? "none",
    startingCreditCents: read.int("BILLING_STARTING_CREDIT_CENTS", provider === "dev" ? 10_000 : 0, 0, 1_000_000_000),
    prices: {
      writeCents: read.int("BILLING_WRITE_PRICE_CENTS", 1, 0, 1_000_000),
      executionSecondCents: read.int("BILLING_EXECUTION_SECOND_PRICE_CENTS", 1, 0, 1_000_000),
    },
    minTopUpCents,
    maxTopUpCents,
    stripe,
  };
}

function readLitActionSettings(read: Reader, problems: string[]): LitActionSettings {
  // Each LIT_ACTION_* limit: an integer with 0 < value <= 10 x default (memory from 8 MB), the bounds
  // of on-chain entries; get_lit_action_client_config reports what is set.
  const limit = (name: string, key: keyof ActionLimits): number | undefined => {
    const { min, max } = limitBounds(key);
    return read.optional(name) === null ? undefined : read.int(name, min, min, max);
  };
  const gateway = read.optional("LIT_ACTION_IPFS_GATEWAY_URL");
  if (gateway !== null && !/^https?:\/\/\S+$/i.test(gateway))
    problems.push(`LIT_ACTION_IPFS_GATEWAY_URL: expected an http(s):// URL, got ${quote(gateway)}`);
  const maxConcurrency = read.int("LIT_ACTION_MAX_CONCURRENCY", 8, 1, 1024);
  return {
    limits: {
      timeoutMs: limit("LIT_ACTION_TIMEOUT_MS", "timeoutMs"),
      memoryLimitMb: limit("LIT_ACTION_MEMORY_LIMIT_MB", "memoryLimitMb"),
      maxCodeLength: limit("LIT_ACTION_MAX_CODE_LENGTH", "maxCodeLength"),
      maxResponseLength: limit("LIT_ACTION_MAX_RESPONSE_LENGTH", "maxResponseLength"),
      maxConsoleLogLength: limit("LIT_ACTION_MAX_CONSOLE_LOG_LENGTH", "maxConsoleLogLength"),
      maxFetchCount: limit("LIT_ACTION_MAX_FETCH_COUNT", "maxFetchCount"),
      maxKeyRequests: limit("LIT_ACTION_MAX_KEY_REQUESTS", "maxKeyRequests"),
      maxParamsBytes: limit("LIT_ACTION_MAX_PARAMS_BYTES", "maxParamsBytes"),
      fetchTimeoutMs: limit("LIT_ACTION_FETCH_TIMEOUT_MS", "fetchTimeoutMs"),
      maxFetchResponseBytes: limit("LIT_ACTION_MAX_FETCH_RESPONSE_BYTES", "maxFetchResponseBytes"),
      maxFetchBytesInFlight: limit("LIT_ACTION_MAX_FETCH_BYTES_IN_FLIGHT", "maxFetchBytesInFlight"),
    },
    fetchAllowList: read.list("LIT_ACTION_FETCH_ALLOW_LIST"),
    ipfsGatewayUrl: gateway,
    maxConcurrency,
    maxConcurrencyPerAccount: read.int("LIT_ACTION_MAX_CONCURRENCY_PER_ACCOUNT", Math.max(1, Math.floor(maxConcurrency / 2)), 1, 1024),
    maxQueuedPerAccount: read.int("LIT_ACTION_MAX_QUEUED_PER_ACCOUNT", 64, 0, 100_000),
  };
}

const PRIVATE_KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/;
const normaliseKey = (k: string): string => `0x${k.replace(/^0x/i, "").toLowerCase()}`;
const quote = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** The root secret from ROOT_SECRET (hex) or ROOT_SECRET_FILE (hex text or raw bytes). */
function readRootSecret(
  env: Env,
  dataDir: string,
  create: boolean,
  problems: string[],
): { bytes: Uint8Array; source: string } | null {
  const inline = (env.ROOT_SECRET ?? "").trim();
  if (inline !== "") {
    const bytes = parseSecretHex(inline);
    if (bytes === null) {
      problems.push("ROOT_SECRET: expected hex (0x optional) of at least 32 bytes"); // never echo the value
      return null;
    }
    return { bytes, source: "env" };
  }
  const file = path.resolve((env.ROOT_SECRET_FILE ?? "").trim() || path.join(dataDir, "root-secret"));
  try {
    if (!fs.existsSync(file)) {
      if (!create) {
        problems.push(`ROOT_SECRET_FILE: ${file} does not exist`);
        return null;
      }
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      // "wx": never overwrite a secret created concurrently by another process.
      fs.writeFileSync(file, `0x${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    }
    const content = fs.readFileSync(file);
    const bytes =
      parseSecretHex(content.toString("utf8").trim()) ?? (content.length >= 32 ? new Uint8Array(content) : null);
    if (bytes === null) {
      problems.push(`ROOT_SECRET_FILE: ${file} holds fewer than 32 bytes`);
      return null;
    }
    return { bytes, source: file };
  } catch (e) {
    problems.push(`ROOT_SECRET_FILE: cannot read or create ${file}: ${(e as Error).message}`);
    return null;
  }
}

function parseSecretHex(text: string): Uint8Array | null {
  const hex = text.replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0 || hex.length < 64) return null;
  return new Uint8Array(Buffer.from(hex, "hex"));
}

function packageVersion(): string {
  try {
    const file = path.join(__dirname, "..", "..", "package.json");
    const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Typed access to variables; a bad value is recorded in `problems` and the default returned. */
class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  optional(name: string): string | null {
    const v = (this.env[name] ?? "").trim();
    return v === "" ? null : v;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  list(name: string): string[] {
    const v = this.optional(name);
    return v === null
      ? []
      : v
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
  }

  number(name: string, fallback: number, min: number): number {
    const v = this.optional(name);
    if (v === null) return fallback;
    const n = Number(v);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(v) || !Number.isFinite(n) || n < min) {
      this.problems.push(`${name}: expected a number >= ${min}, got ${quote(v)}`);
      return fallback;
    }
    return n;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.optional(name);
    if (v === null) return fallback;
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      this.problems.push(`${name}: expected an integer ${min}..${max}, got ${quote(v)}`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.optional(name);
    if (v === null) return fallback;
    const lower = v.toLowerCase();
    if (["1", "true", "yes", "on"].includes(lower)) return true;
    if (["0", "false", "no", "off"].includes(lower)) return false;
    this.problems.push(`${name}: expected true or false, got ${quote(v)}`);
    return fallback;
  }
}
