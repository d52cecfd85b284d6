/**
 * The load generator's HTTP client of the relayer write benchmark (bench/relayer.ts): JSON POSTs
 * over node:http with a keep-alive agent (one persistent connection per concurrent client),
 * through scripts/lib/http-json.ts (requestJson with an agent).
 */
import http from "node:http";
import { requestJson } from "../../scripts/lib/http-json";

export interface HttpReply {
  status: number;
  /** The parsed body, null when it is not JSON. */
  body: unknown;
  text: string;
}

/**
 * The client's agent: bench:confirmations' clients and bench:relayer's new_account call in their
 * benchmark process, bench:relayer's writes in its client process (client-process.ts), which shares the machine's cores with the relayer and the
 * node, so it should cost little: global fetch costs several times more CPU per request.
 * No socket limit: each concurrent client keeps a connection of its own (at 128 clients, a
 * limit of 64 made half of the requests wait in the agent, and that wait counted as latency while
 * the relayer never saw more than 64 requests at once). Destroyed when the run ends.
 */
export const clientAgent = new http.Agent({ keepAlive: true });

/** One JSON POST over clientAgent (x-api-key when `apiKey` is given), 120 s at most. */
export function post(url: string, body: unknown, apiKey?: string, agent: http.Agent = clientAgent): Promise<HttpReply> {
  const headers: Record<string, string> = apiKey ? { "x-api-key": apiKey } : {};
  return requestJson(url, "POST", { body, headers, timeoutMs: 120_000, agent }).then((reply) => ({
    status: reply.status,
    body: reply.json === undefined ? null : reply.json,
    text: reply.text,
  }));
}
