/**
 * The scale benchmark's probe clients alone: CPU per request of this process for node:http's
 * client (node-http-client.ts) and the lean socket client (http-client.ts), alternated, against a
 * server process that answers every request with one fixed JSON body (Content-Length framed,
 * keep-alive) and does nothing else, so the figure is the client's own cost: sending, framing,
 * decoding and JSON.parse of the answer, at concurrency 8 as the bench sends.
 *
 *     node -r ts-node/register/transpile-only bench/scale/client-cost.ts
 *
 * CLIENT_COST_REQUESTS (10000) per round, CLIENT_COST_ROUNDS (3), answers of ~150 bytes (an
 * account_exists or an error) and ~16 KB (a list page of 100).
 */
import { fork } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SocketClient, type ProbeClient, type ProbeRequest } from "./http-client";
import { NodeHttpClient } from "./node-http-client";

const REQUESTS = Number(process.env.CLIENT_COST_REQUESTS || 10_000);
const ROUNDS = Number(process.env.CLIENT_COST_ROUNDS || 3);
const CONCURRENCY = 8;

function serve(size: number): void {
  const item = { id: `0x${"ab".repeat(32)}`, name: "group name", description: "a description", permitted: true };
  const list: unknown[] = [];
  while (JSON.stringify(list).length < size) list.push(item);
  const body = Buffer.from(JSON.stringify(list));
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port, bytes: body.length }));
  process.on("disconnect", () => process.exit(0));
}

/** CPU microseconds of this process per request over REQUESTS requests at CONCURRENCY. */
async function round(client: ProbeClient): Promise<number> {
  const probe: ProbeRequest = {
    method: "POST",
    url: "/core/v1/update_group",
    key: "k".repeat(40),
    body: { group_id: 5, name: "g", description: "d", pkp_ids_permitted: [`0x${"12".repeat(20)}`] },
  };
  const send = async (): Promise<void> => {
    const r = await client.send(probe);
    if (r.status !== 200) throw new Error(`answer ${r.status}`);
    JSON.parse(r.body);
  };
  for (let i = 0; i < 200; i++) await send();
  let next = 0;
  const t0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        await send();
      }
    }),
  );
  const spent = process.cpuUsage(t0);
  client.close();
  return (spent.user + spent.system) / REQUESTS;
}

async function main(): Promise<void> {
  for (const size of [100, 16_000]) {
    const server = fork(__filename, ["serve", String(size)], { execArgv: ["-r", "ts-node/register/transpile-only"] });
    const { port, bytes } = await new Promise<{ port: number; bytes: number }>((resolve) => server.once("message", resolve));
    const us: Record<"node-http" | "socket", number[]> = { "node-http": [], socket: [] };
    for (let r = 0; r < ROUNDS; r++) {
      us["node-http"].push(await round(new NodeHttpClient(port, CONCURRENCY)));
      us.socket.push(await round(new SocketClient(port, CONCURRENCY)));
    }
    const show = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(", ");
    console.log(`answer of ${bytes} bytes: node:http ${show(us["node-http"])} us/request; socket ${show(us.socket)} us/request`);
    server.disconnect();
  }
}

if (process.argv[2] === "serve") serve(Number(process.argv[3]));
else
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
