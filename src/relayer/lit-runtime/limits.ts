/**
 * Lit Action limits (docs/http-api.md §5). The operator may set any of them locally (environment,
 * see config.ts), and the on-chain node configuration may override the ones
 * get_lit_action_client_config reports; both within 0 < value <= 10 x default (limitBounds). A local
 * setting wins over the chain (it is the operator's explicit choice for this node, e.g. a short
 * test timeout), and get_lit_action_client_config reports it.
 */
import type { LitActionClientConfig } from "../../core/api-types";
import { LIT_ACTION_DEFAULTS, MIN_MEMORY_LIMIT_MB } from "../../core/lit-action-limits";
import type { ActionLimits } from "./limit-names";

export { type ActionLimits, LIMIT_NAMES, limitMessage } from "./limit-names";

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
  maxConsoleCalls: 10_000,
  maxRandomCalls: 1024,
  maxRandomBytes: 1024 * 1024,
  maxKeyRequestBytes: 1024 * 1024,
  maxFetchBytesInFlight: 16 * 1024 * 1024,
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
