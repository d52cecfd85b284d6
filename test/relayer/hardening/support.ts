/**
 * A real relayer (store, indexer, outbox writer, services, HTTP app) over the in-process Hardhat
 * chain, on SQLite (temp dir) or Postgres (PG_URL, a fresh schema dropped by `close()`), for the
 * hardening tests (issue 13: poison text, idempotent replays, code quota).
 */
import fs from "fs";
import os from "os";
import path from "path";
import { ethers } from "hardhat";
import { Client } from "pg";
import type { LightMyRequestResponse } from "fastify";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { loadConfig } from "../../../src/relayer/config";
import { createRelayer, type Relayer } from "../../../src/relayer/main";
import { setUpRelayerPayers } from "../../../scripts/lib/local-chain";
import { PG_URL, type BackendName } from "../support";

export { BACKENDS, skipUnlessAvailable, type BackendName } from "../support";

export interface RealRelayer {
  f: DiamondFixture;
  relayer: Relayer;
  backend: BackendName;
  /** app.inject with a JSON body (an object, or a raw string / Buffer sent as is). */
  call(
    method: "GET" | "POST",
    path: string,
    opts?: { key?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

const OPEN_LIMITS = {
  RATE_LIMIT_KEY_PER_MINUTE: "0",
  RATE_LIMIT_IP_PER_MINUTE: "0",
  RATE_LIMIT_NEW_ACCOUNT_PER_HOUR: "0",
};

let counter = 0;

async function pgSql(statement: string): Promise<void> {
  const c = new Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

/** Starts a relayer on `backend` with extra environment `env`. */
export async function startRelayerOn(backend: BackendName, env: Record<string, string> = {}): Promise<RealRelayer> {
  const f = await deployDiamond();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-hardening-"));
  let databaseUrl: string | undefined;
  let schema: string | undefined;
  if (backend === "postgres") {
    schema = `hardening_${process.pid}_${Date.now().toString(36)}_${++counter}`;
    await pgSql(`CREATE SCHEMA "${schema}"`);
    const url = new URL(PG_URL);
    url.searchParams.set("options", `-c search_path=${schema}`);
    databaseUrl = url.toString();
  }
  const config = loadConfig({
    DATA_DIR: dataDir,
    ROOT_SECRET: ethers.hexlify(ethers.randomBytes(32)),
    DIAMOND_ADDRESS: f.diamondAddress,
    CHAIN_ID: "31337",
    PAYER_COUNT: "2",
    LOG_LEVEL: "silent",
    ...OPEN_LIMITS,
    ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
    ...env,
  });
  await setUpRelayerPayers(f.owner, f.diamondAddress, config);
  const relayer = await createRelayer(config, {
    provider: ethers.provider,
    logger: false,
    // A write waits for the indexer: 20 s is far above a healthy write's time, and a stalled
    // indexer shows up as 503 within a test's budget.
    chain: { pollIntervalMs: 50, balanceCheckIntervalMs: 0, writeTimeoutMs: 20_000 },
  });
  return {
    f,
    relayer,
    backend,
    call: (method, url, opts = {}) =>
      relayer.app.inject({
        method,
        url: url.startsWith("/core/v1") ? url : `/core/v1${url}`,
        headers: {
          ...(opts.body !== undefined || opts.raw !== undefined ? { "content-type": "application/json" } : {}),
          ...(opts.key ? { "x-api-key": opts.key } : {}),
          ...(opts.headers ?? {}),
        },
        ...(opts.raw !== undefined ? { payload: opts.raw } : opts.body === undefined ? {} : { payload: JSON.stringify(opts.body) }),
      }),
    close: async () => {
      await relayer.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (schema !== undefined) await pgSql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

/** Creates an API-mode account; returns its key. */
export async function newAccount(r: RealRelayer, name = "acme"): Promise<string> {
  const res = await r.call("POST", "/new_account", { body: { account_name: name, account_description: "" } });
  if (res.statusCode !== 200) throw new Error(`new_account: ${res.statusCode} ${res.body}`);
  return (res.json() as { api_key: string }).api_key;
}

/** The §2 error body of a response (throws when it is not one). */
export function errorOf(res: LightMyRequestResponse): { error: string; code: string } {
  const body = res.json() as { error?: unknown; code?: unknown };
  if (typeof body.error !== "string" || typeof body.code !== "string") throw new Error(`not an error body: ${res.body}`);
  return { error: body.error, code: body.code };
}
