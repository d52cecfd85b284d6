/**
 * The client side of the scale benchmark's probes: HTTP/1.1 over real TCP sockets to a relayer
 * listening on 127.0.0.1, from the bench's own process (never inside the relayer's).
 *
 * On the 2-core machine the bench's client shares the cores with the relayer (and the Postgres
 * server), so its CPU per request is in every figure measured at concurrency 8. SocketClient is
 * therefore a minimal keep-alive client on net.Socket, as lean as a real load generator: each
 * probe's request bytes are serialised once (a probe object is sent thousands of times), and an
 * answer is framed by its Content-Length only. Anything else the relayer could answer (chunked
 * transfer coding, no Content-Length, a 1xx, `Connection: close`, bytes after the answer) is a
 * loud error rather than a guess, since the bench would then be measuring something else.
 * node-http-client.ts keeps the node:http client it replaced, for comparison (SCALE_CLIENT).
 */
import net from "node:net";

export interface ProbeRequest {
  method: "GET" | "POST";
  /** Path and query, e.g. "/core/v1/list_groups?page_number=0&page_size=100". */
  url: string;
  /** Sent as `Authorization: Bearer <key>`. */
  key: string;
  /** Sent as a JSON body when present. */
  body?: unknown;
}

export interface ProbeAnswer {
  status: number;
  body: string;
}

/** What the probes are sent through: `concurrency` sends in flight at most, one socket each. */
export interface ProbeClient {
  /** One request; resolves with the status and the whole body, rejects on a transport or framing error. */
  send(r: ProbeRequest): Promise<ProbeAnswer>;
  /** Closes the kept-alive sockets. */
  close(): void;
}

const HEAD_END = Buffer.from("\r\n\r\n");

