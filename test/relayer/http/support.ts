/** Builds an app over FakeChain for HTTP tests, with captured logs and helpers for common setups. */
import type { BillingService } from "../../../src/relayer/services";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { Registry } from "prom-client";
import type { RelayerConfig } from "../../../src/relayer/config";
import { buildApp, type BuildAppOptions, type HttpConfig } from "../../../src/relayer/http";
import { createServices, type RelayerServices } from "../../../src/relayer/services";
import { usageKeyBody, type UsageKeyPerms } from "../../../scripts/lib/http-json";
import { FakeChain } from "./fakes";

export { usageKeyBody, type UsageKeyPerms };

export const ROOT_SECRET = new Uint8Array(32).fill(7);
export const DIAMOND = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

export const OPEN_LIMITS: RelayerConfig["rateLimits"] = {
  perKey: { perSecond: 1e6, burst: 1e6 },
  perIp: { perSecond: 1e6, burst: 1e6 },
  newAccount: { perSecond: 1e6, burst: 1e6 },
};

export interface TestApp {
  app: FastifyInstance;
  chain: FakeChain;
  services: RelayerServices;
  logs: string[];
  registry: Registry;
  /** Unix seconds seen by the services (usage-key expiration). */
  clock: { now: number };
}

export interface TestAppOptions {
  config?: Partial<HttpConfig>;
  health?: BuildAppOptions["health"];
  ready?: BuildAppOptions["ready"];
  /** Rate-limiter clock in seconds. */
  limiterNow?: () => number;
  /** Billing (default: off). */
  billing?: BillingService;
  /** Write tracing sink (default: off). */
  writeTraces?: BuildAppOptions["writeTraces"];
  /** The app's logger (default: every line, trace level up, kept in `logs`). */
  logger?: BuildAppOptions["logger"];
}

export async function makeApp(options: TestAppOptions = {}): Promise<TestApp> {
  const chain = new FakeChain();
  const clock = { now: 1_750_000_000 };
  const services = createServices({
    index: chain,
    writer: chain,
    rootSecret: ROOT_SECRET,
    chain: { name: "localhost", chainId: 31337, testnet: true, token: "ETH", contractAddress: DIAMOND },
    build: { name: "accountconfig-relayer", version: "0.1.0", commit: "abc123" },
    payers: { count: 2, keys: [], adminKey: null },
    now: () => clock.now,
    billing: options.billing,
  });
  const logs: string[] = [];
  const registry = new Registry();
  const config: HttpConfig = {
    corsOrigins: ["https://dashboard.example"],
    rateLimits: OPEN_LIMITS,
    bodyLimitBytes: 10 * 1024 * 1024,
    trustProxy: false,
    logLevel: "debug",
    ...options.config,
  };
  const app = await buildApp({
    services,
    config,
    logger: options.logger ?? { level: "trace", destination: { write: (line: string) => void logs.push(line) } },
    health: options.health,
    ready: options.ready,
    metricsRegistry: registry,
    now: options.limiterNow,
    ...(options.writeTraces ? { writeTraces: options.writeTraces } : {}),
  });
  return { app, chain, services, logs, registry, clock };
}

export type Headers = Record<string, string>;
export const bearer = (key: string): Headers => ({ authorization: `Bearer ${key}` });

export async function post(
  app: FastifyInstance,
  path: string,
  body: unknown,
  headers: Headers = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: "POST",
    url: `/core/v1${path}`,
    payload: JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });
}

export async function get(app: FastifyInstance, path: string, headers: Headers = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: "GET", url: `/core/v1${path}`, headers });
}

/** Creates an account through the API; returns its key and wallet. */
export async function newAccount(app: FastifyInstance, name = "acme"): Promise<{ key: string; wallet: string }> {
  const r = await post(app, "/new_account", { account_name: name, account_description: "test account" });
  if (r.statusCode !== 200) throw new Error(`new_account: ${r.statusCode} ${r.body}`);
  const body = r.json() as { api_key: string; wallet_address: string };
  return { key: body.api_key, wallet: body.wallet_address };
}

