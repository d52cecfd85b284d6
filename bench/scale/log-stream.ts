/**
 * A local JSON-RPC node serving a synthetic diamond log stream, for the indexer's catch-up
 * throughput: the scale history (dataset.ts) encoded as real diamond logs (the diamond ABI's
 * topics and data, as eth_getLogs returns them), answering eth_blockNumber, eth_getLogs (by block
 * range, JSON-RPC batches included), eth_getBlockByNumber and eth_chainId on 127.0.0.1.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { EventFragment } from "ethers";
import { toHash32 } from "../../src/core/hashing";
import { diamondInterface } from "../../src/relayer/chain/abi";
import type { RpcLog } from "../../src/relayer/chain/rpc";
import type { DecodedEvent } from "../../src/relayer/ports";
import { blockHash, scaleBlocks, type ScaleSpec } from "./dataset";

export const STREAM_DIAMOND = `0x${"d1".repeat(20)}`;

const hex = (n: number): string => `0x${n.toString(16)}`;

function encode(event: DecodedEvent, blockNumber: number, logIndex: number): RpcLog {
  const fragment = diamondInterface.getEvent(event.name) as EventFragment | null;
  if (!fragment) throw new Error(`no diamond event ${event.name}`);
  const values = fragment.inputs.map((p) => event.args[p.name]);
  const { topics, data } = diamondInterface.encodeEventLog(fragment, values);
  return {
    address: STREAM_DIAMOND,
    topics,
    data,
    blockNumber: hex(blockNumber),
    blockHash: blockHash(blockNumber),
    transactionHash: toHash32(BigInt(blockNumber * 4096 + logIndex)),
    transactionIndex: "0x0",
    logIndex: hex(logIndex),
    removed: false,
  } as RpcLog;
}

export interface LogStream {
  url: string;
  head: number;
  events: number;
  close(): Promise<void>;
}

/** Encodes the history of `spec` in blocks of `perBlock` events and serves it. */
export async function serveLogStream(spec: ScaleSpec, perBlock: number): Promise<LogStream> {
  const blocks: RpcLog[][] = [[]];
  let events = 0;
  for (const b of scaleBlocks(spec, perBlock)) {
    blocks[b.number] = b.events.map((e, i) => encode(e, b.number, i));
    events += b.events.length;
  }
  const head = blocks.length - 1;
  const answer = (req: { id?: unknown; method?: string; params?: unknown[] }): unknown => {
    const ok = (result: unknown) => ({ jsonrpc: "2.0", id: req.id, result });
    switch (req.method) {
      case "eth_chainId":
        return ok("0x7a69");
      case "eth_blockNumber":
        return ok(hex(head));
      case "eth_getBlockByNumber": {
        const tag = String(req.params?.[0]);
        const n = tag === "latest" || tag === "finalized" || tag === "safe" ? head : Number(BigInt(tag));
        if (n > head) return ok(null);
        return ok({ number: hex(n), hash: blockHash(n), parentHash: blockHash(n - 1), timestamp: hex(1_700_000_000 + n) });
      }
      case "eth_getLogs": {
        const f = (req.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string };
        const from = Number(BigInt(f.fromBlock ?? "0x0"));
        const to = Math.min(head, f.toBlock === undefined || f.toBlock === "latest" ? head : Number(BigInt(f.toBlock)));
        const out: RpcLog[] = [];
        for (let n = Math.max(1, from); n <= to; n++) for (const l of blocks[n] ?? []) out.push(l);
        return ok(out);
      }
      default:
        return { jsonrpc: "2.0", id: req.id, error: { code: -32601, message: `method ${req.method} not served` } };
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
      const reply = Array.isArray(body) ? body.map(answer) : answer(body as Parameters<typeof answer>[0]);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    head,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
