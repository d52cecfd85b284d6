/**
 * The names and messages of Lit Action limits (http-api.md §5). No imports: the sandbox worker
 * (sandbox-worker.ts) loads this file on its own.
 */

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
  /**
   * Host-side budgets of one execution (http-api.md §10: every host callback has a count and a byte
   * budget, so that no action can keep the host busy): console calls; crypto.getRandomValues calls
   * and bytes; the data of key requests (arguments and results); the fetch bytes the host holds
   * for the execution at once (request bodies being sent, response bodies being read or not yet
   * handed to the action).
   */
  maxConsoleCalls: number;
  maxRandomCalls: number;
  maxRandomBytes: number;
  maxKeyRequestBytes: number;
  maxFetchBytesInFlight: number;
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
  maxConsoleCalls: "max_console_calls",
  maxRandomCalls: "max_random_calls",
  maxRandomBytes: "max_random_bytes",
  maxKeyRequestBytes: "max_key_request_bytes",
  maxFetchBytesInFlight: "max_fetch_bytes_in_flight",
});

/** The message for a breached limit: names the limit and its value. */
export function limitMessage(key: keyof ActionLimits, limits: ActionLimits, what: string): string {
  const unit = key === "timeoutMs" || key === "fetchTimeoutMs" ? " ms" : key === "memoryLimitMb" ? " MB" : "";
  const bytes = /Length|Bytes/.test(key) ? " bytes" : "";
  return `${what}: limit ${LIMIT_NAMES[key]} = ${limits[key]}${unit}${bytes} exceeded`;
}
