/** Shared helpers of the indexer tests: a fresh rebuild of the index from the chain, for comparison. */
import { HttpRpc, Indexer, type RpcLike } from "../../../src/relayer/chain";
import { makeStore, type TestStore } from "../support";
import fs from "fs";
import os from "os";
import path from "path";
import { ethers, network } from "hardhat";
import type { LightMyRequestResponse } from "fastify";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import type { RelayerConfig } from "../../../src/relayer/config";
import { createRelayer, type Relayer, type RelayerOptions } from "../../../src/relayer/main";
import type { ChainLogger } from "../../../src/relayer/chain";
import { setUpRelayerPayers } from "../../../scripts/lib/local-chain";
import { inProcessConfig } from "../e2e/relayer-harness";

/**
 * A second index built from `startBlock` to the chain's current head by its own Indexer, in a
 * fresh SQLite store (cleanup() it when done).
 */
export async function rebuildIndex(rpc: RpcLike | string, diamondAddress: string, startBlock: number): Promise<TestStore> {
  const client = typeof rpc === "string" ? new HttpRpc(rpc) : null;
  const source = client ?? (rpc as RpcLike);
  const ts = await makeStore("sqlite");
  try {
    const head = Number(await source.send("eth_blockNumber", []));
    const indexer = new Indexer(source, ts.store.index, { diamondAddress, startBlock, batchSize: 500 });
    const deadline = Date.now() + 120_000;
    while ((await ts.store.index.indexedBlock()) < head) {
      if (Date.now() > deadline) throw new Error(`rebuild did not reach block ${head}`);
      await indexer.catchUp();
    }
    return ts;
  } catch (err) {
    await ts.cleanup();
    throw err;
  } finally {
    client?.close();
  }
}

// ------------------------------------------------------------------ a relayer on the in-process chain

/** A ChainLogger that keeps every line (to look for the deeper-than-window error). */
export class CapturingLogger implements ChainLogger {
  readonly lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  debug(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: "debug", msg, fields });
  }
  info(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: "info", msg, fields });
  }
  warn(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: "warn", msg, fields });
  }
  error(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: "error", msg, fields });
  }
}

export interface LocalRelayer {
  f: DiamondFixture;
  config: RelayerConfig;
  dataDir: string;
  relayer: Relayer;
  log: CapturingLogger;
  call(method: "GET" | "POST", url: string, key?: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** Closes the relayer and starts it again on the same database (options: e.g. reindex). */
  restart(options?: Pick<RelayerOptions, "reindex">): Promise<Relayer>;
  close(): Promise<void>;
}

/** A relayer (SQLite) over the in-process Hardhat chain with a freshly deployed diamond. */
export async function startLocalRelayer(env: Record<string, string> = {}): Promise<LocalRelayer> {
  const f = await deployDiamond();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-indexer-"));
  const config = inProcessConfig(f, dataDir, env);
  await setUpRelayerPayers(f.owner, f.diamondAddress, config);
  const log = new CapturingLogger();
  const open = (options: Pick<RelayerOptions, "reindex"> = {}) =>
    createRelayer(config, {
      provider: ethers.provider,
      logger: false,
      chain: { pollIntervalMs: 50, balanceCheckIntervalMs: 0, logger: log },
      ...options,
    });
  const self: LocalRelayer = {
    f,
    config,
    dataDir,
    relayer: await open(),
    log,
    call: (method, url, key, body) =>
      self.relayer.app.inject({
        method,
        url,
        headers: key ? { "x-api-key": key } : {},
        ...(body === undefined ? {} : { payload: body as object }),
      }),
    restart: async (options = {}) => {
      await self.relayer.close();
      self.relayer = await open(options);
      return self.relayer;
    },
    close: async () => {
      await self.relayer.close().catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}

export async function mineBlocks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await network.provider.send("evm_mine", []);
}
