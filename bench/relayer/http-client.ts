/**
 * The load generator's HTTP client of the relayer write benchmark (bench/relayer.ts): JSON POSTs
 * over node:http with a keep-alive agent (one persistent connection per concurrent client).
 */
import http from "node:http";

export interface HttpReply {
  status: number;
  body: unknown;
  text: string;
}

/**
 * The client's agent. It runs in the relayer's process and shares its CPU, so it should cost
 * little: global fetch costs several times more CPU per request. Destroyed when the run ends.
 */
export const clientAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function post(url: string, body: unknown, apiKey?: string): Promise<HttpReply> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent: clientAgent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          ...(apiKey ? { "x-api-key": apiKey } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error("request timeout")));
    req.on("error", reject);
    req.end(payload);
  });
}
