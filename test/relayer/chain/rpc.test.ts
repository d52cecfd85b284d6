/**
 * The chain layer's own JSON-RPC client (HttpRpc: keep-alive connections, batches, errors,
 * timeouts) against a small local HTTP server, and local signing (signTx) against ethers' Wallet.
 */
import http from "http";
import type { AddressInfo, Socket } from "net";
import { expect } from "chai";
import { Transaction, Wallet } from "ethers";
import {
  HttpRpc,
  RpcResponseError,
  RpcTransportError,
  isTransportError,
  sendAll,
  signTx,
  type RpcLike,
} from "../../../src/relayer/chain";
import { rejectionOf } from "../support";

interface Req {
  id: number;
  method: string;
  params: unknown[];
}

/** A JSON-RPC server: `answer` per call; batches answered in reverse order (ids must match). */
async function server(opts: { batches?: boolean; answer?: (r: Req) => unknown } = {}) {
  const sockets = new Set<Socket>();
  let requests = 0;
  const answer = opts.answer ?? ((r: Req) => ({ result: `${r.method}:${JSON.stringify(r.params)}` }));
  const srv = http.createServer((req, res) => {
    requests++;
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const parsed = JSON.parse(body) as Req | Req[];
      const one = (r: Req) => {
        const a = answer(r);
        return a === undefined ? undefined : { jsonrpc: "2.0", id: r.id, ...(a as object) };
      };
      let out: unknown;
      if (Array.isArray(parsed)) {
        out = opts.batches === false ? { jsonrpc: "2.0", id: null, error: { code: -32600, message: "batch not supported" } } : parsed.map(one).reverse();
      } else {
        out = one(parsed);
      }
      if (out === undefined) return; // never answered
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(out));
    });
  });
  srv.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    requests: () => requests,
    connections: () => sockets.size,
    /** Drops every open connection (as a server closing idle keep-alive ones does). */
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

