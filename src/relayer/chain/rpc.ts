/**
 * Raw JSON-RPC access. The chain layer talks to the node only through `send(method, params)`,
 * so no provider-side cache can hand it a stale nonce or block (ethers' 250 ms request cache sits
 * below `perform`, not below `send`), and any ethers provider (JsonRpcProvider, Hardhat's
 * in-process provider) or this small HTTP client can be plugged in.
 */
import http from "node:http";
import https from "node:https";

/** Anything with an EIP-1193-like `send`: ethers JsonRpcProvider, HardhatEthersProvider, HttpRpc. */
export interface RpcLike {
  send(method: string, params: unknown[]): Promise<unknown>;
  /**
   * Optional: several calls in one round trip (a JSON-RPC batch). Each entry settles on its own:
   * a result, or the error `send` would have thrown for that call.
   */
  sendBatch?(calls: readonly RpcCall[]): Promise<RpcSettled[]>;
}

export interface RpcCall {
  method: string;
  params: unknown[];
}

export type RpcSettled = { ok: true; result: unknown } | { ok: false; error: Error };

/**
 * Several calls at once: one JSON-RPC batch when the client supports it, else concurrent `send`s.
 * Never rejects; a transport failure settles every entry with that error.
 */
export async function sendAll(rpc: RpcLike, calls: readonly RpcCall[]): Promise<RpcSettled[]> {
  if (calls.length === 0) return [];
  if (calls.length > 1 && typeof rpc.sendBatch === "function") {
    try {
      return await rpc.sendBatch(calls);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return calls.map(() => ({ ok: false as const, error }));
    }
  }
  return Promise.all(
    calls.map((c) =>
      rpc.send(c.method, c.params).then(
        (result): RpcSettled => ({ ok: true, result }),
        (err: unknown): RpcSettled => ({ ok: false, error: err instanceof Error ? err : new Error(String(err)) }),
      ),
    ),
  );
}

/** The node answered with a JSON-RPC error object. */
export class RpcResponseError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "RpcResponseError";
  }
}

/** The node could not be reached or answered garbage (connection refused, timeout, HTTP 5xx). */
export class RpcTransportError extends Error {
  readonly code = "NETWORK_ERROR";
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = "RpcTransportError";
  }
}

/**
 * The provider refused the call for its rate limit (HTTP 429, or a JSON-RPC error saying so).
 * A transport error to every caller (the node did not run the call); FailoverRpc waits
 * `retryAfterMs` (the Retry-After header; null: none given, back off) or tries another URL.
 */
export class RpcRateLimitError extends RpcTransportError {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = "RpcRateLimitError";
  }
}

/**
 * A Retry-After header value in ms from `now`: delta-seconds ("2", also "1.5") or an HTTP date.
 * Null when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | null {
  if (value === undefined || value === null) return null;
  const v = value.trim();
  if (v === "") return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** JSON-RPC errors some providers use for their request-rate limits (not for eth_getLogs caps). */
const RATE_LIMIT_RE = /too many requests|rate limit|rate-limit|request rate|requests per second|compute units|throughput|capacity exceeded|exceeded.*quota|daily request count/i;

/** Whether a JSON-RPC error object means "slow down" rather than a problem with the call. */
export function isRateLimitReply(code: number, message: string): boolean {
  if (isLogRangeMessage(message)) return false;
  return code === 429 || RATE_LIMIT_RE.test(message);
}

/** eth_getLogs refused for its block range or result count (provider wordings; see chain/logs.ts). */
const LOG_RANGE_RE =
  /block range|range (is )?too (large|wide|big)|range limit|max(imum)? (block )?range|blocks? distance|more than \d+ (results|logs)|query returned more than|response size|log response|too many (logs|results)|exceeds? (the )?max(imum)? (number of )?(results|logs|block)|limited to (a )?[\d,]+ (block )?range|ranges? over [\d,]+ blocks|query timeout exceeded|limit exceeded.*logs|logs? limit/i;

export function isLogRangeMessage(message: string): boolean {
  // "block range extends beyond current head": a lagging node, not a cap; splitting cannot help.
  return LOG_RANGE_RE.test(message) && !/beyond|ahead of|future block|not (yet )?(available|processed)/i.test(message);
}

interface JsonRpcReply {
  id?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string; data?: unknown };
}

interface HttpAnswer {
  status: number;
  text: string;
  /** The Retry-After header, if any. */
  retryAfter?: string;
}

/** Largest JSON-RPC batch sent in one request (providers cap batches; larger ones are split). */
const MAX_BATCH = 50;

