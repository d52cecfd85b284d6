/**
 * The relayer's composition root: store -> chain (indexer + outbox writer) -> services -> HTTP.
 *
 *   const relayer = await createRelayer(loadConfig(process.env), { listen: true });
 *   ...
 *   await relayer.close();
 *
 * Run directly (`node -r ts-node/register/transpile-only src/relayer/main.ts`) it loads the
 * configuration from the environment, listens on HOST:PORT and stops cleanly on SIGINT/SIGTERM.
 */
import type { FastifyInstance } from "fastify";
import { Gauge, Registry } from "prom-client";
import { adminPayerPrivateKey, payerPrivateKey } from "../core";
import { loadConfig, type RelayerConfig } from "./config";
import { startChain, type Chain, type ChainOptions, type RpcLike } from "./chain";
import { buildApp, type BuildAppOptions } from "./http";
import { createServicesFromConfig } from "./services";
import { SqlReplayStore, WALLET_SIGNATURE_MIGRATIONS } from "./services/wallet-signatures-replay";
import { RpcSignatureChecker } from "./chain/erc1271";
import { openStore, type Store } from "./store";
import { CODE_STORE_MIGRATIONS, SqlCodeStore } from "./actions/code-store";
import { prepareSandbox } from "./actions/sandbox";
import { SqlUsageRecorder } from "./actions/usage";
import { createBilling, pricingMismatches } from "./billing-setup";
import { DEV_PAYMENT_MIGRATIONS } from "./payments";
import { LEDGER_MIGRATIONS } from "./store/ledger";
import { DEFAULT_ENV_FILE, applyEnvFile } from "./env-file";

export interface RelayerOptions {
  /** RPC access for tests (anything with `send`); default: config.rpcUrl. */
  provider?: RpcLike;
  /** First block to index (the diamond's deployment block). */
  startBlock?: number;
  /** Start listening on config.host:config.port. */
  listen?: boolean;
  logger?: BuildAppOptions["logger"];
  /** Chain-layer tuning (poll interval, stuck timeout, ...). */
  chain?: Partial<Omit<ChainOptions, "provider" | "rpcUrl" | "diamondAddress" | "payerKeys" | "adminPayerKey">>;
}

export interface Relayer {
  app: FastifyInstance;
  store: Store;
  chain: Chain;
  config: RelayerConfig;
  /** http://host:port when listening. */
  url: string | null;
  close(): Promise<void>;
}

/** The api payer keys of a configuration: given keys, or `count` keys derived from the root secret. */
export function payerKeysOf(config: RelayerConfig): { payerKeys: string[]; adminPayerKey: string } {
  const payerKeys =
    config.payers.keys.length > 0
      ? [...config.payers.keys]
      : Array.from({ length: config.payers.count }, (_, i) => payerPrivateKey(config.rootSecret, i));
  return { payerKeys, adminPayerKey: config.payers.adminKey ?? adminPayerPrivateKey(config.rootSecret) };
}

export async function createRelayer(config: RelayerConfig, options: RelayerOptions = {}): Promise<Relayer> {
  const diamondAddress = config.chain.diamondAddress;
  if (!diamondAddress) throw new Error("DIAMOND_ADDRESS: required to start the relayer");
  const store = await openStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl ?? undefined,
    migrations: [...WALLET_SIGNATURE_MIGRATIONS, ...CODE_STORE_MIGRATIONS, ...LEDGER_MIGRATIONS, ...DEV_PAYMENT_MIGRATIONS],
  });
  let chain: Chain | undefined;
  try {
    const { payerKeys, adminPayerKey } = payerKeysOf(config);
    chain = await startChain(store, {
      batchMaxCalls: config.chain.batchMaxCalls,
      ...(config.chain.batchMaxInFlight === null ? {} : { batchMaxInFlight: config.chain.batchMaxInFlight }),
      ...options.chain,
      ...(options.provider ? { provider: options.provider } : { rpcUrl: config.chain.rpcUrl }),
      diamondAddress,
      payerKeys,
      adminPayerKey,
      startBlock: options.startBlock ?? options.chain?.startBlock,
    });
    const billing = createBilling(config.billing, store.db);
    if (billing.service.enabled) await warnOnPricingMismatch(config, chain, options.logger);
    const services = createServicesFromConfig(config, {
      billing: billing.service,
      index: store.index,
      writer: chain.writes,
      signatureChecker: new RpcSignatureChecker(chain.rpc),
      replayStore: new SqlReplayStore(store.db),
      nodeConfiguration: async () =>
        Object.fromEntries((await store.index.nodeConfiguration()).map((e) => [e.key, e.value])),
      litActions: {
        ...config.litActions,
        contentStore: new SqlCodeStore(store.db),
        usage: new SqlUsageRecorder(store.db),
      },
    });
    prepareSandbox();
    const registry = new Registry();
    registerChainMetrics(registry, store, chain);
    const liveChain = chain;
    const app = await buildApp({
      services,
      config,
      logger: options.logger,
      metricsRegistry: registry,
      health: async () => {
        const s = liveChain.status();
        return { chain: s.indexer.consecutiveFailures === 0 && s.indexer.lastError === null, writer: s.writer.ready };
      },
      ready: async () => liveChain.status().writer.ready,
    });
    let url: string | null = null;
    if (options.listen) {
      await app.listen({ host: config.host, port: config.port });
      url = `http://${config.host}:${config.port}`;
    }
    return {
      app,
      store,
      chain,
      config,
      url,
      close: async () => {
        await app.close();
        await services.litActions.flushUsage().catch(() => undefined);
        await liveChain.stop();
        await store.close();
      },
    };
  } catch (err) {
    await chain?.stop();
    await store.close();
    throw err;
  }
}

