/**
 * Lit Action limits (docs/http-api.md §5). The operator may set any of them locally (environment,
 * see config.ts), and the on-chain node configuration may override the ones
 * get_lit_action_client_config reports; both within 0 < value <= 10 x default (limitBounds). A local
 * setting wins over the chain (it is the operator's explicit choice for this node, e.g. a short
 * test timeout), and get_lit_action_client_config reports it.
 */
import { LIT_ACTION_DEFAULTS, MIN_MEMORY_LIMIT_MB, type LitActionClientConfig } from "../services/node-info";

export interface ActionLimits {
  /** Wall-clock limit of one execution, including awaited fetches and key requests. */
  timeoutMs: number;
  /** Hard heap limit of the execution's isolate. */
  memoryLimitMb: number;
  /** UTF-8 bytes of the code. */
  maxCodeLength: number;
  /** UTF-8 bytes of the stored response. */
  maxResponseLength: number;
  /** UTF-8 bytes of all console output (including the "\n" after each line). */
  maxConsoleLogLength: number;
  maxFetchCount: number;
  /** getPrivateKey, Encrypt, Decrypt, getLitActionPrivateKey/PublicKey/WalletAddress. */
  maxKeyRequests: number;
  /** UTF-8 bytes of JSON-encoded js_params. */
  maxParamsBytes: number;
  /** Per fetch (also bounded by the execution's remaining time). */
  fetchTimeoutMs: number;
  /** Bytes of one fetch response body (and of one request body). */
  maxFetchResponseBytes: number;
}

/** The limit names used in error messages, as clients know them. */
export const LIMIT_NAMES: Readonly<Record<keyof ActionLimits, string>> = Object.freeze({
  timeoutMs: "timeout_ms",
  memoryLimitMb: "memory_limit_mb",
  maxCodeLength: "max_code_length",
  maxResponseLength: "max_response_length",
  maxConsoleLogLength: "max_console_log_length",
  maxFetchCount: "max_fetch_count",
  maxKeyRequests: "max_get_keys_count",
  maxParamsBytes: "max_js_params_length",
  fetchTimeoutMs: "fetch_timeout_ms",
  maxFetchResponseBytes: "max_fetch_response_length",
});

export const DEFAULT_ACTION_LIMITS: Readonly<ActionLimits> = Object.freeze({
  timeoutMs: LIT_ACTION_DEFAULTS.timeout_ms,
  memoryLimitMb: LIT_ACTION_DEFAULTS.memory_limit_mb,
  maxCodeLength: LIT_ACTION_DEFAULTS.max_code_length,
  maxResponseLength: LIT_ACTION_DEFAULTS.max_response_length,
  maxConsoleLogLength: LIT_ACTION_DEFAULTS.max_console_log_length,
  maxFetchCount: LIT_ACTION_DEFAULTS.max_fetch_count,
  maxKeyRequests: LIT_ACTION_DEFAULTS.max_get_keys_count,
  maxParamsBytes: 64 * 1024,
  fetchTimeoutMs: 30_000,
  maxFetchResponseBytes: 10 * 1024 * 1024,
});

/** Which client-config key (on-chain node configuration) overrides which limit. */
const CHAIN_KEYS: Partial<Record<keyof ActionLimits, keyof LitActionClientConfig>> = {
  timeoutMs: "timeout_ms",
  memoryLimitMb: "memory_limit_mb",
  maxCodeLength: "max_code_length",
  maxResponseLength: "max_response_length",
  maxConsoleLogLength: "max_console_log_length",
  maxFetchCount: "max_fetch_count",
  maxKeyRequests: "max_get_keys_count",
};

/** The values a limit may be set to (environment, chain): an integer with 0 < value <= 10 x default (memory from 8 MB). */
export function limitBounds(key: keyof ActionLimits): { min: number; max: number } {
  return { min: key === "memoryLimitMb" ? MIN_MEMORY_LIMIT_MB : 1, max: 10 * DEFAULT_ACTION_LIMITS[key] };
}

/** The client-config entries that local settings override (what get_lit_action_client_config then reports). */
export function clientConfigOverrides(local: Partial<ActionLimits>): Partial<LitActionClientConfig> {
  const out: Partial<LitActionClientConfig> = {};
  for (const key of Object.keys(CHAIN_KEYS) as (keyof ActionLimits)[]) {
    const chainKey = CHAIN_KEYS[key];
    const own = local[key];
    if (chainKey !== undefined && own !== undefined) out[chainKey] = own;
  }
  return out;
}

/**
 * The effective limits: `local` settings, else the chain's client config (already validated by
 * NodeInfoService within 10x default), else the defaults.
 */
export function effectiveLimits(
  local: Partial<ActionLimits>,
  chain: Readonly<LitActionClientConfig> | null,
): ActionLimits {
  const out: ActionLimits = { ...DEFAULT_ACTION_LIMITS };
  for (const key of Object.keys(out) as (keyof ActionLimits)[]) {
    const chainKey = CHAIN_KEYS[key];
    if (chain !== null && chainKey !== undefined) out[key] = chain[chainKey];
    const own = local[key];
    if (own !== undefined) out[key] = own;
  }
  return out;
}

/** The message for a breached limit: names the limit and its value. */
export function limitMessage(key: keyof ActionLimits, limits: ActionLimits, what: string): string {
  const unit = key === "timeoutMs" || key === "fetchTimeoutMs" ? " ms" : key === "memoryLimitMb" ? " MB" : "";
  const bytes = /Length|Bytes/.test(key) ? " bytes" : "";
  return `${what}: limit ${LIMIT_NAMES[key]} = ${limits[key]}${unit}${bytes} exceeded`;
}
