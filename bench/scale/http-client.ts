/**
 * The client side of the scale benchmark's probes: HTTP/1.1 over a real TCP socket to a relayer
 * listening on 127.0.0.1, through one node:http keep-alive Agent of `sockets` sockets (one per
 * concurrent client, so no request waits for a free socket and none opens a new connection once
 * the warm-up has opened them). Used from the bench's own process, never inside the relayer's.
 */
import http from "node:http";

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

export class ProbeClient {
  private readonly agent: http.Agent;

  constructor(
    readonly port: number,
    sockets: number,
    private readonly host = "127.0.0.1",
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /** One request; resolves with the status and the whole body, rejects on a transport error. */
  send(r: ProbeRequest): Promise<ProbeAnswer> {
    const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body));
    const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${r.key}` };
    if (payload) {
      headers["content-type"] = "application/json";
      headers["content-length"] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent: this.agent, host: this.host, port: this.port, method: r.method, path: r.url, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}
