import { expect } from "chai";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { Client } from "pg";
import { PgBackends, withAppName } from "../../bench/scale/cpu";
import { SocketClient, requestBytes, type ProbeRequest } from "../../bench/scale/http-client";
import { PG_URL, skipWithoutPostgres } from "../relayer/support";

// The scale benchmark's lean probe client (bench/scale/http-client.ts) against a raw TCP server
// that answers each request with scripted bytes: Content-Length framing in any TCP split, keep-alive
// reuse, and a loud error for every answer it does not frame.

interface Raw {
  port: number;
  /** Request heads received, in order. */
  heads: string[];
  connections: number;
  /** Closes every connection the server holds (as a server's keep-alive timeout does). */
  dropAll(): void;
  close(): Promise<void>;
}

/** A server that answers each request (a head, plus its Content-Length of body) with `answer`'s pieces, written one by one. */
async function rawServer(answer: (head: string) => (string | Buffer)[]): Promise<Raw> {
  const sockets = new Set<net.Socket>();
  const raw = { heads: [] as string[], connections: 0 } as unknown as Raw;
  const server = net.createServer((s) => {
    raw.connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    let buf = "";
    s.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      for (;;) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buf.slice(0, end);
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.slice(end + 4 + len);
        raw.heads.push(head);
        const pieces = answer(head);
        void (async () => {
          for (const p of pieces) {
            s.write(p);
            await new Promise((r) => setTimeout(r, 2));
          }
        })();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  raw.port = (server.address() as AddressInfo).port;
  raw.dropAll = () => {
    for (const s of sockets) s.destroy();
  };
  raw.close = () => {
    raw.dropAll();
    return new Promise((r) => server.close(() => r()));
  };
  return raw;
}

const ok = (body: string): string => `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const GET: ProbeRequest = { method: "GET", url: "/core/v1/list_groups?page_number=0&page_size=100", key: "k1" };

describe("scale benchmark's lean probe client", function () {
  let raw: Raw | null = null;
  let client: SocketClient | null = null;
  afterEach(async () => {
    client?.close();
    await raw?.close();
    raw = client = null;
  });

  const failure = (p: Promise<unknown>): Promise<Error | null> =>
    p.then(
      () => null,
      (e: unknown) => e as Error,
    );

  it("serialises a POST with its Host, bearer key, JSON type and Content-Length of the UTF-8 body", () => {
    const bytes = requestBytes({ method: "POST", url: "/core/v1/add_group", key: "k", body: { n: "é" } }, "127.0.0.1", 80).toString("utf8");
    expect(bytes).to.equal(
      'POST /core/v1/add_group HTTP/1.1\r\nHost: 127.0.0.1:80\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"n":"é"}',
    );
  });

  it("refuses to serialise a key that is not printable ASCII rather than send it mangled", () => {
    expect(() => requestBytes({ ...GET, key: "clé" }, "127.0.0.1", 80)).to.throw(/not printable ASCII/);
  });

  it("reads an answer whose head and body arrive in several pieces, multi-byte characters split between them", async () => {
    const body = JSON.stringify({ name: "grüße" });
    const whole = Buffer.from(ok(body));
    const cut = whole.indexOf(Buffer.from("ü")) + 1; // inside the two bytes of ü
    raw = await rawServer(() => [whole.subarray(0, 20), whole.subarray(20, cut), whole.subarray(cut)]);
    client = new SocketClient(raw.port, 2);
    const a = await client.send(GET);
    expect(a.status).to.equal(200);
    expect(JSON.parse(a.body)).to.deep.equal({ name: "grüße" });
  });

  it("sends every request of a sequence over one kept-alive connection", async () => {
    raw = await rawServer(() => [ok("[]")]);
    client = new SocketClient(raw.port, 4);
    for (let i = 0; i < 5; i++) expect((await client.send(GET)).body).to.equal("[]");
    expect(raw.connections).to.equal(1);
    expect(raw.heads).to.have.length(5);
  });

  it("opens no more connections than its sockets when more sends are in flight", async () => {
    raw = await rawServer(() => [ok("1")]);
    client = new SocketClient(raw.port, 2);
    const c = client;
    const answers = await Promise.all(Array.from({ length: 6 }, () => c.send(GET)));
    expect(answers.map((a) => a.body)).to.deep.equal(["1", "1", "1", "1", "1", "1"]);
    expect(raw.connections).to.equal(2);
  });

  it("opens a new connection after the server closed an idle one", async () => {
    raw = await rawServer(() => [ok("1")]);
    client = new SocketClient(raw.port, 1);
    await client.send(GET);
    raw.dropAll();
    await new Promise((r) => setTimeout(r, 20));
    expect((await client.send(GET)).body).to.equal("1");
    expect(raw.connections).to.equal(2);
  });

  it("rejects a chunked answer, naming its Transfer-Encoding", async () => {
    raw = await rawServer(() => ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n"]);
    client = new SocketClient(raw.port, 1);
    expect((await failure(client.send(GET)))?.message).to.match(/Transfer-Encoding: chunked/);
  });

  it("rejects an answer without Content-Length", async () => {
    raw = await rawServer(() => ["HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n[]"]);
    client = new SocketClient(raw.port, 1);
    expect((await failure(client.send(GET)))?.message).to.match(/without Content-Length/);
  });

  it("rejects an answer that closes the connection", async () => {
    raw = await rawServer(() => ["HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"]);
    client = new SocketClient(raw.port, 1);
    expect((await failure(client.send(GET)))?.message).to.match(/Connection: close/);
  });

  it("rejects bytes beyond the answer's Content-Length", async () => {
    raw = await rawServer(() => [`${ok("[]")}extra`]);
    client = new SocketClient(raw.port, 1);
    expect((await failure(client.send(GET)))?.message).to.match(/5 bytes after an answer of Content-Length 2/);
  });

  it("rejects a request whose connection the server closes before answering", async () => {
    raw = await rawServer(() => []);
    const r = raw;
    client = new SocketClient(raw.port, 1);
    const sent = failure(client.send(GET));
    while (r.heads.length === 0) await new Promise((res) => setTimeout(res, 5));
    r.dropAll();
    expect((await sent)?.message).to.match(/closed the connection/);
  });
});

describe("scale benchmark's CPU meter of the relayer's Postgres backends", function () {
  before(async function () {
    await skipWithoutPostgres(this);
  });

  it("finds the backends by application_name and counts the CPU their queries spend", async () => {
    const name = `scale_meter_test_${process.pid}`;
    const other = new Client({ connectionString: PG_URL });
    const named = new Client({ connectionString: withAppName(PG_URL, name) });
    await other.connect();
    await named.connect();
    const backends = await PgBackends.open(PG_URL, name);
    try {
      const pid = (await named.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      const before = await backends.sample();
      expect([...before.keys()]).to.deep.equal([pid]);
      await named.query("SELECT count(*) FROM generate_series(1, 2000000)");
      await other.query("SELECT count(*) FROM generate_series(1, 2000000)");
      const after = await backends.sample();
      expect([...after.keys()]).to.deep.equal([pid]);
      // Two million rows take tens of ms of CPU on any machine; 1 ms leaves a wide margin.
      expect((after.get(pid) ?? 0) - (before.get(pid) ?? 0)).to.be.above(1000);
    } finally {
      await backends.close();
      await named.end();
      await other.end();
    }
  });
});
