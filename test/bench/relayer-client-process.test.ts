/**
 * bench:relayer's client process (bench/relayer/client-process.ts): the HTTP clients of the relayer
 * runs in a process of their own, sent jobs over IPC. Forked here against a tiny node:http server
 * that answers add_group's shape (docs/http-api.md "add_group"): the figures it reports, a refused
 * answer counted as a failure, and a crash failing the job instead of hanging.
 */
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startClientProcess, type ClientJob, type ClientProcess } from "../../bench/relayer/client-process";

const API_KEY = "test-key";

/** What the server saw: the group names posted with the right key. */
interface Seen {
  names: string[];
}

/**
 * add_group's answer for requests carrying API_KEY (200, success, a group_id), 403 for any other
 * key, and no answer at all for a group named "hang" (the request is held open).
 */
function startServer(seen: Seen): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { group_name?: string };
      if (body.group_name?.startsWith("hang")) return; // never answered
      const json =
        req.headers["x-api-key"] === API_KEY && req.url === "/core/v1/add_group"
          ? { status: 200, body: { success: true, group_id: `0x${seen.names.push(body.group_name ?? "").toString(16)}` } }
          : { status: 403, body: { success: false, error: "api key refused" } };
      const text = JSON.stringify(json.body);
      res.writeHead(json.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/core/v1/add_group` })),
  );
}

describe("bench:relayer client process (bench/relayer/client-process.ts)", function () {
  this.timeout(60_000);
  const seen: Seen = { names: [] };
  let server: http.Server;
  let url = "";
  let clients: ClientProcess;

  before(async () => {
    ({ server, url } = await startServer(seen));
    clients = await startClientProcess();
  });

  after(async () => {
    await clients?.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const job = (over: Partial<ClientJob> = {}): ClientJob => ({ url, apiKey: API_KEY, count: 12, concurrency: 3, namePrefix: "g-", offset: 5, ...over });

  it("reports each write's latency, the ok count, its wall time and its own CPU time for a job", async () => {
    seen.names = [];
    const report = await clients.run(job());
    expect(report.failures).to.deep.equal([]);
    expect(report.ok).to.equal(12);
    expect(report.latencies).to.have.length(12);
    for (const ms of report.latencies) expect(ms).to.be.above(0).and.at.most(report.wallMs);
    expect(report.cpuMs, "the client process's own CPU time").to.be.above(0);
    expect([...seen.names].sort()).to.deep.equal(Array.from({ length: 12 }, (_, i) => `g-${5 + i}`).sort());
  });

  it("counts a refused answer as a failure with its status and body", async () => {
    const report = await clients.run(job({ apiKey: "wrong-key", count: 4 }));
    expect(report.ok).to.equal(0);
    expect(report.latencies).to.deep.equal([]);
    expect(report.failures).to.have.length(4);
    for (const f of report.failures) expect(f).to.match(/^HTTP 403: .*api key refused/);
  });

  it("fails the job with a clear error when the process dies during it, and every later job too", async () => {
    const doomed = await startClientProcess();
    const pending = doomed.run(job({ namePrefix: "hang-", count: 2, concurrency: 2 }));
    // Killed from outside while its requests wait for an answer that never comes.
    process.kill(doomed.pid ?? 0, "SIGKILL");
    let err: unknown;
    await pending.catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/client process .* exited with SIGKILL/);
    let later: unknown;
    await doomed.run(job()).catch((e: unknown) => (later = e));
    expect(String(later)).to.match(/exited with SIGKILL/);
  });
});
