/**
 * The JSON-over-HTTP clients of the scripts and the tests that drive a relayer or a node over the
 * network (fetch, no retries): one HTTP request with a JSON body, one JSON-RPC call, and the
 * /core/v1 request body of a usage key (docs/http-api.md "add_usage_api_key").
 *
 *   const reply = await requestJson(`${base}/core/v1/new_account`, "POST", { body: { account_name: "a" } });
 *   const head = Number(await rpcCall(nodeUrl, "eth_blockNumber"));
 */

/** What one HTTP request answered: `json` is the parsed body, or undefined when it is not JSON. */
export interface JsonReply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface JsonRequestOptions {
  headers?: Record<string, string>;
  /** Sent as JSON (with content-type application/json); none when undefined. */
  body?: unknown;
  timeoutMs: number;
}

/** One HTTP request (JSON in, JSON out when the answer parses); network errors and timeouts throw. */
export async function requestJson(url: string, method: "GET" | "POST", opts: JsonRequestOptions): Promise<JsonReply> {
  const res = await fetch(url, {
    method,
    headers: { ...opts.headers, ...(opts.body === undefined ? {} : { "content-type": "application/json" }) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** One JSON-RPC call; a JSON-RPC error throws `${method}: ${message}`. */
export async function rpcCall(url: string, method: string, params: unknown[] = [], timeoutMs = 5000): Promise<unknown> {
  const reply = await requestJson(url, "POST", { body: { jsonrpc: "2.0", id: 1, method, params }, timeoutMs });
  const json = reply.json as { result?: unknown; error?: { message?: string } } | undefined;
  if (json === undefined) throw new Error(`${method}: HTTP ${reply.status}, not JSON: ${reply.text.slice(0, 200)}`);
  if (json.error) throw new Error(`${method}: ${json.error.message ?? "JSON-RPC error"}`);
  return json.result;
}

/** The optional permission fields of an add_usage_api_key / update_usage_api_key body. */
export interface UsageKeyPerms {
  can_create_groups?: boolean;
  can_delete_groups?: boolean;
  can_create_pkps?: boolean;
  manage_ipfs_ids_in_groups?: number[];
  add_pkp_to_groups?: number[];
  remove_pkp_from_groups?: number[];
  execute_in_groups?: number[];
  expiration?: number;
}

/** An add_usage_api_key body: no rights but those in `perms`. */
export function usageKeyBody(perms: UsageKeyPerms = {}, name = "usage", description = "a usage key"): Record<string, unknown> {
  return {
    name,
    description,
    can_create_groups: false,
    can_delete_groups: false,
    can_create_pkps: false,
    manage_ipfs_ids_in_groups: [],
    add_pkp_to_groups: [],
    remove_pkp_from_groups: [],
    execute_in_groups: [],
    ...perms,
  };
}