describe("relayer chain: HttpRpc and signTx", function () {
  const open: { close(): Promise<void> }[] = [];
  const clients: HttpRpc[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of open.splice(0)) await s.close();
  });
  const client = (url: string, timeoutMs?: number): HttpRpc => {
    const c = new HttpRpc(url, timeoutMs);
    clients.push(c);
    return c;
  };

  it("sends calls over one kept-alive connection and batches in one request, matched by id", async () => {
    const s = await server();
    open.push(s);
    const rpc = client(s.url);
    expect(await rpc.send("eth_chainId", [])).to.equal("eth_chainId:[]");
    expect(await rpc.send("eth_blockNumber", [1])).to.equal("eth_blockNumber:[1]");
    expect(s.connections()).to.equal(1);
    const out = await rpc.sendBatch([
      { method: "a", params: [1] },
      { method: "b", params: [2] },
      { method: "c", params: [] },
    ]);
    expect(out).to.deep.equal([
      { ok: true, result: "a:[1]" },
      { ok: true, result: "b:[2]" },
      { ok: true, result: "c:[]" },
    ]);
    expect(s.requests()).to.equal(3);
    expect(rpc.stats).to.deep.equal({ requests: 3, calls: 5 });
  });

  it("settles each batch entry on its own: a JSON-RPC error keeps its code and revert data", async () => {
    const s = await server({
      answer: (r) => (r.method === "eth_call" ? { error: { code: 3, message: "execution reverted", data: "0x12345678" } } : { result: "0x1" }),
    });
    open.push(s);
    const rpc = client(s.url);
    const [ok, reverted] = await rpc.sendBatch([
      { method: "eth_blockNumber", params: [] },
      { method: "eth_call", params: [{}] },
    ]);
    expect(ok).to.deep.equal({ ok: true, result: "0x1" });
    expect(reverted.ok).to.equal(false);
    const err = (reverted as { error: Error }).error as RpcResponseError;
    expect(err).to.be.instanceOf(RpcResponseError);
    expect([err.code, err.data, isTransportError(err)]).to.deep.equal([3, "0x12345678", false]);
    const single = await rejectionOf(rpc.send("eth_call", [{}]));
    expect((single as RpcResponseError).data).to.equal("0x12345678");
  });

  it("falls back to one call per request when the server refuses batches", async () => {
    const s = await server({ batches: false });
    open.push(s);
    const rpc = client(s.url);
    const calls = [
      { method: "a", params: [] },
      { method: "b", params: [] },
    ];
    expect(await rpc.sendBatch(calls)).to.deep.equal([
      { ok: true, result: "a:[]" },
      { ok: true, result: "b:[]" },
    ]);
    expect(await rpc.sendBatch(calls)).to.have.length(2);
    expect(s.requests()).to.equal(1 + 2 + 2); // the refused batch, then single calls only
  });

  it("a connection the server dropped while idle is replaced transparently", async () => {
    const s = await server();
    open.push(s);
    const rpc = client(s.url);
    await rpc.send("a", []);
    s.dropConnections();
    // Whether the client has seen the close yet or not (then the reset below applies), the call is answered.
    expect(await rpc.send("b", [])).to.equal("b:[]");
    expect(await rpc.send("c", [])).to.equal("c:[]");
  });

  it("a kept-alive connection reset before any answer is retried once on a new connection", async () => {
    // The race of a server closing an idle connection just as a request goes out on it, made
    // deterministic: the second request on any connection is met with a reset.
    let requests = 0;
    let connections = 0;
    const srv = http.createServer((req, res) => {
      requests++;
      const socket = req.socket as Socket & { served?: number };
      socket.served = (socket.served ?? 0) + 1;
      if (socket.served === 2) {
        socket.destroy();
        return;
      }
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const r = JSON.parse(body) as Req;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id: r.id, result: r.method }));
      });
    });
    srv.on("connection", () => connections++);
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    open.push({ close: () => new Promise<void>((r) => srv.close(() => r())) });
    const rpc = client(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
    expect(await rpc.send("a", [])).to.equal("a");
    expect(await rpc.send("b", [])).to.equal("b");
    expect({ requests, connections, clientRequests: rpc.stats.requests }).to.deep.equal({ requests: 3, connections: 2, clientRequests: 3 });
  });

  it("transport failures are RpcTransportError (refused, timeout), for every entry of a batch", async function () {
    this.timeout(60_000); // generous outer bound; the client's timeout below is 200 ms
    const dead = client("http://127.0.0.1:1", 1000);
    const refused = await rejectionOf(dead.send("eth_chainId", []));
    expect(refused).to.be.instanceOf(RpcTransportError);
    expect(isTransportError(refused)).to.equal(true);
    expect(refused.message).to.match(/ECONNREFUSED/);
    const both = await dead.sendBatch([
      { method: "a", params: [] },
      { method: "b", params: [] },
    ]);
    expect(both.map((r) => r.ok)).to.deep.equal([false, false]);
    expect(both.every((r) => !r.ok && isTransportError(r.error))).to.equal(true);

    // A server that never answers: only the client's own timeout ends the call (were it missing,
    // the test's outer timeout would fail it). It fires no earlier than configured.
    const s = await server({ answer: () => undefined });
    open.push(s);
    const hanging = client(s.url, 200);
    const started = performance.now();
    const timeout = await rejectionOf(hanging.send("eth_chainId", []));
    expect(isTransportError(timeout)).to.equal(true);
    expect(timeout.message).to.match(/request timeout after 200 ms/);
    expect(performance.now() - started).to.be.gte(195);
    expect(s.requests(), "the request reached the server").to.equal(1);
  });

  it("sendAll uses concurrent single calls for a client without batches", async () => {
    const seen: string[] = [];
    const plain: RpcLike = {
      send: async (method) => {
        seen.push(method);
        if (method === "bad") throw new Error("nope");
        return method.toUpperCase();
      },
    };
    const out = await sendAll(plain, [
      { method: "x", params: [] },
      { method: "bad", params: [] },
    ]);
    expect(seen).to.deep.equal(["x", "bad"]);
    expect(out[0]).to.deep.equal({ ok: true, result: "X" });
    expect(out[1].ok).to.equal(false);
  });

  it("signTx produces exactly what Wallet.signTransaction does (EIP-1559 and legacy)", async () => {
    const wallet = Wallet.createRandom();
    const base = { chainId: 31337n, nonce: 7, to: "0x00000000000000000000000000000000000000aa", data: "0x1234", value: 5n, gasLimit: 100_000n };
    for (const tx of [
      { ...base, type: 2, maxFeePerGas: 3_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n },
      { ...base, type: 0, gasPrice: 2_000_000_000n },
    ]) {
      const mine = signTx(wallet.signingKey, tx);
      const theirs = await wallet.signTransaction(tx);
      expect(mine.rawTx).to.equal(theirs);
      const parsed = Transaction.from(mine.rawTx);
      expect([parsed.hash, parsed.from]).to.deep.equal([mine.hash, wallet.address]);
    }
  });

  it("signTx matches Wallet.signTransaction at the RLP length boundaries and for zero values", async () => {
    const wallet = Wallet.createRandom();
    // data lengths around the 55-byte short/long string boundary and a multi-kilobyte batch,
    // a single byte below 0x80 (encoded as itself), zero nonce/value, large fees
    const datas = ["0x", "0x00", "0x7f", "0x80", `0x${"ab".repeat(55)}`, `0x${"ab".repeat(56)}`, `0x${"00".repeat(300)}`, `0x${"5c".repeat(4000)}`];
    for (const data of datas) {
      for (const tx of [
        { chainId: 8453n, nonce: 0, to: "0x00000000000000000000000000000000000000aa", data, value: 0n, gasLimit: 21_000n, type: 2, maxFeePerGas: 10n ** 20n, maxPriorityFeePerGas: 0n },
        { chainId: 1n, nonce: 128, to: "0x00000000000000000000000000000000000000aa", data, value: 10n ** 18n, gasLimit: 16_000_000n, type: 0, gasPrice: 1n },
      ]) {
        const mine = signTx(wallet.signingKey, tx);
        expect(mine.rawTx, `type ${tx.type}, data ${data.length} chars`).to.equal(await wallet.signTransaction(tx));
        expect(mine.hash).to.equal(Transaction.from(mine.rawTx).hash);
      }
    }
  });

  it("signTx refuses what it cannot sign (odd hex, unsupported types)", () => {
    const key = Wallet.createRandom().signingKey;
    const base = { chainId: 1n, nonce: 0, to: "0x00000000000000000000000000000000000000aa", gasLimit: 21_000n };
    expect(() => signTx(key, { ...base, type: 2, data: "0x123" })).to.throw(/data is not even-length/);
    expect(() => signTx(key, { ...base, type: 1, data: "0x" })).to.throw(/type 1 is not supported/);
    expect(() => signTx(key, { ...base, type: 2, data: "0x", accessList: [{ address: base.to, storageKeys: [] }] })).to.throw(/access lists/);
  });
});