/**
 * A small JSON-RPC-over-HTTP(S) client on node:http with a keep-alive agent (a persistent
 * connection pool: no TCP set-up per call, and far less CPU per call than global fetch), a
 * per-request timeout, and JSON-RPC batches (`sendBatch`). A request that fails on a reused
 * keep-alive connection before any answer (the server closed it while idle) is retried once on a
 * new connection.
 */
export class HttpRpc implements RpcLike {
  private id = 0;
  private readonly target: URL;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  /** HTTP requests made and JSON-RPC calls carried (batches count each entry). */
  readonly stats = { requests: 0, calls: 0 };
  private batchUnsupported = false;

  constructor(
    readonly url: string,
    private readonly timeoutMs = 15_000,
  ) {
    this.target = new URL(url);
    const secure = this.target.protocol === "https:";
    if (!secure && this.target.protocol !== "http:") throw new Error(`RPC URL: expected http(s)://, got ${url}`);
    const agentOptions: http.AgentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 64, maxFreeSockets: 16 };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.request = secure ? https.request : http.request;
  }

  async send(method: string, params: unknown[]): Promise<unknown> {
    this.stats.calls++;
    const body = JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params });
    const { status, text, retryAfter } = await this.post(body, method);
    if (status === 429) throw new RpcRateLimitError(`${method}: HTTP 429 Too Many Requests`, parseRetryAfter(retryAfter));
    return settle(parseReply(text, status, method) as JsonRpcReply, status, method);
  }

  async sendBatch(calls: readonly RpcCall[]): Promise<RpcSettled[]> {
    if (this.batchUnsupported || calls.length <= 1) return sendAll({ send: (m, p) => this.send(m, p) }, calls);
    if (calls.length > MAX_BATCH) {
      const out: RpcSettled[] = [];
      for (let i = 0; i < calls.length; i += MAX_BATCH) out.push(...(await this.sendBatch(calls.slice(i, i + MAX_BATCH))));
      return out;
    }
    this.stats.calls += calls.length;
    const first = this.id + 1;
    const body = JSON.stringify(calls.map((c) => ({ jsonrpc: "2.0", id: ++this.id, method: c.method, params: c.params })));
    const what = `batch of ${calls.length} (${calls[0].method}...)`;
    let status: number;
    let text: string;
    let retryAfter: string | undefined;
    try {
      ({ status, text, retryAfter } = await this.post(body, what));
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return calls.map(() => ({ ok: false as const, error }));
    }
    if (status === 429) {
      const error = new RpcRateLimitError(`${what}: HTTP 429 Too Many Requests`, parseRetryAfter(retryAfter));
      return calls.map(() => ({ ok: false as const, error }));
    }
    let parsed: unknown;
    try {
      parsed = parseReply(text, status, what);
    } catch (err) {
      return calls.map(() => ({ ok: false as const, error: err as Error }));
    }
    if (!Array.isArray(parsed)) {
      // A server without batch support answers one error object: from now on, one call each.
      this.stats.calls -= calls.length;
      this.batchUnsupported = true;
      return sendAll({ send: (m, p) => this.send(m, p) }, calls);
    }
    const byId = new Map<number, JsonRpcReply>();
    for (const r of parsed as JsonRpcReply[]) if (r && typeof r === "object") byId.set(Number(r.id), r);
    return calls.map((c, i): RpcSettled => {
      const reply = byId.get(first + i);
      if (!reply) return { ok: false, error: new RpcTransportError(`${c.method}: no answer in the JSON-RPC batch`) };
      try {
        return { ok: true, result: settle(reply, status, c.method) };
      } catch (err) {
        return { ok: false, error: err as Error };
      }
    });
  }

  /** Closes the idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private async post(body: string, what: string): Promise<HttpAnswer> {
    try {
      return await this.postOnce(body);
    } catch (err) {
      const e = err as { reused?: boolean; answered?: boolean; code?: string };
      if (e.reused && !e.answered && (e.code === "ECONNRESET" || e.code === "EPIPE")) {
        try {
          return await this.postOnce(body);
        } catch (again) {
          throw new RpcTransportError(`${what}: ${describe(again)}`, again);
        }
      }
      throw new RpcTransportError(`${what}: ${describe(err)}`, err);
    }
  }

  private postOnce(body: string): Promise<HttpAnswer> {
    this.stats.requests++;
    return new Promise((resolve, reject) => {
      let answered = false;
      let done = false;
      const fail = (err: unknown, reused: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(Object.assign(err instanceof Error ? err : new Error(String(err)), { reused, answered }));
      };
      const req = this.request(
        this.target,
        {
          method: "POST",
          agent: this.agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", (err) => fail(err, req.reusedSocket));
          res.on("aborted", () => fail(new Error("socket hang up (response aborted)"), req.reusedSocket));
          res.on("end", () => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            const ra = res.headers["retry-after"];
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString("utf8"),
              retryAfter: Array.isArray(ra) ? ra[0] : ra,
            });
          });
        },
      );
      const timer = setTimeout(() => {
        const err = Object.assign(new Error(`request timeout after ${this.timeoutMs} ms`), { code: "TIMEOUT" });
        fail(err, false);
        req.destroy(err);
      }, this.timeoutMs);
      req.on("error", (err) => fail(err, req.reusedSocket));
      req.end(body);
    });
  }
}

function parseReply(text: string, status: number, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RpcTransportError(`${what}: HTTP ${status}, not JSON`, err);
  }
}

function settle(obj: JsonRpcReply, status: number, method: string): unknown {
  if (obj && typeof obj === "object" && obj.error) {
    const message = obj.error.message ?? "JSON-RPC error";
    const code = Number(obj.error.code ?? -32603);
    if (isRateLimitReply(code, message)) throw new RpcRateLimitError(`${method}: ${message}`, null);
    throw new RpcResponseError(message, code, obj.error.data);
  }
  if (status < 200 || status >= 300) throw new RpcTransportError(`${method}: HTTP ${status}`);
  return obj?.result ?? null;
}

function describe(err: unknown): string {
  const e = err as { message?: string; code?: unknown; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message ?? (typeof e?.code === "string" && !e.message?.includes(e.code) ? e.code : undefined);
  return cause ? `${e.message ?? String(err)} (${cause})` : (e?.message ?? String(err));
}

// ------------------------------------------------------------------ error inspection

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | null => (typeof v === "object" && v !== null ? (v as Obj) : null);

/** Every nested error-ish object (err, err.error, err.info.error, err.cause, ...), breadth first. */
function nested(err: unknown): Obj[] {
  const out: Obj[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 12) {
    const o = asObj(queue.shift());
    if (!o || out.includes(o)) continue;
    out.push(o);
    for (const k of ["error", "cause", "info", "data", "originalError", "parent"]) {
      const child = o[k];
      if (asObj(child)) queue.push(child);
    }
  }
  return out;
}

