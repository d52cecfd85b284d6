/**
 * A fault-injecting JSON-RPC proxy on 127.0.0.1 in front of a real node, shaped like the RPC
 * providers public networks are reached through (load balancers, rate limits, capped eth_getLogs):
 *
 *   latencyMs       [min, max] delay before a request is forwarded
 *   fail5xxRate     share of requests answered 502 Bad Gateway (nothing forwarded)
 *   dropRate        share of requests forwarded whose answer is thrown away (the connection is
 *                   destroyed: the node applied it, the client never hears back)
 *   rateLimit       { until, retryAfterSeconds }: until that time (ms since epoch) every request is
 *                   answered HTTP 429 with a Retry-After header (a "429 storm")
 *   lag             { min, max }: the node is seen `lag` blocks behind its head, drawn per request
 *                   (so `latest` steps back and forth): eth_blockNumber, block / receipt /
 *                   transaction look-ups, "latest" state reads, nonces and eth_getLogs all answer
 *                   as a node that has not seen the newest blocks would
 *   maxLogRange     eth_getLogs over more blocks than this is refused ("block range is too wide")
 *   maxLogResults   eth_getLogs returning more logs than this is refused ("query returned more than
 *                   N results", as Infura words it)
 *   down            every connection is destroyed as it arrives (the endpoint is dead)
 *
 * Random choices come from a seeded generator (`seed`), so a run can be repeated. `stats` counts
 * what was done. Batches are answered entry by entry (each forwarded alone, after the faults of
 * the whole HTTP request were drawn). Used by the relayer's resilience tests; reusable by scripts.
 *
 *   const proxy = await new RpcFaultProxy(nodeUrl, { lag: { min: 1, max: 3 }, seed: 7 }).start();
 *   ... point a client at proxy.url ...
 *   proxy.set({ down: true });
 *   await proxy.close();
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FaultOptions {
  latencyMs?: [number, number];
  fail5xxRate?: number;
  dropRate?: number;
  rateLimit?: { until: number; retryAfterSeconds: number };
  lag?: { min: number; max: number };
  maxLogRange?: number;
  maxLogResults?: number;
  down?: boolean;
  seed?: number;
}

export interface FaultStats {
  requests: number;
  /** JSON-RPC calls seen (a batch counts each entry), per method. */
  methods: Map<string, number>;
  answered429: number;
  answered5xx: number;
  dropped: number;
  refused: number;
  logRangeErrors: number;
  lagged: number;
}

interface JsonRpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: string;
  params?: unknown[];
}

interface JsonRpcReply {
  jsonrpc: "2.0";
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** mulberry32: a small seeded generator in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const num = (v: unknown): number => (typeof v === "string" ? Number(BigInt(v)) : Number(v));
const STATE_TAGS = new Set(["latest", "safe", "finalized", "pending"]);

/**
 * The HTTP side of a JSON-RPC proxy on 127.0.0.1 (a free port): it keeps the open connections so
 * that going down can drop them (`dropAll`), destroys each connection that arrives while `refuse()`
 * says so, and hands each request's body to `handle`. RpcFaultProxy is one; the relayer's
 * resilience tests switch another between up, refusing and hanging.
 */
export abstract class LocalRpcProxy {
  url = "";
  private readonly sockets = new Set<Socket>();
  private readonly server: http.Server;

