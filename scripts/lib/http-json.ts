/**
 * The JSON-over-HTTP clients of the scripts and the tests that drive a relayer or a node over the
 * network (fetch, no retries): one HTTP request with a JSON body, one JSON-RPC call, and the
 * /core/v1 request body of a usage key (docs/http-api.md "add_usage_api_key").
 *
 *   const reply = await requestJson(`${base}/core/v1/new_account`, "POST", { body: { account_name: "a" } });
 *   const head = Number(await rpcCall(nodeUrl, "eth_blockNumber"));
 *
 * With an `agent` (a keep-alive http.Agent) the request goes over node:http instead of fetch: the
 * load generators of the benchmarks run in the relayer's process and share its CPU, and fetch
 * costs several times more CPU per request (bench/relayer/http-client.ts).
 */
import http from "node:http";

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
  /** Sends over node:http with this agent (http: URLs only) instead of fetch. */
  agent?: http.Agent;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not JSON
  }
};

/** One HTTP request (JSON in, JSON out when the answer parses); network errors and timeouts throw. */
export function requestJson(url: string, method: "GET" | "POST", opts: JsonRequestOptions): Promise<JsonReply> {
  return opts.agent ? requestOverAgent(url, method, opts, opts.agent) : requestWithFetch(url, method, opts);
}

async function requestWithFetch(url: string, method: "GET" | "POST", opts: JsonRequestOptions): Promise<JsonReply> {
  const res = await fetch(url, {
    method,
    headers: { ...opts.headers, ...(opts.body === undefined ? {} : { "content-type": "application/json" }) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parseJson(text) };
}

/** A JsonReply over node:http; its Headers are built when asked for (the load generators read status and body only). */
class AgentReply implements JsonReply {
  constructor(
    readonly status: number,
    private readonly raw: http.IncomingHttpHeaders,
    readonly text: string,
    readonly json: unknown,
  ) {}
  get headers(): Headers {
    const h = new Headers();
    for (const [k, v] of Object.entries(this.raw)) {
      if (Array.isArray(v)) for (const x of v) h.append(k, x);
      else if (v !== undefined) h.set(k, v);
    }
    return h;
  }
}

function requestOverAgent(url: string, method: "GET" | "POST", opts: JsonRequestOptions, agent: http.Agent): Promise<JsonReply> {
  // Inside the executor: a body that does not serialise, or a bad URL, rejects (as with fetch).
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: http.OutgoingHttpHeaders = { ...opts.headers };
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = Buffer.byteLength(payload);
    }
    const req = http.request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve(new AgentReply(res.statusCode ?? 0, res.headers, text, parseJson(text)));
      });
    });
    req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`request timeout after ${opts.timeoutMs} ms: ${method} ${url}`)));
    req.on("error", reject);
    req.end(payload);
  });
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
