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
 *   BATCH_MAX_IN_FLIGHT             write transactions under way before new writes wait to be batched (payer count;
 *                                   twice that for writes filling half a batch)
 *   BATCH_MAX_BYTES                 most calldata bytes of one batchCalls transaction (98304 = 96 KiB; 1024..122880)
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
 *
 * This file holds RelayerConfig and loadConfig; each group of settings is read beside its type:
 * chain-settings.ts (RPC, chain, writes), key-settings.ts (root secret, payer keys),
 * lit-action-settings.ts (limits, code storage), billing-settings.ts, and env-reader.ts (typed
 * reading of one variable, ConfigError).
 */
import * as fs from "fs";
import * as path from "path";
import { readBillingSettings, type BillingSettings } from "./billing-settings";
import { readChainSettings, type ChainSettings } from "./chain-settings";
import { ConfigError, Reader, quote, type Env } from "./env-reader";
import { readPayerKeys, readRootSecret, type LoadConfigOptions, type PayerKeyConfig } from "./key-settings";
import {
  readCodeStorageSettings,
  readLitActionSettings,
  type CodeStorageSettings,
  type LitActionSettings,
} from "./lit-action-settings";

export { ConfigError, type Env } from "./env-reader";
export type { ChainSettings } from "./chain-settings";
export { loadPayerKeySettings, type LoadConfigOptions, type PayerKeyConfig, type PayerKeySettings } from "./key-settings";
export type { BillingProviderName, BillingSettings } from "./billing-settings";
export type { CodeStorageSettings, LitActionSettings } from "./lit-action-settings";

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
  payers: PayerKeyConfig;
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

  const chain = readChainSettings(read, problems);

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
  const codeStorage = readCodeStorageSettings(read);
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

function packageVersion(): string {
  try {
    const file = path.join(__dirname, "..", "..", "package.json");
    const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