/** The HTTP/1.1 request bytes of `r` to host:port. */
export function requestBytes(r: ProbeRequest, host: string, port: number): Buffer {
  // The head goes out as latin1 bytes: a path or key outside printable ASCII would be mangled.
  if (/[^\x21-\x7e]/.test(r.url + r.key)) throw new Error(`request path or key not printable ASCII: ${JSON.stringify(r.url)}`);
  let head = `${r.method} ${r.url} HTTP/1.1\r\nHost: ${host}:${port}\r\nAuthorization: Bearer ${r.key}\r\n`;
  if (r.body === undefined) return Buffer.from(`${head}\r\n`, "latin1");
  const payload = Buffer.from(JSON.stringify(r.body), "utf8");
  head += `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), payload]);
}

/** The status and body length of an answer's head (the bytes before the blank line); throws on what the client does not frame. */
export function parseHead(head: string): { status: number; length: number } {
  const lines = head.split("\r\n");
  const m = /^HTTP\/1\.1 (\d{3})(?: |$)/.exec(lines[0] ?? "");
  if (!m) throw new Error(`unexpected status line: ${JSON.stringify(lines[0])}`);
  const status = Number(m[1]);
  if (status < 200) throw new Error(`interim answer ${status}: the probes send nothing that asks for one`);
  let length = -1;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-length") {
      if (!/^\d+$/.test(value) || length >= 0) throw new Error(`bad or repeated Content-Length: ${JSON.stringify(value)}`);
      length = Number(value);
    } else if (name === "transfer-encoding") {
      throw new Error(`answer ${status} with Transfer-Encoding: ${value} (only Content-Length framing is supported)`);
    } else if (name === "connection" && value.toLowerCase().includes("close")) {
      throw new Error(`answer ${status} with Connection: close (the probes measure kept-alive connections)`);
    }
  }
  if (length < 0) throw new Error(`answer ${status} without Content-Length`);
  return { status, length };
}

interface Pending {
  resolve: (a: ProbeAnswer) => void;
  reject: (e: Error) => void;
}

/** One kept-alive connection: at most one request in flight (no pipelining). */
class Connection {
  private readonly socket: net.Socket;
  private pending: Pending | null = null;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Where the body starts in the buffered bytes, and its length, once the head is parsed. */
  private bodyAt = -1;
  private status = 0;
  private length = 0;
  closed = false;

  constructor(
    port: number,
    host: string,
    private readonly onGone: (c: Connection) => void,
  ) {
    this.socket = net.connect({ port, host, noDelay: true });
    this.socket.on("data", (c: Buffer) => this.data(c));
    this.socket.on("error", (e) => this.kill(e));
    this.socket.on("close", () => this.kill(new Error("the relayer closed the connection")));
  }

  send(bytes: Buffer, p: Pending): void {
    this.pending = p;
    this.socket.write(bytes);
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Fails the request in flight and drops the connection (no later request is sent on it). */
  private kill(e: Error): void {
    this.closed = true;
    const p = this.pending;
    this.reset();
    p?.reject(e);
    this.socket.destroy();
    this.onGone(this);
  }

  private data(chunk: Buffer): void {
    if (!this.pending) {
      this.kill(new Error(`unexpected bytes from the relayer with no request in flight: ${JSON.stringify(chunk.toString("latin1", 0, 80))}`));
      return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const buf = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.buffered);
    if (this.chunks.length > 1) this.chunks = [buf];
    try {
      if (this.bodyAt < 0) {
        const end = buf.indexOf(HEAD_END);
        if (end < 0) return;
        ({ status: this.status, length: this.length } = parseHead(buf.toString("latin1", 0, end)));
        this.bodyAt = end + HEAD_END.length;
      }
      const total = this.bodyAt + this.length;
      if (buf.length < total) return;
      if (buf.length > total) throw new Error(`${buf.length - total} bytes after an answer of Content-Length ${this.length}`);
      const answer = { status: this.status, body: buf.toString("utf8", this.bodyAt, total) };
      const p = this.pending;
      this.reset();
      p.resolve(answer);
    } catch (e) {
      this.kill(e as Error);
    }
  }

  private reset(): void {
    this.pending = null;
    this.chunks = [];
    this.buffered = 0;
    this.bodyAt = -1;
  }
}

/**
 * A pool of at most `sockets` keep-alive connections, opened on demand like node:http's Agent (a
 * send finding every open connection busy opens another while fewer than `sockets` are open, else
 * waits for one); a connection the relayer closed while idle is dropped and replaced on demand.
 */
export class SocketClient implements ProbeClient {
  private readonly idle: Connection[] = [];
  private readonly open = new Set<Connection>();
  private readonly waiting: ((c: Connection) => void)[] = [];
  private readonly bytes = new WeakMap<ProbeRequest, Buffer>();

  constructor(
    readonly port: number,
    private readonly sockets: number,
    private readonly host = "127.0.0.1",
  ) {}

  async send(r: ProbeRequest): Promise<ProbeAnswer> {
    let bytes = this.bytes.get(r);
    if (!bytes) {
      bytes = requestBytes(r, this.host, this.port);
      this.bytes.set(r, bytes);
    }
    const conn = await this.take();
    const ready = bytes;
    try {
      return await new Promise<ProbeAnswer>((resolve, reject) => conn.send(ready, { resolve, reject }));
    } finally {
      this.give(conn);
    }
  }

  close(): void {
    for (const c of this.open) c.destroy();
    this.open.clear();
    this.idle.length = 0;
  }

  private take(): Promise<Connection> | Connection {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) if (!c.closed) return c;
    if (this.open.size < this.sockets) {
      const c = new Connection(this.port, this.host, (gone) => this.open.delete(gone));
      this.open.add(c);
      return c;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private give(c: Connection): void {
    if (c.closed) {
      // Its place goes to a waiting send, on a new connection.
      const w = this.waiting.shift();
      if (w) void Promise.resolve(this.take()).then(w);
      return;
    }
    const w = this.waiting.shift();
    if (w) w(c);
    else this.idle.push(c);
  }
}
