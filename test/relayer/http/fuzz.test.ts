/**
 * Seeded fuzzing of every route with random and malformed bodies, headers and query strings:
 * client input must never produce a 5xx, every response
 * carries X-Request-Id, and every error is the §2 JSON body. FUZZ_SEED / FUZZ_RUNS override.
 * The second part sends text a database refuses (NULs, lone surrogates, invalid UTF-8 bytes) to a
 * real relayer on SQLite and on Postgres (FUZZ_DB_RUNS requests each).
 */
import { expect } from "chai";
import type { InjectOptions } from "fastify";
import { keccak256, solidityPackedKeccak256, toUtf8Bytes } from "ethers";
import { BACKENDS, skipUnlessAvailable, startRelayerOn, type RealRelayer } from "../hardening/support";
import {
  addGroup,
  API_ENDPOINTS,
  bearer,
  CID,
  CID_HASH,
  createWallet,
  errorBody,
  makeApp,
  newAccount,
  post,
  usageKey,
  usageKeyBody,
} from "./support";

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2024);
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

/** mulberry32: small, fast, seeded. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("relayer http: fuzz", function () {
  this.timeout(600_000);

  it(`${RUNS} random requests across all routes produce no 5xx (seed ${SEED})`, async () => {
    const { app, clock } = await makeApp();
    const { key: master, wallet } = await newAccount(app);
    const usageAll = await usageKey(app, master, {
      can_create_groups: true,
      can_delete_groups: true,
      can_create_pkps: true,
      manage_ipfs_ids_in_groups: [0],
      add_pkp_to_groups: [0],
      remove_pkp_from_groups: [0],
      execute_in_groups: [0],
    });
    const usageNone = await usageKey(app, master);
    const expired = await usageKey(app, master, { expiration: clock.now - 5 });
    await post(app, "/add_action", { action_ipfs_cid: CID, name: "a", description: "" }, bearer(master));
    const w2 = await createWallet(app, master);
    const group = Number(await addGroup(app, master, [wallet], [CID_HASH]));

    const r = rng(SEED);
    const int = (n: number) => Math.floor(r() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
    const chance = (p: number) => r() < p;

    const strings = [
      "",
      " ",
      "0",
      "1",
      "-1",
      "0x",
      "0x0",
      "0x1",
      "abc",
      CID,
      CID_HASH,
      wallet,
      w2,
      master,
      usageAll,
      "Qm",
      "null",
      "true",
      "x".repeat(129),
      "é".repeat(600),
      "\u0000",
      "\ud800",
      "😀".repeat(40),
      "1e400",
      "NaN",
      "Infinity",
      String(group),
      `0x${"f".repeat(64)}`,
      `0x${"0".repeat(64)}`,
      `0x${"f".repeat(65)}`,
      "0x0000000000000000000000000000000000000000",
      "<script>",
      "../../etc/passwd",
      "%zz",
      "a,b,c",
      keccak256(toUtf8Bytes(usageNone)),
    ];
    const numbers = [0, 1, -1, 1.5, group, 2 ** 53, 2 ** 53 - 1, 2 ** 64, -0, 1e308, 99, 3];
    const randomValue = (depth = 0): unknown => {
      switch (int(depth > 2 ? 4 : 7)) {
        case 0:
          return pick(strings);
        case 1:
          return pick(numbers);
        case 2:
          return chance(0.5);
        case 3:
          return null;
        case 4:
          return Array.from({ length: int(chance(0.1) ? 60 : 4) }, () => randomValue(depth + 1));
        case 5:
          return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(FIELDS), randomValue(depth + 1)]));
        default:
          return pick(strings);
      }
    };
    const FIELDS = [
      "account_name",
      "account_description",
      "email",
      "name",
      "description",
      "usage_api_key",
      "can_create_groups",
      "can_delete_groups",
      "can_create_pkps",
      "manage_ipfs_ids_in_groups",
      "add_pkp_to_groups",
      "remove_pkp_from_groups",
      "execute_in_groups",
      "expiration",
      "group_name",
      "group_description",
      "pkp_ids_permitted",
      "cid_hashes_permitted",
      "group_id",
      "action_ipfs_cid",
      "hashed_cid",
      "pkp_id",
      "__proto__",
      "constructor",
      "amount_cents",
    ];
    const templates: Record<string, () => Record<string, unknown>> = {
      "/new_account": () => ({ account_name: "n", account_description: "d" }),
      "/add_usage_api_key": () => usageKeyBody({ execute_in_groups: [group] }),
      "/update_usage_api_key": () => ({
        usage_api_key: pick([usageAll, usageNone, expired, "nope"]),
        ...usageKeyBody(),
      }),
      "/update_usage_api_key_metadata": () => ({
        usage_api_key: pick([usageAll, usageNone]),
        name: "n",
        description: "d",
      }),
      "/remove_usage_api_key": () => ({ usage_api_key: pick(["nope", expired]) }),
      "/add_group": () => ({
        group_name: "g",
        group_description: "d",
        pkp_ids_permitted: [wallet],
        cid_hashes_permitted: ["0"],
      }),
      "/update_group": () => ({
        group_id: group,
        name: "n",
        description: "d",
        pkp_ids_permitted: [w2],
        cid_hashes_permitted: [CID_HASH],
      }),
      "/remove_group": () => ({ group_id: String(pick([99, group + 1000])) }),
      "/add_action": () => ({ action_ipfs_cid: CID, name: "n", description: "d" }),
      "/delete_action": () => ({ hashed_cid: pick([CID_HASH, "5"]) }),
      "/update_action_metadata": () => ({ hashed_cid: CID_HASH, name: "n", description: "d" }),
      "/add_action_to_group": () => ({ group_id: group, action_ipfs_cid: CID }),
      "/remove_action_from_group": () => ({ group_id: group, hashed_cid: CID_HASH }),
      "/add_pkp_to_group": () => ({ group_id: group, pkp_id: w2 }),
      "/remove_pkp_from_group": () => ({ group_id: group, pkp_id: w2 }),
      "/get_lit_action_ipfs_id": () => "async function main() { return 1 }" as unknown as Record<string, unknown>,
    };
    const queries = ["page_number", "page_size", "group_id", "x"];
    const queryValues = [
      "0",
      "1",
      "10",
      "100",
      "101",
      "-1",
      "1.5",
      "abc",
      "",
      "9".repeat(30),
      "1e2",
      "%zz",
      "%00",
      "0x1",
      String(group),
      " 2 ",
    ];

    const routes: { method: string; path: string; }[] = [
      ...API_ENDPOINTS.map(([method, path]) => ({ method, path: `/core/v1${path}`, })),
      ...[
        "/health",
        "/ready",
        "/metrics",
        "/",
        "/openapi.json",
        "/core/v1/openapi.json",
        "/core/v1/nope",
        "/core/v1/",
        "/core/v1/list_groups/extra",
        "//core/v1/version",
        "/core/v1/%zz",
        "/core/v1/version%00",
      ].map((path) => ({ method: "GET", path, })),
    ];
    const authHeaders = (): Record<string, string> => {
      switch (int(10)) {
        case 0:
          return {};
        case 1:
          return bearer(master);
        case 2:
          return bearer(usageAll);
        case 3:
          return { "x-api-key": usageNone };
        case 4:
          return bearer(expired);
        case 5:
          return {
            authorization: pick(["Bearer", "Bearer  ", "Basic abc", "bearer x y z", "", "Bearer " + "k".repeat(5000)]),
          };
        case 6:
          return bearer(keccak256(toUtf8Bytes(master)));
        case 7:
          return {
            authorization: `Bearer ${master}`,
            "x-api-key": pick(strings.filter((s) => /^[\x20-\x7e]*$/.test(s))),
          };
        default:
          return bearer(pick([master, usageAll]));
      }
    };

    const statuses = new Map<number, number>();
    for (let i = 0; i < RUNS; i++) {
      const route = pick(routes);
      const method = chance(0.9) ? route.method : pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]);
      const headers: Record<string, string> = { ...authHeaders() };
      if (chance(0.3)) headers["x-correlation-id"] = pick(["c", "", " ", "x".repeat(300)]);
      if (chance(0.2)) headers["idempotency-key"] = pick(["k1", `k${int(5)}`, "", " ", "x".repeat(300), "a b", "\t"]);
      if (chance(0.1)) headers.origin = pick(["https://dashboard.example", "https://evil.example", "null"]);
      let url = route.path;
      if (method === "GET" || chance(0.1)) {
        const parts = Array.from({ length: int(5) }, () => `${pick(queries)}=${pick(queryValues)}`);
        if (chance(0.7)) parts.push("page_number=0", "page_size=5");
        if (parts.length > 0) url += `?${parts.join("&")}`;
      }
      const options: InjectOptions = { method: method as InjectOptions["method"], url, headers };
      if (method !== "GET" && method !== "HEAD" && method !== "OPTIONS") {
        let payload: string;
        const template = templates[route.path.replace("/core/v1", "")];
        const mode = int(10);
        if (mode < 4 && template !== undefined) {
          const body = template();
          if (typeof body === "object" && body !== null) {
            const keys = Object.keys(body);
            const k = pick(keys);
            if (chance(0.3)) delete body[k];
            else body[k] = randomValue();
            if (chance(0.2)) body[pick(FIELDS)] = randomValue();
          }
          payload = JSON.stringify(body);
        } else if (mode < 5 && template !== undefined) {
          payload = JSON.stringify(template());
        } else if (mode < 8) {
          payload = JSON.stringify(randomValue());
        } else {
          payload = pick([
            "{",
            "}",
            "[1,",
            '{"a":1}}',
            "\u0000",
            "nul",
            '{"__proto__":{"a":1}}',
            '{"constructor":{"prototype":{}}}',
            "1e999",
            '"unterminated',
            "{".repeat(2000),
            "[".repeat(5000) + "]".repeat(5000),
          ]);
        }
        options.payload = payload;
        headers["content-type"] = pick([
          "application/json",
          "application/json",
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "application/x-www-form-urlencoded",
          "application/octet-stream",
          "multipart/form-data; boundary=x",
        ]);
        if (chance(0.05)) delete headers["content-type"];
      }
      const res = await app.inject(options);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const context = `#${i} seed ${SEED}: ${method} ${url} ${JSON.stringify(headers).slice(0, 200)} ${String(options.payload).slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
      expect(res.statusCode, context).to.be.lessThan(500);
      expect(res.headers["x-request-id"], context).to.be.a("string");
      if (res.statusCode >= 400 && method !== "HEAD") {
        const body = res.json() as { error: unknown; code: unknown; request_id: unknown };
        expect(body.error, context).to.be.a("string");
        expect(body.code, context).to.be.a("string");
        expect(body.request_id, context).to.equal(res.headers["x-request-id"]);
      }
    }
    // The run exercised successes and every kind of client error.
    for (const s of [200, 400, 401, 403, 404, 422])
      expect(statuses.get(s) ?? 0, `status ${s} never seen: ${JSON.stringify([...statuses])}`).to.be.greaterThan(0);
  });
});

// ------------------------------------------------------------------ text a database refuses, on real databases

/**
 * The same rule on a real relayer (indexer, outbox writer, SQLite or Postgres): text fields get
 * NULs, lone surrogates and over-long / invalid UTF-8 byte sequences in the raw body, while a
 * ChainSecured wallet writes such names straight on-chain; no request may answer 5xx, and at the
 * end the indexer is healthy and a write still goes through (docs/relayer-untrusted-input.md).
 */
