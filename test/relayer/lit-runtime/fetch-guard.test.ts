/**
 * fetch's SSRF guard: loopback, private, link-local/metadata, CGNAT and names resolving to them are
 * refused before any connection; the allow-list opens a local test server; redirects are re-checked;
 * bodies are size-limited and requests time out. Only 127.0.0.1 is ever contacted.
 */
import { expect } from "chai";
import fc from "fast-check";
import * as http from "http";
import type { AddressInfo } from "net";
import { blockedReason, FetchBlockedError, guardedFetch } from "../../../src/relayer/lit-runtime/fetch-guard";

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

  it("treats IPv4-compatible, translated, NAT64 and 6to4 forms like the IPv4 address they embed", () => {
    // Each of these reaches (or is routed to) a non-public IPv4 address; all were classified public.
    for (const a of [
      "::7f00:1", // [::127.0.0.1] as URL parsing normalises it
      "::127.0.0.1",
      "::a9fe:a9fe", // ::169.254.169.254
      "::ffff:0:a00:1", // ::ffff:0:10.0.0.1 (IPv4-translated)
      "::ffff:0:127.0.0.1",
      "64:ff9b::7f00:1", // NAT64 of 127.0.0.1
      "64:ff9b::192.168.0.1",
      "2002:7f00:1::", // 6to4 of 127.0.0.1
      "2002:a9fe:a9fe:1::1", // 6to4 of 169.254.169.254
      "2001:0:4136:e378:8000:63bf:ffff:fffe", // Teredo, client 0.0.0.1 (obfuscated)
      "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo, client 192.0.2.45 (RFC 4380 example)
    ]) {
      expect(blockedReason(a), a).to.not.equal(null);
    }
    expect(blockedReason("::7f00:1")).to.equal("loopback address (127.0.0.1 embedded in an IPv4-compatible IPv6 address)");
    expect(blockedReason("2002:7f00:1::")).to.equal("loopback address (127.0.0.1 embedded in a 6to4 IPv6 address)");
    // The same forms around a public address stay public.
    for (const a of ["::808:808", "::ffff:0:808:808", "64:ff9b::8.8.8.8", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f7"]) {
      expect(blockedReason(a), a).to.equal(null);
    }
  });

  it("classifies every textual IPv6 form that embeds an IPv4 address exactly like that address (property)", () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    // Addresses near the blocked ranges are drawn more often than uniform sampling would.
    const interesting = fc.oneof(
      ipv4,
      fc.tuple(fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 240, 255), fc.nat(255), fc.nat(255), fc.nat(255)),
    );
    const form = fc.constantFrom("compatible", "mapped", "translated", "nat64", "6to4", "teredo");
    const style = fc.record({
      dotted: fc.boolean(),
      upper: fc.boolean(),
      expanded: fc.boolean(),
      leadingZeros: fc.boolean(),
      viaUrl: fc.boolean(),
    });
    fc.assert(
      fc.property(interesting, form, style, (octets, f, st) => {
        const v4 = octets.join(".");
        const text = embed(octets, f, st);
        const expected = blockedReason(v4);
        const got = blockedReason(text);
        expect(got === null, `${text} (${f} of ${v4}): ${got} vs ${expected}`).to.equal(expected === null);
        // "::" and "::1" are named as the IPv6 unspecified and loopback addresses they also are.
        const special = f === "compatible" && octets.slice(0, 3).every((o) => o === 0) && octets[3] <= 1;
        if (expected !== null && !special) expect(got, text).to.contain(expected);
      }),
      { seed: 1311, numRuns: 1000 },
    );
  });

  for (const url of [
    "http://127.0.0.1:PORT/",
    "http://10.1.2.3/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:PORT/",
    "http://[::127.0.0.1]:PORT/",
    "http://[::ffff:0:127.0.0.1]:PORT/",
    "http://[64:ff9b::127.0.0.1]:PORT/",
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
          body: Buffer.from("body"),
          headers: [["x-test", "1"]],
        },
        { ...opts, allowList, resolve: async () => [{ address: "127.0.0.1", family: 4 }] },
      );
      expect(res.status).to.equal(200);
      expect(Buffer.from(res.body).toString()).to.equal("hello POST body");
      expect(res.headers).to.deep.include(["content-type", "text/plain"]);
    }
    const followed = await guardedFetch({ url: `http://127.0.0.1:${port}/redirect-local` }, { ...opts, allowList: ["127.0.0.1"] });
    expect(followed.redirected).to.equal(true);
    expect(Buffer.from(followed.body).toString()).to.equal("hello GET ");
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

/** `octets` written as an IPv6 address of the given embedding form, in one of its many spellings. */
function embed(
  octets: number[],
  form: string,
  st: { dotted: boolean; upper: boolean; expanded: boolean; leadingZeros: boolean; viaUrl: boolean },
): string {
  const [a, b, c, d] = octets;
  const hi = (a << 8) | b;
  const lo = (c << 8) | d;
  let groups: number[];
  let tailDotted = st.dotted;
  switch (form) {
    case "compatible":
      groups = [0, 0, 0, 0, 0, 0, hi, lo];
      break;
    case "mapped":
      groups = [0, 0, 0, 0, 0, 0xffff, hi, lo];
      break;
    case "translated":
      groups = [0, 0, 0, 0, 0xffff, 0, hi, lo];
      break;
    case "nat64":
      groups = [0x64, 0xff9b, 0, 0, 0, 0, hi, lo];
      break;
    case "6to4":
      groups = [0x2002, hi, lo, 0x1234, 0, 0, 0, 1];
      tailDotted = false;
      break;
    default: // Teredo: server 65.54.227.120, client address and port obfuscated (bits inverted)
      groups = [0x2001, 0, 0x4136, 0xe378, 0x8000, 0x63bf, hi ^ 0xffff, lo ^ 0xffff];
      tailDotted = false;
  }
  const hex = (g: number) => (st.leadingZeros ? g.toString(16).padStart(4, "0") : g.toString(16));
  const head = (tailDotted ? groups.slice(0, 6) : groups).map(hex);
  const tail = tailDotted ? [`${a}.${b}.${c}.${d}`] : [];
  let text: string;
  if (st.expanded) text = [...head, ...tail].join(":");
  else {
    // Compress the longest run of zero groups (in the hex head) with "::".
    let best = -1;
    let bestLen = 0;
    for (let i = 0; i < head.length; ) {
      let j = i;
      while (j < head.length && /^0+$/.test(head[j])) j++;
      if (j - i > bestLen) [best, bestLen] = [i, j - i];
      i = j === i ? i + 1 : j;
    }
    if (bestLen < 2) text = [...head, ...tail].join(":");
    else {
      const left = head.slice(0, best).join(":");
      const right = [...head.slice(best + bestLen), ...tail].join(":");
      text = `${left}::${right}`;
    }
  }
  if (st.upper) text = text.toUpperCase();
  if (st.viaUrl) text = new URL(`http://[${text}]/`).hostname.replace(/^\[|\]$/g, "");
  return text;
}
