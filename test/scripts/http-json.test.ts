/**
 * The JSON-over-HTTP clients shared by the rehearsal scripts, the resilience tests and the
 * benchmarks' load generators (scripts/lib/http-json.ts), against a local node:http server on 127.0.0.1 that records what it
 * was sent and answers what each test sets.
 */
import { expect } from "chai";
import http from "http";
import type { AddressInfo } from "net";
import { requestJson, rpcCall, usageKeyBody } from "../../scripts/lib/http-json";

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The client's port: the same for requests on one kept-alive connection. */
  clientPort: number;
}

describe("JSON-over-HTTP clients (scripts/lib/http-json.ts)", () => {
  let server: http.Server;
  let base = "";
  let received: Received[] = [];
  let answer: { status: number; body: string; delayMs?: number } = { status: 200, body: "{}" };

  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, clientPort: req.socket.remotePort ?? 0 });
        const reply = () => {
          res.writeHead(answer.status, { "content-type": "application/json", "x-answer": "yes" });
          res.end(answer.body);
        };
        if (answer.delayMs) setTimeout(reply, answer.delayMs);
        else reply();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    received = [];
    answer = { status: 200, body: "{}" };
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("sends a POST body as JSON with content-type application/json and the given headers", async () => {
    await requestJson(`${base}/core/v1/add_group`, "POST", { headers: { "x-api-key": "k" }, body: { a: [1, 2] }, timeoutMs: 5000 });
    expect(received).to.have.length(1);
    expect(received[0].method).to.equal("POST");
    expect(received[0].url).to.equal("/core/v1/add_group");
    expect(received[0].headers["content-type"]).to.equal("application/json");
    expect(received[0].headers["x-api-key"]).to.equal("k");
    expect(JSON.parse(received[0].body)).to.deep.equal({ a: [1, 2] });
  });

  it("sends no body and no content-type when the body is undefined", async () => {
    await requestJson(`${base}/core/v1/list_groups`, "GET", { timeoutMs: 5000 });
    expect(received[0].method).to.equal("GET");
    expect(received[0].headers["content-type"]).to.equal(undefined);
    expect(received[0].body).to.equal("");
  });

  it("answers the status, the headers, the text and the parsed JSON", async () => {
    answer = { status: 409, body: '{"error":"conflict"}' };
    const reply = await requestJson(`${base}/x`, "GET", { timeoutMs: 5000 });
    expect(reply.status).to.equal(409);
    expect(reply.headers.get("x-answer")).to.equal("yes");
    expect(reply.text).to.equal('{"error":"conflict"}');
    expect(reply.json).to.deep.equal({ error: "conflict" });
  });

  it("keeps the text and leaves json undefined when the answer is not JSON", async () => {
    answer = { status: 502, body: "Bad Gateway" };
    const reply = await requestJson(`${base}/x`, "GET", { timeoutMs: 5000 });
    expect(reply.status).to.equal(502);
    expect(reply.text).to.equal("Bad Gateway");
    expect(reply.json).to.equal(undefined);
  });

  it("throws when the answer does not come within the timeout", async () => {
    answer = { status: 200, body: "{}", delayMs: 2000 };
    const err = await requestJson(`${base}/slow`, "GET", { timeoutMs: 50 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).name).to.match(/TimeoutError|AbortError/);
  });

  it("rpcCall posts a JSON-RPC 2.0 request and returns its result", async () => {
    answer = { status: 200, body: '{"jsonrpc":"2.0","id":1,"result":"0x7a69"}' };
    expect(await rpcCall(base, "eth_chainId")).to.equal("0x7a69");
    expect(JSON.parse(received[0].body)).to.deep.equal({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  });

  it("rpcCall throws a JSON-RPC error with the method name and the node's message", async () => {
    answer = { status: 200, body: '{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no such method"}}' };
    const err = await rpcCall(base, "evm_nothing", [1]).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as Error).message).to.equal("evm_nothing: no such method");
  });

  it("rpcCall throws, naming the method and the status, when the answer is not JSON", async () => {
    answer = { status: 503, body: "overloaded" };
    const err = await rpcCall(base, "eth_blockNumber").then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as Error).message).to.equal("eth_blockNumber: HTTP 503, not JSON: overloaded");
  });

  describe("with an agent (node:http instead of fetch)", () => {
    let agent: http.Agent;
    beforeEach(() => {
      agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    });
    afterEach(() => agent.destroy());

    it("sends a POST body as JSON with its content-type, length and the given headers", async () => {
      await requestJson(`${base}/core/v1/add_group`, "POST", { headers: { "x-api-key": "k" }, body: { a: [1, 2] }, timeoutMs: 5000, agent });
      expect(received[0].method).to.equal("POST");
      expect(received[0].url).to.equal("/core/v1/add_group");
      expect(received[0].headers["content-type"]).to.equal("application/json");
      expect(received[0].headers["content-length"]).to.equal(String(Buffer.byteLength('{"a":[1,2]}')));
      expect(received[0].headers["x-api-key"]).to.equal("k");
      expect(JSON.parse(received[0].body)).to.deep.equal({ a: [1, 2] });
    });

    it("answers the status, the headers, the text and the parsed JSON as fetch does", async () => {
      answer = { status: 409, body: '{"error":"conflict"}' };
      const reply = await requestJson(`${base}/x`, "GET", { timeoutMs: 5000, agent });
      expect(reply.status).to.equal(409);
      expect(reply.headers.get("x-answer")).to.equal("yes");
      expect(reply.text).to.equal('{"error":"conflict"}');
      expect(reply.json).to.deep.equal({ error: "conflict" });
    });

    it("sends sequential requests over one kept-alive connection", async () => {
      for (let i = 0; i < 3; i++) await requestJson(`${base}/x`, "POST", { body: { i }, timeoutMs: 5000, agent });
      expect(received.map((r) => r.clientPort)).to.deep.equal(Array(3).fill(received[0].clientPort));
    });

    it("throws when the answer does not come within the timeout", async () => {
      answer = { status: 200, body: "{}", delayMs: 2000 };
      const err = await requestJson(`${base}/slow`, "GET", { timeoutMs: 50, agent }).then(
        () => null,
        (e: unknown) => e,
      );
      expect((err as Error).message).to.match(/request timeout after 50 ms/);
    });
  });

  it("usageKeyBody grants no right but those given, under the given name and description", () => {
    expect(usageKeyBody({ execute_in_groups: [3], expiration: 9 }, "runner", "")).to.deep.equal({
      name: "runner",
      description: "",
      can_create_groups: false,
      can_delete_groups: false,
      can_create_pkps: false,
      manage_ipfs_ids_in_groups: [],
      add_pkp_to_groups: [],
      remove_pkp_from_groups: [],
      execute_in_groups: [3],
      expiration: 9,
    });
  });
});
