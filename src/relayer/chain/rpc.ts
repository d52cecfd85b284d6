/**
 * Raw JSON-RPC access. The chain layer talks to the node only through `send(method, params)`,
 * so no provider-side cache can hand it a stale nonce or block (ethers' 250 ms request cache sits
 * below `perform`, not below `send`), and any ethers provider (JsonRpcProvider, Hardhat's
 * in-process provider) or this small fetch client can be plugged in.
 */

/** Anything with an EIP-1193-like `send`: ethers JsonRpcProvider, HardhatEthersProvider, HttpRpc. */
export interface RpcLike {
  send(method: string, params: unknown[]): Promise<unknown>;
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

/** A minimal JSON-RPC-over-HTTP client (global fetch), with a per-request timeout. */
export class HttpRpc implements RpcLike {
  private id = 0;
  constructor(
    readonly url: string,
    private readonly timeoutMs = 15_000,
  ) {}

  async send(method: string, params: unknown[]): Promise<unknown> {
    const body = JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params });
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new RpcTransportError(`${method}: ${describe(err)}`, err);
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch (err) {
      throw new RpcTransportError(`${method}: HTTP ${res.status}, not JSON`, err);
    }
    const obj = json as { result?: unknown; error?: { code?: number; message?: string; data?: unknown } };
    if (obj && typeof obj === "object" && obj.error) {
      throw new RpcResponseError(obj.error.message ?? "JSON-RPC error", Number(obj.error.code ?? -32603), obj.error.data);
    }
    if (!res.ok) throw new RpcTransportError(`${method}: HTTP ${res.status}`);
    return obj?.result ?? null;
  }
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
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
