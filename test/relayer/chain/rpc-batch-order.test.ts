/**
 * JSON-RPC batch answers may come back in any order (Hardhat's node among others; the JSON-RPC
 * 2.0 spec allows it) and may lack entries: the relayer's HttpRpc matches every answer to its call
 * by id, never by position, and FailoverRpc above it keeps that order. A local JSON-RPC server
 * answers each batch in an order the test chooses (reversed, or any permutation, some entries
 * left out).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import fc from "fast-check";
import { FailoverRpc, HttpRpc, RpcTransportError, sendAll, type RpcSettled } from "../../../src/relayer/chain";
import { seeded } from "../../fixtures/seed";

interface Req {
  id: number;
  method: string;
  params: unknown[];
}

/** How the server lays out a batch's answers: the permutation of entry indexes to answer (others left out). */
type Order = (n: number) => number[];

/** A JSON-RPC server whose answer to a call is "<method>:<params>", batches laid out by `order()`. */
async function server(order: () => Order) {
  const srv = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const parsed = JSON.parse(body) as Req | Req[];
      const answer = (r: Req) => ({ jsonrpc: "2.0", id: r.id, result: `${r.method}:${JSON.stringify(r.params)}` });
      const out = Array.isArray(parsed) ? order()(parsed.length).map((i) => answer(parsed[i])) : answer(parsed);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

const reversed: Order = (n) => Array.from({ length: n }, (_, i) => n - 1 - i);
const calls = (n: number) => Array.from({ length: n }, (_, i) => ({ method: `m${i}`, params: [i] }));
const expected = (n: number): RpcSettled[] => calls(n).map((c) => ({ ok: true, result: `${c.method}:${JSON.stringify(c.params)}` }));

describe("relayer chain: JSON-RPC batch answers in any order", function () {
  this.timeout(120_000);
  const open: { close(): Promise<void> | void }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });
  async function reversingClient(): Promise<HttpRpc> {
    const s = await server(() => reversed);
    const rpc = new HttpRpc(s.url);
    open.push(s, rpc);
    return rpc;
  }

  it("HttpRpc.sendBatch settles each call with its own answer when the batch comes back reversed", async () => {
    const rpc = await reversingClient();
    expect(await rpc.sendBatch(calls(5))).to.deep.equal(expected(5));
  });

  it("sendAll over HttpRpc keeps the calls' order with reversed answers, across the 50-call split", async () => {
    const rpc = await reversingClient();
    expect(await sendAll(rpc, calls(120))).to.deep.equal(expected(120));
  });

  it("FailoverRpc over HttpRpc keeps the calls' order with reversed answers", async () => {
    const rpc = await reversingClient();
    const failover = new FailoverRpc([{ name: "reversing", rpc }]);
    expect(await failover.sendBatch(calls(7))).to.deep.equal(expected(7));
  });

  it("concurrent batches on separate connections each get their own answers", async () => {
    const rpc = await reversingClient();
    const [a, b] = await Promise.all([rpc.sendBatch(calls(4)), rpc.sendBatch(calls(6))]);
    expect([a, b]).to.deep.equal([expected(4), expected(6)]);
  });

  it("any order, any entries missing: each call gets its answer by id, or 'no answer' (property)", async () => {
    let next: Order = reversed;
    const s = await server(() => next);
    const rpc = new HttpRpc(s.url);
    open.push(s, rpc);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: 0, maxLength: n })),
        ),
        async ([n, answered]) => {
          next = () => answered;
          const got = await rpc.sendBatch(calls(n));
          expect(got).to.have.length(n);
          got.forEach((r, i) => {
            if (answered.includes(i)) expect(r, `call ${i}`).to.deep.equal(expected(n)[i]);
            else {
              expect(r.ok, `call ${i}`).to.equal(false);
              const error = (r as { error: Error }).error;
              expect(error).to.be.instanceOf(RpcTransportError);
              expect(error.message).to.equal(`m${i}: no answer in the JSON-RPC batch`);
            }
          });
        },
      ),
      seeded(100),
    );
  });
});