  constructor(protected readonly target: string) {
    this.server = http.createServer((req, res) => void this.receive(req, res));
    this.server.on("connection", (socket: Socket) => {
      if (this.refuse()) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Whether a connection (or request) arriving now is destroyed unanswered; a subclass may count it here. */
  protected abstract refuse(): boolean;

  /** Answers one HTTP request whose body (UTF-8) was read whole. */
  protected abstract handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void>;

  /** Destroys every open connection. */
  protected dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private async receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    await this.handle(req, Buffer.concat(chunks).toString("utf8"), res);
  }
}

export class RpcFaultProxy extends LocalRpcProxy {
  readonly stats: FaultStats = {
    requests: 0,
    methods: new Map(),
    answered429: 0,
    answered5xx: 0,
    dropped: 0,
    refused: 0,
    logRangeErrors: 0,
    lagged: 0,
  };
  private opts: FaultOptions;
  private random: () => number;
  private upstreamId = 0;

  constructor(target: string, opts: FaultOptions = {}) {
    super(target);
    this.opts = { ...opts };
    this.random = seeded(opts.seed ?? 1);
  }

  /** Changes some options (the rest stay); going down drops every open connection. */
  set(opts: Partial<FaultOptions>): void {
    this.opts = { ...this.opts, ...opts };
    if (opts.seed !== undefined) this.random = seeded(opts.seed);
    if (opts.down) this.dropAll();
  }

  get options(): Readonly<FaultOptions> {
    return this.opts;
  }

  /** Down: every connection and request is refused (and counted). */
  protected refuse(): boolean {
    if (!this.opts.down) return false;
    this.stats.refused++;
    return true;
  }

  private chance(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  protected async handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    if (this.refuse()) {
      req.socket.destroy();
      return;
    }
    this.stats.requests++;
    let parsed: JsonRpcRequest | JsonRpcRequest[];
    try {
      parsed = JSON.parse(body) as JsonRpcRequest | JsonRpcRequest[];
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("not JSON");
      return;
    }
    const entries = Array.isArray(parsed) ? parsed : [parsed];
    for (const e of entries) {
      const m = String(e?.method ?? "?");
      this.stats.methods.set(m, (this.stats.methods.get(m) ?? 0) + 1);
    }

    const o = this.opts;
    if (o.rateLimit && Date.now() < o.rateLimit.until) {
      this.stats.answered429++;
      res.writeHead(429, { "content-type": "text/plain", "retry-after": String(o.rateLimit.retryAfterSeconds) });
      res.end("Too Many Requests");
      return;
    }
    if (o.latencyMs) {
      const [lo, hi] = o.latencyMs;
      await new Promise((r) => setTimeout(r, lo + Math.floor(this.random() * Math.max(0, hi - lo + 1))));
    }
    if (this.chance(o.fail5xxRate)) {
      this.stats.answered5xx++;
      res.writeHead(502, { "content-type": "text/plain" }).end("Bad Gateway");
      return;
    }
    const drop = this.chance(o.dropRate);
    const lag = o.lag ? o.lag.min + Math.floor(this.random() * (o.lag.max - o.lag.min + 1)) : 0;

    let replies: JsonRpcReply[];
    try {
      const head = lag > 0 || o.maxLogRange !== undefined ? num(await this.upstream("eth_blockNumber", [])) : 0;
      const seen = Math.max(0, head - lag);
      if (lag > 0) this.stats.lagged++;
      replies = [];
      for (const e of entries) replies.push(await this.answer(e, lag > 0 ? seen : null, head));
    } catch {
      req.socket.destroy(); // the node itself is unreachable
      return;
    }
    if (drop) {
      this.stats.dropped++;
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(Array.isArray(parsed) ? replies : replies[0]));
  }

  /** One JSON-RPC call, answered as a node whose head is `seen` would (null: no lag). */
  private async answer(e: JsonRpcRequest, seen: number | null, head: number): Promise<JsonRpcReply> {
    const id = e?.id ?? null;
    const method = String(e?.method ?? "");
    const params = Array.isArray(e?.params) ? [...e.params] : [];
    const ok = (result: unknown): JsonRpcReply => ({ jsonrpc: "2.0", id, result });
    const fail = (code: number, message: string): JsonRpcReply => ({ jsonrpc: "2.0", id, error: { code, message } });
    const atSeen = (tag: unknown): unknown => (seen !== null && (tag === undefined || STATE_TAGS.has(String(tag))) ? hex(seen) : tag);

    if (method === "eth_getLogs") {
      const f = { ...((params[0] ?? {}) as Record<string, unknown>) };
      const top = seen ?? head;
      const from = f.fromBlock === undefined || STATE_TAGS.has(String(f.fromBlock)) ? top : num(f.fromBlock);
      let to = f.toBlock === undefined || STATE_TAGS.has(String(f.toBlock)) ? top : num(f.toBlock);
      if (seen !== null) to = Math.min(to, seen);
      if (from > to) return ok([]);
      if (this.opts.maxLogRange !== undefined && to - from + 1 > this.opts.maxLogRange) {
        this.stats.logRangeErrors++;
        return fail(-32600, `block range is too wide: at most ${this.opts.maxLogRange} blocks per eth_getLogs`);
      }
      f.fromBlock = hex(from);
      f.toBlock = hex(to);
      const r = await this.forward(method, [f]);
      if (this.opts.maxLogResults !== undefined && Array.isArray(r.result) && r.result.length > this.opts.maxLogResults) {
        this.stats.logRangeErrors++;
        return fail(-32005, `query returned more than ${this.opts.maxLogResults} results`);
      }
      return { ...r, id };
    }
    if (seen === null) return { ...(await this.forward(method, params)), id };

    switch (method) {
      case "eth_blockNumber":
        return ok(hex(seen));
      case "eth_getBlockByNumber": {
        const tag = params[0];
        if (STATE_TAGS.has(String(tag))) params[0] = hex(seen);
        else if (num(tag) > seen) return ok(null);
        return { ...(await this.forward(method, params)), id };
      }
      case "eth_getBlockByHash":
      case "eth_getTransactionReceipt": {
        const r = await this.forward(method, params);
        const n = (r.result as { number?: string; blockNumber?: string } | null) ?? null;
        const at = n?.number ?? n?.blockNumber;
        if (at !== undefined && at !== null && num(at) > seen) return ok(null);
        return { ...r, id };
      }
      case "eth_getTransactionByHash": {
        const r = await this.forward(method, params);
        const tx = r.result as { blockNumber?: string | null } | null;
        if (tx?.blockNumber && num(tx.blockNumber) > seen) {
          return ok({ ...tx, blockNumber: null, blockHash: null, transactionIndex: null });
        }
        return { ...r, id };
      }
      case "eth_getTransactionCount":
      case "eth_getBalance":
      case "eth_getCode":
        if (params[1] !== "pending") params[1] = atSeen(params[1]);
        return { ...(await this.forward(method, params)), id };
      case "eth_call":
        params[1] = atSeen(params[1]);
        return { ...(await this.forward(method, params)), id };
      default:
        return { ...(await this.forward(method, params)), id };
    }
  }

  private async forward(method: string, params: unknown[]): Promise<JsonRpcReply> {
    const r = await fetch(this.target, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++this.upstreamId, method, params }),
    });
    return (await r.json()) as JsonRpcReply;
  }

  private async upstream(method: string, params: unknown[]): Promise<unknown> {
    const r = await this.forward(method, params);
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result;
  }
}
