/**
 * Shapes of the /core/v1 API shared by the relayer (which serves them) and the SDK (which sends and
 * receives them), so the two cannot drift apart. Types only.
 */

/** Lit Action limits a client needs to size requests (http-api.md §5, get_lit_action_client_config). */
export interface LitActionClientConfig {
  timeout_ms: number;
  async_timeout_ms: number;
  memory_limit_mb: number;
  max_code_length: number;
  max_response_length: number;
  max_console_log_length: number;
  max_fetch_count: number;
  max_get_keys_count: number;
  max_retries: number;
  client_timeout_ms_buffer: number;
}

/** A usage key's name and complete permission set (add_usage_api_key / update_usage_api_key). */
export interface UsageKeyPermissionsInput {
  name: string;
  description: string;
  canCreateGroups: boolean;
  canDeleteGroups: boolean;
  canCreatePkps: boolean;
  manageIpfsIdsInGroups: number[];
  addPkpToGroups: number[];
  removePkpFromGroups: number[];
  executeInGroups: number[];
  /** Unix seconds; 0 or absent = never. */
  expiration?: number;
}
