/**
 * The default Lit Action limits a node reports in get_lit_action_client_config (docs/http-api.md §5),
 * below both the relayer's services and its Lit Action runtime (src/relayer/lit-runtime), which
 * take them from here.
 */
import type { LitActionClientConfig } from "./api-types";

export const LIT_ACTION_DEFAULTS: Readonly<LitActionClientConfig> = Object.freeze({
  timeout_ms: 900_000,
  async_timeout_ms: 900_000,
  memory_limit_mb: 64,
  max_code_length: 16 * 1024 * 1024,
  max_response_length: 102_400,
  max_console_log_length: 102_400,
  max_fetch_count: 50,
  max_get_keys_count: 10,
  max_retries: 3,
  client_timeout_ms_buffer: 5_000,
});

/** isolated-vm's smallest heap limit: a lower memory_limit_mb could not run any action. */
export const MIN_MEMORY_LIMIT_MB = 8;
