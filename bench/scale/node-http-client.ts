/**
 * The scale benchmark's first probe client, kept for comparison with the lean one
 * (http-client.ts, SCALE_CLIENT=node-http): node:http through one keep-alive Agent of `sockets`
 * sockets. Its own CPU per request is several times the lean client's (bench/results/scale.md,
 * "The load generator's CPU"), and on a 2-core machine that CPU is taken from the relayer.
 */
import http from "node:http";
import type { ProbeAnswer, ProbeClient, ProbeRequest } from "./http-client";

export class NodeHttpClient implements ProbeClient {
  private readonly agent: http.Agent;

  constructor(
    readonly port: number,
    sockets: number,
    private readonly host = "127.0.0.1",
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

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

  close(): void {
    this.agent.destroy();
  }
}