const DB_RUNS = Number(process.env.FUZZ_DB_RUNS ?? 400);

/** Byte sequences that are not UTF-8: over-long forms (of NUL, "/", U+FFFF), surrogates, stray bytes. */
const INVALID_UTF8: readonly number[][] = [
  [0xc0, 0x80],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0x80],
  [0xe0, 0x80, 0xaf],
  [0xf0, 0x80, 0x80, 0x80],
  [0xf0, 0x8f, 0xbf, 0xbf],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0x80],
  [0xbf],
  [0xff],
  [0xfe],
  [0xe2, 0x82],
  [0xc3],
];
const POISON_TEXT: readonly string[] = [
  "\u0000",
  "a\u0000",
  "\u0000b",
  "x\u0000y",
  "\ud800",
  "\udfff",
  "a\ud83d",
  "\ude00b",
  "\udc00\ud800",
  "\ud800\u0000",
];
const FINE_TEXT: readonly string[] = ["", "n", "\u0001\u001f", "\ufffd", "😀", "é".repeat(64), "\u2028\u2029", "\\u0000"];

for (const backend of BACKENDS) {
  describe(`relayer http: fuzz with text a database refuses (${backend}, real relayer)`, function () {
    this.timeout(600_000);
    let r: RealRelayer | null = null;

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
    });
    afterEach(async () => {
      await r?.close();
      r = null;
    });

    it(`${DB_RUNS} requests with NULs, lone surrogates and invalid UTF-8 answer no 5xx; the indexer keeps up (seed ${SEED})`, async () => {
      const relayer = await startRelayerOn(backend);
      r = relayer;
      const rand = rng(SEED ^ (backend === "sqlite" ? 0x51 : 0x96));
      const int = (n: number) => Math.floor(rand() * n);
      const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
      const chance = (p: number) => rand() < p;
      const key = await hardeningAccount(relayer);
      const text = () => (chance(0.35) ? pick(POISON_TEXT) : pick(FINE_TEXT)) + (chance(0.3) ? pick(FINE_TEXT) : "");

      // A ChainSecured wallet writes such names straight on-chain, around the HTTP traffic.
      const { diamond, users } = relayer.f;
      const wallet = users[5];
      const csMaster = solidityPackedKeccak256(["address"], [wallet.address]);
      await (await diamond.connect(wallet).newChainSecuredAccount("cs\u0000", "")).wait();
      const onChain = async (): Promise<void> => {
        const name = pick(POISON_TEXT.filter((t) => !/[\ud800-\udfff]/.test(t))) + pick(["", "n", "😀", "\ufffd"]);
        if (chance(0.5)) {
          await (await diamond.connect(wallet).addGroup(csMaster, name, name, [], [])).wait();
          return;
        }
        // Raw bytes too: a name that is not UTF-8 at all (the calldata's placeholder bytes patched).
        const bad = Buffer.from(pick(INVALID_UTF8));
        const placeholder = "#".repeat(bad.length);
        const data = diamond.interface.encodeFunctionData("addGroup", [csMaster, `g${placeholder}g`, "d", [], []]);
        const patched = data.replace(Buffer.from(`g${placeholder}g`).toString("hex"), `67${bad.toString("hex")}67`);
        await (await wallet.sendTransaction({ to: await diamond.getAddress(), data: patched })).wait();
      };

      const templates: Record<string, () => Record<string, unknown> | string> = {
        "/new_account": () => ({ account_name: text(), account_description: text(), email: text() }),
        "/add_group": () => ({ group_name: text(), group_description: text(), pkp_ids_permitted: [], cid_hashes_permitted: [] }),
        "/add_action": () => ({ action_ipfs_cid: chance(0.8) ? CID : text(), name: text(), description: text() }),
        "/add_usage_api_key": () => ({ ...usageKeyBody(), name: text(), description: text() }),
        "/get_lit_action_ipfs_id": () => `async function main() { return ${JSON.stringify(text())}; }`,
        "/lit_action": () => ({ code: `async function main(p) { return "${chance(0.5) ? text() : "ok"}"; }`, js_params: { s: text() } }),
        "/billing/create_payment_intent": () => ({ amount_cents: 500, note: text() }),
        "/convert_to_chain_secured_account": () => ({
          new_admin_wallet_address: text(),
          typed_data: { domain: { name: text(), version: "1", chainId: 31337 }, primaryType: text(), types: {}, message: {} },
          signature: "0x",
        }),
      };
      const paths = Object.keys(templates);
      const statuses = new Map<number, number>();
      for (let i = 0; i < DB_RUNS; i++) {
        if (i % 25 === 0) await onChain();
        const path = pick(paths);
        const body = templates[path]();
        let payload: Buffer;
        const json = JSON.stringify(body);
        if (chance(0.35)) {
          // Invalid bytes spliced into the raw body, inside a string value when there is one.
          const at = json.indexOf('":"') >= 0 && chance(0.8) ? json.indexOf('":"') + 3 : int(json.length + 1);
          payload = Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from(pick(INVALID_UTF8)), Buffer.from(json.slice(at))]);
        } else {
          payload = Buffer.from(json);
        }
        const contentType = pick(["application/json", "application/json; charset=utf-8", "text/plain"]);
        const res = await relayer.call("POST", path, {
          raw: payload,
          headers: { "content-type": contentType, ...(chance(0.85) ? { "x-api-key": key } : {}) },
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const context = `#${i} ${backend} seed ${SEED}: POST ${path} ${contentType} ${JSON.stringify(payload.toString("latin1").slice(0, 200))} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode, context).to.be.lessThan(500);
        if (res.statusCode >= 400) expect(errorBody(res).code, context).to.be.a("string");
      }
      // Reads of the poisoned account (the on-chain names) and a last write through the indexer.
      await onChain();
      const groups = await relayer.relayer.store.index.listGroups(csMaster, { pageNumber: 0, pageSize: 100 });
      expect(groups.length).to.be.greaterThan(0);
      for (const g of groups) expect(g.name).to.not.contain("\u0000");
      const last = await relayer.call("POST", "/add_group", {
        key,
        body: { group_name: "last", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
      });
      expect(last.statusCode, last.body).to.equal(200);
      const read = await relayer.call("GET", "/list_groups?page_number=0&page_size=100", { key });
      expect(read.statusCode).to.equal(200);
      expect(relayer.relayer.chain.status().indexer.consecutiveFailures).to.equal(0);
      // The run saw successes and text refused (400).
      for (const s of [200, 400])
        expect(statuses.get(s) ?? 0, `status ${s} never seen: ${JSON.stringify([...statuses])}`).to.be.greaterThan(0);
    });
  });
}

async function hardeningAccount(relayer: RealRelayer): Promise<string> {
  const res = await relayer.call("POST", "/new_account", { body: { account_name: "fuzz", account_description: "" } });
  if (res.statusCode !== 200) throw new Error(`new_account: ${res.statusCode} ${res.body}`);
  return (res.json() as { api_key: string }).api_key;
}
