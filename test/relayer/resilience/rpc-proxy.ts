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
 * never heard back). `set()` disarms a trap, so arm it after setting the mode. The HTTP side (port,
 * connections, refusing) is LocalRpcProxy of scripts/lib/rpc-fault-proxy.ts.
 */
import type http from "http";
import { LocalRpcProxy } from "../../../scripts/lib/rpc-fault-proxy";

export type ProxyMode = "up" | "refuse" | "hang";

export interface Trap {
  /** The JSON-RPC method(s) that spring the trap (a batch springs it when any entry matches). */
  method: string | readonly string[];
  then: Exclude<ProxyMode, "up">;
  dropReply: boolean;
}

export class RpcProxy extends LocalRpcProxy {
  mode: ProxyMode = "up";
  /** Requests seen per JSON-RPC method (all modes). */
  readonly seen = new Map<string, number>();
  private trap: { spec: Trap; fired: () => void } | null = null;

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

  protected refuse(): boolean {
    return this.mode === "refuse";
  }

  protected async handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
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
