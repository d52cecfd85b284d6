/**
 * A switchable JSON-RPC proxy on 127.0.0.1 between the relayer and the chain:
 *   "up"      forwards every request;
 *   "refuse"  destroys every connection as it arrives (and open keep-alive ones): the client sees
 *             a reset / "fetch failed";
 *   "hang"    accepts requests and never answers (the client's timeout fires).
 * A trap switches the mode at a precise point of the write path: when the next request of a given
 * JSON-RPC method arrives (mode "up" or "hang"; a batch counts when any of its calls is of that
 * method), the proxy switches to `then` at once (so nothing
 * after it gets through) and still forwards that one request to the chain; with `dropReply` the
 * chain's answer is thrown away and the connection destroyed (the node applied it, the relayer
 * never heard back). `set()` disarms a trap, so arm it after setting the mode.
 */
import http from "http";
import type { AddressInfo, Socket } from "net";

export type ProxyMode = "up" | "refuse" | "hang";

export interface Trap {
  /** The JSON-RPC method(s) that spring the trap (a batch springs it when any entry matches). */
  method: string | readonly string[];
  then: Exclude<ProxyMode, "up">;
  dropReply: boolean;
}

export class RpcProxy {
  mode: ProxyMode = "up";
  /** Requests seen per JSON-RPC method (all modes). */
  readonly seen = new Map<string, number>();
  private trap: { spec: Trap; fired: () => void } | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly server: http.Server;
  url = "";

  constructor(private readonly target: string) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (socket: Socket) => {
      if (this.mode === "refuse") {
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

  /** Switches the mode; going down drops every open connection. */
  set(mode: ProxyMode): void {
    this.mode = mode;
    this.trap = null;
    if (mode !== "up") this.dropAll();
  }

  /** Arms a trap; the returned promise resolves when it fired. */
  arm(spec: Trap): Promise<void> {
    return new Promise((resolve) => {
      this.trap = { spec, fired: resolve };
    });
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    let methods = ["?"];
    try {
      const parsed = JSON.parse(body) as { method?: unknown } | { method?: unknown }[];
      methods = (Array.isArray(parsed) ? parsed : [parsed]).map((r) => String(r?.method ?? "?"));
    } catch {
      /* not JSON: forwarded as is */
    }
    for (const method of methods) this.seen.set(method, (this.seen.get(method) ?? 0) + 1);

    let trapped: Trap | null = null;
    const wanted = this.trap ? ([] as string[]).concat(this.trap.spec.method) : [];
    if (this.trap && methods.some((m) => wanted.includes(m))) {
      trapped = this.trap.spec;
      const fired = this.trap.fired;
      this.trap = null;
      this.mode = trapped.then; // from now on nothing else gets through
      fired();
    } else if (this.mode === "refuse") {
      req.socket.destroy();
      return;
    } else if (this.mode === "hang") {
      return; // never answered; dropped with the socket on close / mode change
    }

    let answer: { status: number; type: string; text: string };
    try {
      const r = await fetch(this.target, {
        method: "POST",
        headers: { "content-type": req.headers["content-type"] ?? "application/json" },
        body,
      });
      answer = { status: r.status, type: r.headers.get("content-type") ?? "application/json", text: await r.text() };
    } catch {
      req.socket.destroy();
      return;
    }
    if (trapped?.dropReply || (trapped === null && this.mode === "refuse")) {
      req.socket.destroy();
      return;
    }
    if (trapped === null && this.mode === "hang") return;
    res.writeHead(answer.status, { "content-type": answer.type });
    res.end(answer.text);
  }
}
