/**
 * Imperfect RPC providers, without a node: FailoverRpc (several URLs, 429 + Retry-After, backoff)
 * over fake endpoints with an injected clock, HttpRpc's reading of HTTP 429 and Retry-After
 * against a tiny HTTP server, and LogFetcher's splitting of refused eth_getLogs ranges.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import {
  FailoverRpc,
  HttpRpc,
  LogFetcher,
  RpcRateLimitError,
  RpcResponseError,
  RpcTransportError,
  isLogRangeError,
  isTransportError,
  parseRetryAfter,
  type RpcCall,
  type RpcLike,
  type RpcSettled,
} from "../../../src/relayer/chain";
import type { RpcLog } from "../../../src/relayer/chain/rpc";

/** A scripted endpoint: each call runs `behaviour` (or answers `method:name`). */
class FakeEndpoint implements RpcLike {
  readonly calls: string[] = [];
  behaviour: (method: string) => unknown = (m) => `${m}:${this.name}`;
  constructor(readonly name: string) {}
  async send(method: string): Promise<unknown> {
    this.calls.push(method);
    return this.behaviour(method);
  }
}

const refused = (): never => {
  throw new RpcTransportError("connect ECONNREFUSED");
};

/** A manual clock: sleep() advances it (no real waiting). */
function clock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = 1_000_000;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