/** All messages in the error chain, joined (for pattern matching). */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  if (typeof err === "string") return err;
  for (const o of nested(err)) {
    for (const k of ["message", "shortMessage", "reason"]) {
      const v = o[k];
      if (typeof v === "string" && !parts.includes(v)) parts.push(v);
    }
  }
  return parts.join(" | ");
}

/** Revert data (0x + 4-byte selector + args) carried by an eth_call/eth_estimateGas error. */
export function revertDataOf(err: unknown): string | null {
  for (const o of nested(err)) {
    const d = o.data;
    if (typeof d === "string" && /^0x[0-9a-fA-F]*$/.test(d) && d.length >= 10) return d.toLowerCase();
  }
  return null;
}

const TRANSPORT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "NETWORK_ERROR",
  "TIMEOUT",
  "SERVER_ERROR",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);
const TRANSPORT_RE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed|network error|cannot connect|could not detect network|request timeout|timed out/i;

/** True when the node was not reached (as opposed to answering with an error). */
export function isTransportError(err: unknown): boolean {
  if (err instanceof RpcTransportError) return true;
  for (const o of nested(err)) {
    const code = o.code;
    if (typeof code === "string" && TRANSPORT_CODES.has(code)) return true;
  }
  return TRANSPORT_RE.test(errorText(err));
}

/** True when the error says the call reverted (with or without data). */
export function isRevertError(err: unknown): boolean {
  if (revertDataOf(err) !== null) return true;
  for (const o of nested(err)) if (o.code === "CALL_EXCEPTION") return true;
  return /revert|VM Exception|execution reverted/i.test(errorText(err));
}

// ------------------------------------------------------------------ typed helpers

export function hexToBigInt(v: unknown, what: string): bigint {
  if (typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v)) return v === "0x" ? 0n : BigInt(v);
  if (typeof v === "number" || typeof v === "bigint") return BigInt(v);
  throw new Error(`${what}: expected a hex quantity, got ${JSON.stringify(v)}`);
}

export function hexToNumber(v: unknown, what: string): number {
  return Number(hexToBigInt(v, what));
}

export const toQuantity = (n: bigint | number): string => `0x${BigInt(n).toString(16)}`;

export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  logIndex: string;
  transactionHash: string;
  removed?: boolean;
}

export interface RpcReceipt {
  transactionHash: string;
  blockNumber: string;
  blockHash: string;
  status: string;
  gasUsed: string;
  effectiveGasPrice?: string;
  logs: RpcLog[];
}

export interface RpcBlock {
  number: string;
  hash: string;
  baseFeePerGas?: string;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
