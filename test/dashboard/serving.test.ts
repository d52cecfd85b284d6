/**
 * How the relayer serves the dashboard (src/relayer/http/dashboard.ts), without a browser: the
 * page and its assets at /dashboard/, security and cache headers, the 503 answer when it is not
 * built, DASHBOARD_DIR, and nothing of it in the OpenAPI document. Plus the build helper's
 * staleness check (dashboard/build.ts).
 */
import { expect } from "chai";
import Fastify, { type FastifyInstance } from "fastify";
import fs from "fs";
import net from "net";
import os from "os";
import path from "path";
import { dashboardIsStale } from "../../dashboard/build";
import { DASHBOARD_CSP, DEFAULT_DASHBOARD_DIR, dashboardDir, registerDashboard } from "../../src/relayer/http/dashboard";
import { installErrorHandling } from "../../src/relayer/http/errors";
import { registerOpenApi, registerOpenApiRoutes } from "../../src/relayer/http/openapi";

async function appServing(dir: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await registerOpenApi(app, { title: "test", version: "0.0.0" });
  installErrorHandling(app);
  await registerDashboard(app, { dir });
  await registerOpenApiRoutes(app);
  return app;
}

/**
 * One GET over a raw TCP socket, the target sent byte for byte: fetch, http clients and inject()
 * normalise `..` and `%2e%2e` segments before anything is sent, so only this reaches the router
 * the way an attacker's request does.
 */
