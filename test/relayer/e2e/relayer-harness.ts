/**
 * A real relayer (SQLite store, indexer, outbox writer, services, HTTP app) over the in-process
 * Hardhat chain: deploys the diamond, registers and funds the relayer's derived api payers
 * (scripts/lib/local-chain; unless `registerPayers: false`), and exposes `call()` for app.inject requests.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { ethers } from "hardhat";
import type { LightMyRequestResponse } from "fastify";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { loadConfig, type RelayerConfig } from "../../../src/relayer/config";
import { createRelayer, type Relayer, type RelayerOptions } from "../../../src/relayer/main";
import { OPEN_RATE_LIMITS_ENV, setUpRelayerPayers } from "../../../scripts/lib/local-chain";

export interface Harness {
  f: DiamondFixture;
  relayer: Relayer;
  dataDir: string;
  call(method: "GET" | "POST", url: string, opts?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Register and fund the relayer's payers before it starts (default true). */
  registerPayers?: boolean;
  /** Chain-layer tuning on top of the harness's (worker and indexer poll 50 ms, no balance checks). */
  chain?: RelayerOptions["chain"];
  /** RPC access of the relayer (default: the in-process Hardhat provider). */
  provider?: RelayerOptions["provider"];
}

/**
 * The configuration of a test relayer over the in-process Hardhat chain (also the indexer tests',
 * test/relayer/indexer/support.ts): the diamond of `f`, 2 payers, silent logs, open rate limits.
 */
export function inProcessConfig(f: DiamondFixture, dataDir: string, env: Record<string, string> = {}): RelayerConfig {
  return loadConfig({
    DATA_DIR: dataDir,
    ROOT_SECRET: ethers.hexlify(ethers.randomBytes(32)),
    DIAMOND_ADDRESS: f.diamondAddress,
    CHAIN_ID: "31337",
    PAYER_COUNT: "2",
    LOG_LEVEL: "silent",
    ...OPEN_RATE_LIMITS_ENV,
    ...env,
  });
}

export async function startHarness(env: Record<string, string> = {}, opts: HarnessOptions = {}): Promise<Harness> {
  const f = await deployDiamond();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-e2e-"));
  const config = inProcessConfig(f, dataDir, env);
  if (opts.registerPayers ?? true) await setUpRelayerPayers(f.owner, f.diamondAddress, config);
  const relayer = await createRelayer(config, {
    provider: opts.provider ?? ethers.provider,
    logger: false,
    chain: { pollIntervalMs: 50, balanceCheckIntervalMs: 0, ...opts.chain },
  });
  return {
    f,
    relayer,
    dataDir,
    call: (method, url, opts = {}) =>
      relayer.app.inject({
        method,
        url,
        headers: { ...(opts.key ? { "x-api-key": opts.key } : {}), ...(opts.headers ?? {}) },
        ...(opts.body === undefined ? {} : { payload: opts.body as object }),
      }),
    close: async () => {
      await relayer.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
