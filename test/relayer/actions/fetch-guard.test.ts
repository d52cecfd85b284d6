/**
 * fetch's SSRF guard: loopback, private, link-local/metadata, CGNAT and names resolving to them are
 * refused before any connection; the allow-list opens a local test server; redirects are re-checked;
 * bodies are size-limited and requests time out. Only 127.0.0.1 is ever contacted.
 */
import { expect } from "chai";
import * as http from "http";
import type { AddressInfo } from "net";
import { blockedReason, FetchBlockedError, guardedFetch } from "../../../src/relayer/actions/fetch-guard";

describe("lit actions: fetch SSRF guard", function () {
  this.timeout(30_000);
  let server: http.Server;
  let port: number;
  let connections = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/redirect-metadata") {
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
        res.end();
      } else if (req.url === "/redirect-local") {
        res.writeHead(302, { location: "/hello" });
        res.end();
      } else if (req.url === "/big") {
        res.end("z".repeat(5000));
      } else if (req.url === "/slow") {
        setTimeout(() => res.end("late"), 2000);
      } else {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          res.setHeader("content-type", "text/plain");
          res.end(`hello ${req.method} ${body}`);
        });
      }
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const opts = { allowList: [] as string[], timeoutMs: 5000, maxBytes: 1_000_000 };

  it("classifies non-public addresses", () => {
    for (const a of [
      "127.0.0.1",
      "127.8.9.10",
      "10.0.0.1",
      "10.255.255.255",
      "172.16.0.1",
      "172.31.255.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "100.127.255.254",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "fe80::1",
      "fd00:ec2::254",
      "fc00::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:169.254.169.254",
      "64:ff9b::a00:1",
    ]) {
      expect(blockedReason(a), a).to.not.equal(null);
    }
    for (const a of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111"]) {
      expect(blockedReason(a), a).to.equal(null);
    }
  });

  for (const url of [
    "http://127.0.0.1:PORT/",
    "http://10.1.2.3/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:PORT/",
    "http://100.64.1.1/",
    "http://localhost:PORT/",
    "http://0x7f000001:PORT/",
    "http://2130706433:PORT/",
  ]) {
    it(`blocks ${url} before connecting`, async () => {
      const before = connections;
      let error: unknown;
      try {
        await guardedFetch({ url: url.replace("PORT", String(port)) }, opts);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(FetchBlockedError);
      expect((error as Error).message).to.match(/^fetch blocked: .* resolves to .*not allow-listed$/);
      expect(connections).to.equal(before);
    });
  }

  it("blocks a host name that resolves to loopback (DNS checked, then the checked address is used)", async () => {
    const resolve = async () => [{ address: "127.0.0.1", family: 4 }];
    let error: unknown;
    try {
      await guardedFetch({ url: `http://rebind.example:${port}/` }, { ...opts, resolve });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal(
      "fetch blocked: rebind.example resolves to 127.0.0.1 (loopback address); not allow-listed",
    );
    // A name with one public and one private address is refused too.
    const mixed = async () => [
      { address: "8.8.8.8", family: 4 },
      { address: "10.0.0.1", family: 4 },
    ];
    error = undefined;
    try {
      await guardedFetch({ url: "http://mixed.example/" }, { ...opts, resolve: mixed });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(FetchBlockedError);
  });

  it("refuses other schemes", async () => {
    let error: unknown;
    try {
      await guardedFetch({ url: "file:///etc/passwd" }, opts);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(FetchBlockedError);
  });

  it("the allow-list opens a local server (by IP, CIDR or host name); redirects are re-checked", async () => {
    for (const allowList of [["127.0.0.1"], ["127.0.0.0/8"], ["localhost"]]) {
      const host = allowList[0] === "localhost" ? "localhost" : "127.0.0.1";
      const res = await guardedFetch(
        {
          url: `http://${host}:${port}/hello`,
          method: "POST",
          bodyBase64: Buffer.from("body").toString("base64"),
          headers: [["x-test", "1"]],
        },
        { ...opts, allowList, resolve: async () => [{ address: "127.0.0.1", family: 4 }] },
      );
      expect(res.status).to.equal(200);
      expect(Buffer.from(res.bodyBase64, "base64").toString()).to.equal("hello POST body");
      expect(res.headers).to.deep.include(["content-type", "text/plain"]);
    }
    const followed = await guardedFetch({ url: `http://127.0.0.1:${port}/redirect-local` }, { ...opts, allowList: ["127.0.0.1"] });
    expect(followed.redirected).to.equal(true);
    expect(Buffer.from(followed.bodyBase64, "base64").toString()).to.equal("hello GET ");
    let error: unknown;
    try {
      await guardedFetch({ url: `http://127.0.0.1:${port}/redirect-metadata` }, { ...opts, allowList: ["127.0.0.1"] });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.match(/^fetch blocked: 169\.254\.169\.254/);
  });

  it("limits the response size and times out", async () => {
    const allowList = ["127.0.0.1"];
    let error: unknown;
    try {
      await guardedFetch({ url: `http://127.0.0.1:${port}/big` }, { ...opts, allowList, maxBytes: 1000 });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal("fetch response exceeds max_fetch_response_length = 1000 bytes");
    error = undefined;
    const started = Date.now();
    try {
      await guardedFetch({ url: `http://127.0.0.1:${port}/slow` }, { ...opts, allowList, timeoutMs: 300 });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal("fetch timed out after 300 ms");
    expect(Date.now() - started).to.be.lessThan(1500);
  });
});