/** Logs (does not fail) when the diamond's published prices differ from the configured ones. */
async function warnOnPricingMismatch(config: RelayerConfig, chain: Chain, logger: RelayerOptions["logger"]): Promise<void> {
  if (logger === false || config.chain.diamondAddress === null) return;
  try {
    for (const m of await pricingMismatches(chain.rpc, config.chain.diamondAddress, config.billing.prices)) {
      console.warn(
        `billing: the diamond's price of item ${m.itemId} (${m.item}) is ${m.onChain}, the relayer charges ${m.configured} cents; ` +
          `publish it with: npx hardhat billing:set-pricing --item ${m.itemId} --price ${m.configured}`,
      );
    }
  } catch {
    // the chain is unreachable at start-up: the writer reports that on its own
  }
}

/** A gauge's collect() must not fail the scrape when the RPC is down: such samples are skipped. */
async function tryRpc(chain: Chain, method: string, params: unknown[]): Promise<bigint | null> {
  try {
    return BigInt(String(await chain.rpc.send(method, params)));
  } catch {
    return null;
  }
}

/**
 * Gauges for the backend: outbox in-flight transactions per payer, payer balances, nonce gaps
 * (pending minus mined nonce: transactions sent and not yet mined), indexer lag.
 */
function registerChainMetrics(registry: Registry, store: Store, chain: Chain): void {
  const payers = [...chain.payers, ...(chain.adminPayer ? [chain.adminPayer] : [])];
  new Gauge({
    name: "relayer_payer_balance_wei",
    help: "Balance of each api payer (and the admin payer), in wei",
    labelNames: ["payer"],
    registers: [registry],
    async collect() {
      for (const payer of payers) {
        const balance = await tryRpc(chain, "eth_getBalance", [payer, "latest"]);
        if (balance !== null) this.set({ payer }, Number(balance));
      }
    },
  });
  new Gauge({
    name: "relayer_payer_nonce_gap",
    help: "Pending minus mined transaction count of each api payer",
    labelNames: ["payer"],
    registers: [registry],
    async collect() {
      for (const payer of chain.payers) {
        const pending = await tryRpc(chain, "eth_getTransactionCount", [payer, "pending"]);
        const mined = await tryRpc(chain, "eth_getTransactionCount", [payer, "latest"]);
        if (pending !== null && mined !== null) this.set({ payer }, Number(pending - mined));
      }
    },
  });
  new Gauge({
    name: "relayer_outbox_in_flight",
    help: "Transactions sent or queued and not yet final, per payer",
    labelNames: ["payer"],
    registers: [registry],
    collect() {
      for (const [payer, n] of Object.entries(chain.status().writer.inFlight)) this.set({ payer }, n);
    },
  });
  new Gauge({
    name: "relayer_write_batching",
    help: "Write batching (batchCalls): calls sent alone, batch transactions, calls they carried, calls rejected by a batch pre-flight, calls retried alone; enabled is 1 or 0",
    labelNames: ["counter"],
    registers: [registry],
    collect() {
      const b = chain.status().batches;
      this.set({ counter: "single" }, b.single);
      this.set({ counter: "batches" }, b.batches);
      this.set({ counter: "batched_calls" }, b.batchedCalls);
      this.set({ counter: "rejected" }, b.rejected);
      this.set({ counter: "retried_alone" }, b.retriedAlone);
      this.set({ counter: "enabled" }, b.enabled ? 1 : 0);
    },
  });
  new Gauge({
    name: "relayer_indexer_lag_blocks",
    help: "Chain head minus the last indexed block",
    registers: [registry],
    collect() {
      const s = chain.status().indexer;
      this.set(s.headBlock === null ? 0 : Math.max(0, s.headBlock - s.indexedBlock));
    },
  });
  new Gauge({
    name: "relayer_indexed_block",
    help: "Last block whose events are applied",
    registers: [registry],
    async collect() {
      this.set(await store.index.indexedBlock());
    },
  });
}

async function main(): Promise<void> {
  const fromFile = applyEnvFile(process.env); // .env beside package.json; the shell's variables win
  if (fromFile.length > 0) console.log(`relayer: ${fromFile.length} setting(s) from ${DEFAULT_ENV_FILE}`);
  const relayer = await createRelayer(loadConfig(process.env), { listen: true });
  console.log(`relayer listening on ${relayer.url} (swagger UI: ${relayer.url}/core/v1/swagger-ui/)`);
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    relayer.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