function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!status) return reject(new Error(`no HTTP status line for ${target}: ${JSON.stringify(text.slice(0, 80))}`));
      resolve({ status: Number(status[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

describe("relayer: serving the dashboard at /dashboard/", () => {
  let built: string;
  let empty: string;

  before(() => {
    built = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-dist-"));
    fs.mkdirSync(path.join(built, "assets"));
    fs.writeFileSync(path.join(built, "index.html"), "<!doctype html><title>dashboard</title>");
    fs.writeFileSync(path.join(built, "assets", "index-abc123.js"), "console.log(1)");
    empty = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-empty-"));
  });
  after(() => {
    fs.rmSync(built, { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it("serves the page at /dashboard/ with a CSP that forbids framing", async () => {
    const app = await appServing(built);
    const res = await app.inject({ method: "GET", url: "/dashboard/" });
    expect(res.statusCode).to.equal(200);
    expect(res.headers["content-type"]).to.match(/^text\/html/);
    expect(res.body).to.contain("<title>dashboard</title>");
    expect(res.headers["content-security-policy"]).to.equal(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).to.contain("frame-ancestors 'none'");
    expect(res.headers["x-frame-options"]).to.equal("DENY");
    expect(res.headers["x-content-type-options"]).to.equal("nosniff");
    expect(res.headers["cache-control"]).to.equal("no-cache");
    await app.close();
  });

  it("redirects /dashboard to /dashboard/", async () => {
    const app = await appServing(built);
    const res = await app.inject({ method: "GET", url: "/dashboard" });
    expect(res.statusCode).to.equal(301);
    expect(res.headers.location).to.equal("/dashboard/");
    await app.close();
  });

  it("caches content-hashed assets for good", async () => {
    const app = await appServing(built);
    const res = await app.inject({ method: "GET", url: "/dashboard/assets/index-abc123.js" });
    expect(res.statusCode).to.equal(200);
    expect(res.headers["cache-control"]).to.equal("public, max-age=31536000, immutable");
    await app.close();
  });

  it("answers an unknown file with the JSON 404 and never leaves the directory", async () => {
    const app = await appServing(built);
    for (const url of ["/dashboard/assets/missing.js", "/dashboard/../package.json", "/dashboard/%2e%2e/package.json"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).to.be.oneOf([400, 403, 404]);
      expect(res.body, url).not.to.contain('"name": "accountconfig"');
    }
    const res = await app.inject({ method: "GET", url: "/dashboard/assets/missing.js" });
    expect(res.json()).to.include({ code: "RouteNotFound" });
    await app.close();
  });

  it("never serves a file outside the directory to a real socket (`..`, encoded and mixed variants)", async () => {
    // <tmp>/secret.txt beside <tmp>/dist (the served directory): what a traversal would reach.
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-traversal-"));
    const dist = path.join(parent, "dist");
    fs.mkdirSync(path.join(dist, "assets"), { recursive: true });
    fs.writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>dashboard</title>");
    fs.writeFileSync(path.join(dist, "assets", "app.js"), "console.log(1)");
    const SECRET = "secret-outside-the-dashboard-directory";
    fs.writeFileSync(path.join(parent, "secret.txt"), SECRET);
    const app = await appServing(dist);
    try {
      await app.listen({ host: "127.0.0.1", port: 0 });
      const { port } = app.server.address() as net.AddressInfo;
      // The raw client reaches the route (control): a file inside is served.
      const inside = await rawGet(port, "/dashboard/assets/app.js");
      expect(inside.status).to.equal(200);
      expect(inside.body).to.contain("console.log(1)");
      for (const target of [
        "/dashboard/../secret.txt",
        "/dashboard/assets/../../secret.txt",
        "/dashboard/%2e%2e/secret.txt",
        "/dashboard/%2E%2E/secret.txt",
        "/dashboard/.%2e/secret.txt",
        "/dashboard/%2e%2e%2fsecret.txt",
        "/dashboard/..%2fsecret.txt",
        "/dashboard/assets/..%2f..%2fsecret.txt",
        "/dashboard/..%5csecret.txt",
        "/dashboard/%252e%252e/secret.txt",
      ]) {
        const res = await rawGet(port, target);
        expect(res.status, target).to.be.oneOf([400, 403, 404]);
        expect(res.body, target).not.to.contain(SECRET);
      }
    } finally {
      await app.close();
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  it("answers 503 DashboardNotBuilt, saying how to build it, when the directory has no build", async () => {
    const app = await appServing(empty);
    for (const url of ["/dashboard", "/dashboard/", "/dashboard/assets/x.js"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).to.equal(503);
      const body = res.json() as { error: string; code: string };
      expect(body.code).to.equal("DashboardNotBuilt");
      expect(body.error).to.contain("npm run build:dashboard");
    }
    await app.close();
  });

  it("keeps the dashboard out of the OpenAPI document and GET / on Swagger UI", async () => {
    for (const dir of [built, empty]) {
      const app = await appServing(dir);
      const doc = (await app.inject({ method: "GET", url: "/core/v1/openapi.json" })).json() as { paths: object };
      expect(Object.keys(doc.paths).filter((p) => p.startsWith("/dashboard"))).to.deep.equal([]);
      const root = await app.inject({ method: "GET", url: "/" });
      expect(root.statusCode).to.equal(308);
      expect(root.headers.location).to.equal("/core/v1/swagger-ui/");
      await app.close();
    }
  });

  it("takes the directory from the option, else DASHBOARD_DIR, else dashboard/dist", () => {
    expect(dashboardDir({ dir: "/srv/ui" }, { DASHBOARD_DIR: "/elsewhere" })).to.equal(path.resolve("/srv/ui"));
    expect(dashboardDir({}, { DASHBOARD_DIR: "/elsewhere" })).to.equal(path.resolve("/elsewhere"));
    expect(dashboardDir({}, {})).to.equal(DEFAULT_DASHBOARD_DIR);
    expect(DEFAULT_DASHBOARD_DIR).to.equal(path.resolve(__dirname, "..", "..", "dashboard", "dist"));
  });

  it("rebuilds only when the build is missing or older than a source", () => {
    expect(dashboardIsStale(empty)).to.equal(true);
    const future = new Date(Date.now() + 3_600_000);
    fs.utimesSync(path.join(built, "index.html"), future, future);
    expect(dashboardIsStale(built)).to.equal(false);
    const past = new Date(0);
    fs.utimesSync(path.join(built, "index.html"), past, past);
    expect(dashboardIsStale(built)).to.equal(true);
  });
});