describe("relayer RPC: failover, rate limits, capped eth_getLogs", () => {
  describe("FailoverRpc", () => {
    it("fails over to the next URL when the current one cannot be reached, and stays there", async () => {
      const a = new FakeEndpoint("a");
      const b = new FakeEndpoint("b");
      const rpc = new FailoverRpc([{ name: "a", rpc: a }, { name: "b", rpc: b }]);
      expect(await rpc.send("eth_chainId", [])).to.equal("eth_chainId:a");
      a.behaviour = refused;
      expect(await rpc.send("eth_blockNumber", [])).to.equal("eth_blockNumber:b");
      a.behaviour = (m) => `${m}:a`; // back, but traffic stays on b (one node's view)
      expect(await rpc.send("eth_blockNumber", [])).to.equal("eth_blockNumber:b");
      expect(a.calls).to.deep.equal(["eth_chainId", "eth_blockNumber"]);
      expect(rpc.status()).to.deep.include({ current: "b", failovers: 1 });
    });

    it("passes over a dead URL during its cool-down instead of paying its failure on every call", async () => {
      const c = clock();
      const a = new FakeEndpoint("a");
      const b = new FakeEndpoint("b");
      const rpc = new FailoverRpc([{ name: "a", rpc: a }, { name: "b", rpc: b }], { cooldownMs: 5000, now: c.now, sleep: c.sleep });
      a.behaviour = refused;
      await rpc.send("x", []);
      b.behaviour = refused; // now b dies too: a is still cooling down, but it is tried rather than failing unasked
      a.behaviour = (m) => `${m}:a`;
      expect(await rpc.send("y", [])).to.equal("y:a");
    });

    it("returns the node's JSON-RPC error as is, without trying another URL", async () => {
      const a = new FakeEndpoint("a");
      const b = new FakeEndpoint("b");
      a.behaviour = () => {
        throw new RpcResponseError("nonce too low", -32000);
      };
      const rpc = new FailoverRpc([{ name: "a", rpc: a }, { name: "b", rpc: b }]);
      const err = await rpc.send("eth_sendRawTransaction", []).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(RpcResponseError);
      expect(b.calls).to.deep.equal([]);
    });

    it("fails with the last transport error once every URL failed in the call", async () => {
      const a = new FakeEndpoint("a");
      const b = new FakeEndpoint("b");
      a.behaviour = refused;
      b.behaviour = () => {
        throw new RpcTransportError("request timeout after 15000 ms");
      };
      const rpc = new FailoverRpc([{ name: "a", rpc: a }, { name: "b", rpc: b }]);
      const err = await rpc.send("eth_blockNumber", []).catch((e: unknown) => e);
      expect(isTransportError(err)).to.equal(true);
      expect((err as Error).message).to.match(/timeout/);
      expect([a.calls.length, b.calls.length]).to.deep.equal([1, 1]);
    });

    it("waits the Retry-After of a 429 before asking that URL again, then succeeds", async () => {
      const c = clock();
      const a = new FakeEndpoint("a");
      let limited = 2;
      a.behaviour = (m) => {
        if (limited-- > 0) throw new RpcRateLimitError("HTTP 429", 1500);
        return `${m}:a`;
      };
      const rpc = new FailoverRpc([{ name: "a", rpc: a }], { now: c.now, sleep: c.sleep });
      expect(await rpc.send("eth_call", [])).to.equal("eth_call:a");
      expect(c.slept).to.deep.equal([1500, 1500]);
      expect(rpc.stats).to.deep.include({ rateLimited: 2, rateLimitWaits: 2 });
    });

    it("backs off exponentially on a 429 without Retry-After", async () => {
      const c = clock();
      const a = new FakeEndpoint("a");
      let limited = 3;
      a.behaviour = (m) => {
        if (limited-- > 0) throw new RpcRateLimitError("rate limited", null);
        return m;
      };
      const rpc = new FailoverRpc([{ name: "a", rpc: a }], { now: c.now, sleep: c.sleep, backoffBaseMs: 100 });
      await rpc.send("eth_call", []);
      expect(c.slept).to.deep.equal([100, 200, 400]);
    });

    it("uses another URL while one is rate limited instead of waiting", async () => {
      const c = clock();
      const a = new FakeEndpoint("a");
      const b = new FakeEndpoint("b");
      a.behaviour = () => {
        throw new RpcRateLimitError("HTTP 429", 10_000);
      };
      const rpc = new FailoverRpc([{ name: "a", rpc: a }, { name: "b", rpc: b }], { now: c.now, sleep: c.sleep });
      expect(await rpc.send("eth_call", [])).to.equal("eth_call:b");
      expect(await rpc.send("eth_call", [])).to.equal("eth_call:b");
      expect(c.slept).to.deep.equal([]);
      expect(a.calls).to.have.length(1);
    });

    it("gives up with a transport error when a storm outlasts the rate-limit budget, capping each Retry-After", async () => {
      const c = clock();
      const a = new FakeEndpoint("a");
      a.behaviour = () => {
        throw new RpcRateLimitError("HTTP 429", 120_000);
      };
      const rpc = new FailoverRpc([{ name: "a", rpc: a }], { now: c.now, sleep: c.sleep, maxRetryAfterMs: 4000, rateLimitBudgetMs: 10_000 });
      const err = await rpc.send("eth_call", []).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(RpcRateLimitError);
      expect(isTransportError(err)).to.equal(true);
      expect(c.slept).to.deep.equal([4000, 4000]);
    });

    it("sends a batch to one URL, fails the whole batch over, and retries only the entries refused for the rate limit", async () => {
      const c = clock();
      const calls: string[][] = [];
      const batchEndpoint = (name: string, reply: (calls: readonly RpcCall[], n: number) => RpcSettled[]): RpcLike => {
        let n = 0;
        return {
          send: async (method) => {
            calls.push([name, method]);
            return `${method}:${name}`;
          },
          sendBatch: async (cs) => {
            calls.push([name, ...cs.map((x) => x.method)]);
            return reply(cs, n++);
          },
        };
      };
      const down = new RpcTransportError("socket hang up");
      const a = batchEndpoint("a", (cs) => cs.map(() => ({ ok: false as const, error: down })));
      const b = batchEndpoint("b", (cs, n) =>
        cs.map((x, i) =>
          n === 0 && i === 1 ? { ok: false as const, error: new RpcRateLimitError("429", 300) } : { ok: true as const, result: `${x.method}:b` },
        ),
      );
      const rpc = new FailoverRpc([{ name: "a", rpc: a }, { name: "b", rpc: b }], { now: c.now, sleep: c.sleep });
      const out = await rpc.sendBatch([
        { method: "m0", params: [] },
        { method: "m1", params: [] },
        { method: "m2", params: [] },
      ]);
      expect(out).to.deep.equal([
        { ok: true, result: "m0:b" },
        { ok: true, result: "m1:b" },
        { ok: true, result: "m2:b" },
      ]);
      expect(calls).to.deep.equal([
        ["a", "m0", "m1", "m2"],
        ["b", "m0", "m1", "m2"],
        ["b", "m1"],
      ]);
      expect(c.slept).to.deep.equal([300]);
    });
  });

  describe("HttpRpc and Retry-After", () => {
    it("reads Retry-After as seconds or an HTTP date", () => {
      const now = Date.parse("2026-01-01T00:00:00Z");
      expect(parseRetryAfter("2", now)).to.equal(2000);
      expect(parseRetryAfter("0.5", now)).to.equal(500);
      expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", now)).to.equal(3000);
      expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).to.equal(0);
      expect(parseRetryAfter("soon", now)).to.equal(null);
      expect(parseRetryAfter(undefined, now)).to.equal(null);
    });

    it("turns HTTP 429 (single call and batch) and JSON-RPC rate-limit errors into RpcRateLimitError with the Retry-After", async () => {
      let mode: "429" | "json-limit" | "json-range" = "429";
      const server = http.createServer((req, res) => {
        req.resume();
        req.on("end", () => {
          if (mode === "429") {
            res.writeHead(429, { "retry-after": "3", "content-type": "text/plain" }).end("Too Many Requests");
          } else {
            const message = mode === "json-limit" ? "project ID request rate exceeded" : "query returned more than 10000 results";
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32005, message } }));
          }
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const rpc = new HttpRpc(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 5000);
      try {
        const single = await rpc.send("eth_call", []).catch((e: unknown) => e);
        expect(single).to.be.instanceOf(RpcRateLimitError);
        expect((single as RpcRateLimitError).retryAfterMs).to.equal(3000);
        const batch = await rpc.sendBatch([
          { method: "a", params: [] },
          { method: "b", params: [] },
        ]);
        expect(batch.map((r) => !r.ok && r.error instanceof RpcRateLimitError && r.error.retryAfterMs)).to.deep.equal([3000, 3000]);
        mode = "json-limit";
        const limited = await rpc.send("eth_call", []).catch((e: unknown) => e);
        expect(limited).to.be.instanceOf(RpcRateLimitError);
        expect((limited as RpcRateLimitError).retryAfterMs).to.equal(null);
        mode = "json-range"; // the same code for an eth_getLogs cap is not a rate limit
        const range = await rpc.send("eth_getLogs", []).catch((e: unknown) => e);
        expect(range).to.be.instanceOf(RpcResponseError);
        expect(isLogRangeError(range)).to.equal(true);
      } finally {
        rpc.close();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  });

  describe("LogFetcher", () => {
    const log = (block: number, i: number): RpcLog => ({
      address: "0xd",
      topics: [],
      data: "0x",
      blockNumber: `0x${block.toString(16)}`,
      blockHash: `0x${block.toString(16).padStart(64, "0")}`,
      logIndex: `0x${i.toString(16)}`,
      transactionHash: "0x",
    });
    /**
     * A provider capped at `maxRange` blocks and `maxResults` logs per eth_getLogs, every block
     * holding `perBlock` logs, whose head is `head` (it clamps a range beyond it, as nodes do).
     */
    function capped(maxRange: number, maxResults: number, perBlock = 1, head = 1_000_000): RpcLike & { requests: [number, number][] } {
      const requests: [number, number][] = [];
      return {
        requests,
        send: async (method, params) => {
          if (method === "eth_blockNumber") return `0x${head.toString(16)}`;
          if (method !== "eth_getLogs") throw new Error(method);
          const f = params[0] as { fromBlock: string; toBlock: string };
          const from = Number(f.fromBlock);
          const to = Math.min(head, Number(f.toBlock));
          requests.push([from, to]);
          if (to - from + 1 > maxRange) throw new RpcResponseError(`eth_getLogs is limited to a ${maxRange} block range`, -32614);
          const logs: RpcLog[] = [];
          for (let b = from; b <= to; b++) for (let i = 0; i < perBlock; i++) logs.push(log(b, i));
          if (logs.length > maxResults) throw new RpcResponseError("Log response size exceeded.", -32602);
          return logs;
        },
      };
    }

    it("splits a refused range until the provider accepts it, returning every log once, in order", async () => {
      const rpc = capped(10, 1000);
      const fetcher = new LogFetcher(rpc, "0xd", 100);
      const { logs, to } = await fetcher.fetch(1, 64);
      expect(to).to.equal(64);
      expect(logs.map((l) => Number(l.blockNumber))).to.deep.equal(Array.from({ length: 64 }, (_, i) => i + 1));
      expect(fetcher.splits).to.be.greaterThan(0);
      expect(fetcher.span).to.be.at.most(10);
    });

    it("remembers the span that worked, so later ranges cost no refused request", async () => {
      const rpc = capped(8, 1000);
      const fetcher = new LogFetcher(rpc, "0xd", 64);
      await fetcher.fetch(1, 64);
      const refusedBefore = rpc.requests.filter(([a, b]) => b - a + 1 > 8).length;
      await fetcher.fetch(65, 96);
      expect(rpc.requests.filter(([a, b]) => b - a + 1 > 8).length).to.equal(refusedBefore);
    });

    it("splits a range refused for its result count", async () => {
      const rpc = capped(1000, 5, 2);
      const { logs } = await new LogFetcher(rpc, "0xd", 50).fetch(0, 20);
      expect(logs).to.have.length(42);
      expect(new Set(logs.map((l) => `${l.blockNumber}:${l.logIndex}`)).size).to.equal(42);
    });

    it("counts as fetched only the blocks the answering node has (a lagging node clamps the range)", async () => {
      const behind = new LogFetcher(capped(1000, 1000, 1, 40), "0xd", 100);
      const got = await behind.fetch(30, 60);
      expect(got.to).to.equal(40);
      expect(got.logs.map((l) => Number(l.blockNumber))).to.deep.equal(Array.from({ length: 11 }, (_, i) => 30 + i));
      expect(await behind.fetch(45, 60)).to.deep.equal({ logs: [], to: 44 });
      // a node that refuses a range past its head instead of clamping it
      const refusing: RpcLike = {
        send: async (method, params) => {
          if (method === "eth_blockNumber") return "0x28";
          const f = params[0] as { fromBlock: string; toBlock: string };
          if (Number(f.toBlock) > 40) throw new RpcResponseError("block range extends beyond current head block", -32000);
          return Array.from({ length: Number(f.toBlock) - Number(f.fromBlock) + 1 }, (_, i) => log(Number(f.fromBlock) + i, 0));
        },
      };
      const partial = await new LogFetcher(refusing, "0xd", 100).fetch(35, 60);
      expect(partial.to).to.equal(40);
      expect(partial.logs).to.have.length(6);
      // also when the range had to be split first
      const split = await new LogFetcher(capped(4, 1000, 1, 10), "0xd", 100).fetch(1, 20);
      expect(split.to).to.equal(10);
      expect(split.logs).to.have.length(10);
    });

    it("reports a single block the provider still refuses, and any other error, instead of skipping it", async () => {
      const tooMany = await new LogFetcher(capped(1000, 1, 3), "0xd", 10).fetch(5, 6).catch((e: unknown) => e);
      expect(isLogRangeError(tooMany)).to.equal(true);
      const down: RpcLike = {
        send: async () => {
          throw new RpcTransportError("connect ECONNREFUSED");
        },
      };
      const err = await new LogFetcher(down, "0xd", 10).fetch(0, 100).catch((e: unknown) => e);
      expect(isTransportError(err)).to.equal(true);
    });

    it("recognises the providers' range and result-count refusals, and not a lagging node's", () => {
      for (const m of [
        "query returned more than 10000 results",
        "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
        "eth_getLogs is limited to a 10,000 range",
        "block range is too wide",
        "exceed maximum block range: 5000",
        "ranges over 10000 blocks are not supported",
      ]) {
        expect(isLogRangeError(new Error(m)), m).to.equal(true);
      }
      expect(isLogRangeError(new Error("block range extends beyond current head block"))).to.equal(false);
      expect(isLogRangeError(new Error("execution reverted"))).to.equal(false);
    });
  });
});