/** Creates a usage key with `perms`; returns the key text. */
export async function usageKey(app: FastifyInstance, masterKey: string, perms: UsageKeyPerms = {}): Promise<string> {
  const r = await post(app, "/add_usage_api_key", usageKeyBody(perms), bearer(masterKey));
  if (r.statusCode !== 200) throw new Error(`add_usage_api_key: ${r.statusCode} ${r.body}`);
  return (r.json() as { usage_api_key: string }).usage_api_key;
}

/** Creates a group; returns its decimal id. */
export async function addGroup(
  app: FastifyInstance,
  key: string,
  pkps: string[] = [],
  cids: string[] = [],
): Promise<string> {
  const r = await post(
    app,
    "/add_group",
    { group_name: "g", group_description: "d", pkp_ids_permitted: pkps, cid_hashes_permitted: cids },
    bearer(key),
  );
  if (r.statusCode !== 200) throw new Error(`add_group: ${r.statusCode} ${r.body}`);
  return (r.json() as { group_id: string }).group_id;
}

export async function createWallet(app: FastifyInstance, key: string): Promise<string> {
  const r = await get(app, "/create_wallet", bearer(key));
  if (r.statusCode !== 200) throw new Error(`create_wallet: ${r.statusCode} ${r.body}`);
  return (r.json() as { wallet_address: string }).wallet_address;
}

export const CID = "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR";
export const CID_HASH = "0x8c4105ec0937f0fc27873d0af1dd93b35f6ee096ec93d173c629fb17c4abf22f";
export const CID2 = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH";

/** Asserts the §2 error body and returns it. */
export function errorBody(r: LightMyRequestResponse): { error: string; code: string; request_id: string } {
  const body = r.json() as { error: string; code: string; request_id: string };
  if (
    typeof body.error !== "string" ||
    typeof body.code !== "string" ||
    body.request_id !== r.headers["x-request-id"]
  ) {
    throw new Error(`not an error body: ${r.body}`);
  }
  return body;
}

/** Every API-mode endpoint of http-api.md §3 implemented by this layer. */
export const API_ENDPOINTS: [string, string][] = [
  ["POST", "/new_account"],
  ["GET", "/account_exists"],
  ["POST", "/add_usage_api_key"],
  ["POST", "/update_usage_api_key"],
  ["POST", "/update_usage_api_key_metadata"],
  ["POST", "/remove_usage_api_key"],
  ["GET", "/list_api_keys"],
  ["GET", "/create_wallet"],
  ["GET", "/list_wallets"],
  ["GET", "/list_wallets_in_group"],
  ["POST", "/add_group"],
  ["POST", "/update_group"],
  ["POST", "/remove_group"],
  ["GET", "/list_groups"],
  ["POST", "/add_action"],
  ["POST", "/delete_action"],
  ["POST", "/update_action_metadata"],
  ["POST", "/add_action_to_group"],
  ["POST", "/remove_action_from_group"],
  ["GET", "/list_actions"],
  ["POST", "/add_pkp_to_group"],
  ["POST", "/remove_pkp_from_group"],
  ["POST", "/get_lit_action_ipfs_id"],
  ["GET", "/get_node_chain_config"],
  ["GET", "/get_chain_config_keys"],
  ["GET", "/get_lit_action_client_config"],
  ["GET", "/get_api_payers"],
  ["GET", "/get_admin_api_payer"],
  ["GET", "/version"],
  ["POST", "/lit_action"],
  ["POST", "/create_wallet_with_signature"],
  ["POST", "/convert_to_chain_secured_account"],
  ["POST", "/add_usage_api_key_with_signature"],
  ["GET", "/billing/stripe_config"],
  ["GET", "/billing/balance"],
  ["POST", "/billing/create_payment_intent"],
  ["POST", "/billing/confirm_payment"],
];
