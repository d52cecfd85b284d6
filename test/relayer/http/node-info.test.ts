/** Public config endpoints, billing when off, OpenAPI, health, readiness and metrics. */
import { expect } from "chai";
import { hexlify } from "ethers";
import { Gauge } from "prom-client";
import { vectors as KEY_VECTORS } from "../../vectors/keys.json";
import { API_ENDPOINTS, bearer, DIAMOND, errorBody, get, makeApp, newAccount, ROOT_SECRET } from "./support";

describe("relayer http: node info and operations", () => {
  it("GET /get_node_chain_config: chain and diamond, no RPC URL", async () => {
    const { app } = await makeApp();
    const r = await get(app, "/get_node_chain_config");
    expect(r.statusCode).to.equal(200);
    expect(r.json()).to.deep.equal({
      chain_name: "localhost",
      chain_id: 31337,
      is_evm: true,
      testnet: true,
      token: "ETH",
      contract_address: DIAMOND,
    });
  });

  it("GET /get_chain_config_keys, /get_lit_action_client_config, /version", async () => {
    const { app } = await makeApp();
    expect((await get(app, "/get_chain_config_keys")).json()).to.deep.equal({ keys: ["localhost"] });
    const c = (await get(app, "/get_lit_action_client_config")).json() as Record<string, unknown>;
    expect(Object.keys(c).sort()).to.deep.equal(
      [
        "async_timeout_ms",
        "client_timeout_ms_buffer",
        "max_code_length",
        "max_console_log_length",
        "max_fetch_count",
        "max_get_keys_count",
        "max_response_length",
        "max_retries",
        "memory_limit_mb",
        "timeout_ms",
      ].sort(),
    );
    for (const v of Object.values(c)) expect(v).to.be.a("number");
    expect(c).to.include({
      timeout_ms: 900_000,
      memory_limit_mb: 64,
      max_code_length: 16 * 1024 * 1024,
      max_response_length: 102_400,
      max_fetch_count: 50,
    });
    expect((await get(app, "/version")).json()).to.deep.equal({
      name: "accountconfig-relayer",
      version: "0.1.0",
      commit_version: "abc123",
      submodule_versions: [],
    });
  });

  it("GET /get_api_payers and /get_admin_api_payer: the derived payer addresses (known-answer vectors)", async () => {
    const { app } = await makeApp();
    // Literal values (test/vectors/keys.json), not recomputed: a changed derivation fails here too.
    const vector = KEY_VECTORS.find((v) => v.root_secret === hexlify(ROOT_SECRET));
    expect(vector, "test/vectors/keys.json has the http tests' root secret").to.not.equal(undefined);
    const payers = (await get(app, "/get_api_payers")).json();
    expect(payers).to.deep.equal(vector!.payers.slice(0, 2).map((p) => p.address));
    const admin = await get(app, "/get_admin_api_payer");
    expect(admin.headers["content-type"]).to.match(/^application\/json/);
    expect(admin.json()).to.equal(vector!.admin_payer.address);
  });

  it("with billing off, the billing routes answer 404 BillingNotEnabled with the error body", async () => {
    const { app } = await makeApp();
    const { key } = await newAccount(app);
    const billing: [string, string, unknown][] = [
      ["GET", "/billing/stripe_config", undefined],
      ["GET", "/billing/balance", undefined],
      ["POST", "/billing/create_payment_intent", { amount_cents: 500 }],
      ["POST", "/billing/confirm_payment", { payment_intent_id: "pi_123" }],
    ];
    for (const [method, path, body] of billing) {
      const res = await app.inject({
        method: method as "GET" | "POST",
        url: `/core/v1${path}`,
        headers: { ...bearer(key), "content-type": "application/json" },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.statusCode, path).to.equal(404);
      expect(errorBody(res).code, path).to.equal("BillingNotEnabled");
      expect(errorBody(res).error, path).to.match(/billing not enabled/);
    }
  });

  it("the OpenAPI document lists every route with its method; / and /openapi.json redirect with 308", async () => {
    const { app } = await makeApp();
    const r = await app.inject({ method: "GET", url: "/core/v1/openapi.json" });
    expect(r.statusCode).to.equal(200);
    const doc = r.json() as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
    };
    expect(doc.openapi).to.match(/^3\./);
    const expected = API_ENDPOINTS;
    for (const [method, p] of expected) {
      const op = doc.paths[`/core/v1${p}`]?.[method.toLowerCase()];
      expect(op, `${method} ${p}`).to.not.equal(undefined);
    }
    for (const p of ["/health", "/ready", "/metrics"]) expect(doc.paths[p]?.get, p).to.not.equal(undefined);
    // Schemas are the validating ones: required request fields and documented error bodies.
    const addGroup = doc.paths["/core/v1/add_group"].post as unknown as {
      requestBody: { content: { "application/json": { schema: { required: string[] } } } };
      responses: Record<string, unknown>;
    };
    expect(addGroup.requestBody.content["application/json"].schema.required).to.include.members([
      "group_name",
      "group_description",
      "pkp_ids_permitted",
      "cid_hashes_permitted",
    ]);
    expect(Object.keys(addGroup.responses)).to.include.members(["200", "400", "401", "403", "404", "422", "429"]);
    expect(doc.paths["/core/v1/list_groups"].get.security).to.deep.equal([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect(doc.paths["/core/v1/new_account"].post.security).to.equal(undefined);

    const root = await app.inject({ method: "GET", url: "/" });
    expect(root.statusCode).to.equal(308);
    expect(root.headers.location).to.equal("/core/v1/swagger-ui/");
    const json = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(json.statusCode).to.equal(308);
    expect(json.headers.location).to.equal("/core/v1/openapi.json");
    const ui = await app.inject({ method: "GET", url: "/core/v1/swagger-ui/" });
    expect(ui.statusCode).to.equal(200);
    expect(ui.headers["content-type"]).to.match(/text\/html/);
  });

  it("GET /health reports component booleans (503 with Retry-After when one is down); GET /ready", async () => {
    const state = { chain: true, database: true, ready: true };
    const { app } = await makeApp({
      health: async () => ({ chain: state.chain, database: state.database }),
      ready: async () => state.ready,
    });
    const ok = await app.inject({ method: "GET", url: "/health" });
    expect(ok.statusCode).to.equal(200);
    expect(ok.json()).to.deep.equal({ status: "ok", components: { http: true, chain: true, database: true } });
    state.database = false;
    const down = await app.inject({ method: "GET", url: "/health" });
    expect(down.statusCode).to.equal(503);
    expect(down.headers["retry-after"]).to.equal("5");
    expect(down.json()).to.deep.equal({
      status: "unavailable",
      components: { http: true, chain: true, database: false },
    });
    expect((await app.inject({ method: "GET", url: "/ready" })).json()).to.deep.equal({ ready: true });
    state.ready = false;
    const notReady = await app.inject({ method: "GET", url: "/ready" });
    expect(notReady.statusCode).to.equal(503);
    const failing = await makeApp({
      health: async () => {
        throw new Error("db gone");
      },
      ready: async () => {
        throw new Error("x");
      },
    });
    expect((await failing.app.inject({ method: "GET", url: "/health" })).statusCode).to.equal(503);
    expect((await failing.app.inject({ method: "GET", url: "/ready" })).statusCode).to.equal(503);
  });

  it("GET /metrics counts requests by route pattern and status, and serves gauges the backend adds", async () => {
    const { app, registry } = await makeApp();
    const depth = new Gauge({ name: "relayer_outbox_depth", help: "pending outbox rows", registers: [registry] });
    depth.set(3);
    await get(app, "/version");
    await get(app, "/version");
    await get(app, "/list_groups?page_number=0&page_size=1");
    await get(app, "/no/such/route/123");
    const r = await app.inject({ method: "GET", url: "/metrics" });
    expect(r.statusCode).to.equal(200);
    expect(r.headers["content-type"]).to.match(/^text\/plain/);
    expect(r.body).to.contain('relayer_http_requests_total{route="/core/v1/version",method="GET",status="200"} 2');
    expect(r.body).to.contain('relayer_http_requests_total{route="/core/v1/list_groups",method="GET",status="401"} 1');
    expect(r.body).to.contain('relayer_http_requests_total{route="unmatched",method="GET",status="404"} 1');
    expect(r.body).to.not.contain("/no/such/route");
    expect(r.body).to.contain("relayer_http_request_duration_seconds_bucket");
    expect(r.body).to.contain("relayer_outbox_depth 3");
  });
});
