/**
 * The Lit Action settings of the relayer (config.ts lists the variables): runtime limits, fetch and
 * gateway settings, concurrency, and where code is kept for running by CID.
 */
import { quote, type Reader } from "./env-reader";
import { type ActionLimits, limitBounds } from "./lit-runtime/limits";

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

/** Lit Action code kept per account (quota) and cached for anonymous callers (bounded, expiring). */
export interface CodeStorageSettings {
  quotaBytes: number;
  cacheBytes: number;
  cacheTtlSeconds: number;
}

export function readLitActionSettings(read: Reader, problems: string[]): LitActionSettings {
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

/** LIT_ACTION_CODE_QUOTA_BYTES, LIT_ACTION_CODE_CACHE_BYTES, LIT_ACTION_CODE_CACHE_TTL_SECONDS. */
export function readCodeStorageSettings(read: Reader): CodeStorageSettings {
  return {
    quotaBytes: read.int("LIT_ACTION_CODE_QUOTA_BYTES", 16 * 1024 * 1024, 0, 1024 * 1024 * 1024 * 1024),
    cacheBytes: read.int("LIT_ACTION_CODE_CACHE_BYTES", 16 * 1024 * 1024, 0, 1024 * 1024 * 1024 * 1024),
    cacheTtlSeconds: read.int("LIT_ACTION_CODE_CACHE_TTL_SECONDS", 3600, 0, 30 * 24 * 3600),
  };
}
