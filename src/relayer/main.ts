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
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { Gauge, Registry } from "prom-client";
import { loadConfig, type RelayerConfig } from "./config";
import { startChain, type Chain, type ChainLogger, type ChainOptions, type PayerFunds, type RpcLike } from "./chain";
import { payerKeysOf } from "./payer-keys";
import { buildApp, type BuildAppOptions } from "./http";
import { createServicesFromConfig } from "./services";
import { SqlReplayStore, WALLET_SIGNATURE_MIGRATIONS } from "./store/replay-store";
import { RpcSignatureChecker } from "./chain/erc1271";
import { FreshIndexGate } from "./chain/fresh-index";
import {
  ACTION_CODE_MIGRATIONS,
  CODE_STORE_MIGRATIONS,
  SqlActionCodeStore,
  SqlUsageRecorder,
  openStore,
  type Store,
  type StoreOptions,
} from "./store";
import { closeSandbox, prepareSandbox } from "./lit-runtime/sandbox";
import { stopWhenParentGone } from "./parent-watch";
import { createBilling, pricingMismatches } from "./billing-setup";
import { DEV_PAYMENT_MIGRATIONS } from "./store/dev-intents";
import { LEDGER_MIGRATIONS } from "./store/ledger";
import { DEFAULT_ENV_FILE, applyEnvFile } from "./env-file";

export interface RelayerOptions {
  /** RPC access for tests (anything with `send`); default: config.rpcUrl. */
  provider?: RpcLike;
  /** First block to index (the diamond's deployment block). */
  startBlock?: number;
  /** Start listening on config.host:config.port. */
  listen?: boolean;
  /**
   * Rebuild the index from the start block before starting (CLI flag --reindex; docs/finality.md):
   * every index row, the undo journal and the cursor are dropped, and the indexer applies the
   * chain again from START_BLOCK.
   */
  reindex?: boolean;
  logger?: BuildAppOptions["logger"];
  /** Write tracing: each request's stage timing (http/write-trace.ts; the bench's BENCH_TRACE). Default off. */
  writeTraces?: BuildAppOptions["writeTraces"];
  /** Where the SQLite store's WAL checkpoints run (store/sqlite-db.ts; the bench's BENCH_SQLITE_CHECKPOINTS). */
  sqliteCheckpoints?: StoreOptions["sqliteCheckpoints"];
  /** Below which EWMA (ms) the SQLite store's WAL sync runs inline (store/wal-sync.ts; default 2, 0 = never; the bench's BENCH_SQLITE_WAL_INLINE_MS). */
  sqliteWalInlineSyncBelowMs?: StoreOptions["sqliteWalInlineSyncBelowMs"];
  /** Chain-layer tuning (poll interval, stuck timeout, ...). */
  chain?: Partial<Omit<ChainOptions, "provider" | "rpcUrl" | "rpcUrls" | "diamondAddress" | "payerKeys" | "adminPayerKey">>;
}

export interface Relayer {
  app: FastifyInstance;
  store: Store;
  chain: Chain;
  /** The fresh-index gate services wait on (docs/finality.md "Answers that follow the chain"). */
  freshIndex: FreshIndexGate;
  config: RelayerConfig;
  /** http://host:port when listening. */
  url: string | null;
  close(): Promise<void>;
}

/** The api payer keys of a configuration: given keys, or `count` keys derived from the root secret. */
export { payerKeysOf } from "./payer-keys";

/**
 * The chain layer's logger: lines logged before the HTTP app (and its logger) exists are kept and
 * written to the app's logger, under `component: "chain"`, once it is attached.
 */
class LateLogger implements ChainLogger {
  private target: FastifyBaseLogger | null = null;
  private readonly early: { level: keyof ChainLogger; fields: Record<string, unknown>; msg: string }[] = [];

  attach(log: FastifyBaseLogger): void {
    this.target = log.child({ component: "chain" });
    for (const e of this.early.splice(0)) this.target[e.level](e.fields, e.msg);
  }

  private write(level: keyof ChainLogger, fields: Record<string, unknown>, msg: string): void {
    if (this.target) this.target[level](fields, msg);
    else if (this.early.length < 1000) this.early.push({ level, fields, msg });
  }

  debug(fields: Record<string, unknown>, msg: string): void {
    this.write("debug", fields, msg);
  }
  info(fields: Record<string, unknown>, msg: string): void {
    this.write("info", fields, msg);
  }
  warn(fields: Record<string, unknown>, msg: string): void {
    this.write("warn", fields, msg);
  }
  error(fields: Record<string, unknown>, msg: string): void {
    this.write("error", fields, msg);
  }
}

export async function createRelayer(config: RelayerConfig, options: RelayerOptions = {}): Promise<Relayer> {
  const diamondAddress = config.chain.diamondAddress;
  if (!diamondAddress) throw new Error("DIAMOND_ADDRESS: required to start the relayer");
  const store = await openStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl ?? undefined,
    ...(options.sqliteCheckpoints === undefined ? {} : { sqliteCheckpoints: options.sqliteCheckpoints }),
    ...(options.sqliteWalInlineSyncBelowMs === undefined ? {} : { sqliteWalInlineSyncBelowMs: options.sqliteWalInlineSyncBelowMs }),
    migrations: [
      ...WALLET_SIGNATURE_MIGRATIONS,
      ...CODE_STORE_MIGRATIONS,
      ...ACTION_CODE_MIGRATIONS, // after CODE_STORE_MIGRATIONS: it keeps code in their lit_action_code table
      ...LEDGER_MIGRATIONS,
      ...DEV_PAYMENT_MIGRATIONS,
    ],
  });
  let chain: Chain | undefined;
  // The chain layer logs to the app's logger (unless the caller gives it one, or logs are off).
  const chainLog = options.logger === false || options.chain?.logger ? null : new LateLogger();
  try {
    const startBlock = options.startBlock ?? options.chain?.startBlock ?? config.chain.startBlock;
    if (options.reindex) await store.index.projection.reset(startBlock);
    const { payerKeys, adminPayerKey } = payerKeysOf(config);
    chain = await startChain(store, {
      batchMaxCalls: config.chain.batchMaxCalls,
      ...(config.chain.batchMaxInFlight === null ? {} : { batchMaxInFlight: config.chain.batchMaxInFlight }),
      batchMaxBytes: config.chain.batchMaxBytes,
      ...(config.chain.confirmationDepth === null ? {} : { confirmationDepth: config.chain.confirmationDepth }),
      ...(config.chain.reorgWindow === null ? {} : { reorgWindow: config.chain.reorgWindow }),
      writeConfirmations: config.chain.writeConfirmations,
      rpcTimeoutMs: config.chain.rpcTimeoutMs,
      ...(config.chain.maxFeePerGasWei === null ? {} : { maxFeePerGasWei: config.chain.maxFeePerGasWei }),
      payerCheckIntervalMs: config.chain.payerCheckIntervalMs,
      ...(config.chain.payerMinBalanceWei === null ? {} : { requiredPayerBalanceWei: config.chain.payerMinBalanceWei }),
      ...(chainLog ? { logger: chainLog } : {}),
      ...options.chain,
      ...(options.provider ? { provider: options.provider } : { rpcUrls: config.chain.rpcUrls }),
      diamondAddress,
      payerKeys,
      adminPayerKey,
      startBlock,
    });
    const billing = createBilling(config.billing, store.db);
    if (billing.service.enabled) await warnOnPricingMismatch(config, chain, options.logger);
    // Answers that depend on what a wallet writes on-chain itself wait for the index to reach the
    // head (docs/finality.md "Answers that follow the chain").
    const freshIndex = new FreshIndexGate(chain.rpc, chain.indexer, { timeoutMs: config.freshReads.timeoutMs });
    const services = createServicesFromConfig(config, {
      billing: billing.service,
      index: store.index,
      freshIndex,
      writer: chain.writes,
      signatureChecker: new RpcSignatureChecker(chain.rpc),
      replayStore: new SqlReplayStore(store.db),
      nodeConfiguration: async () =>
        Object.fromEntries((await store.index.nodeConfiguration()).map((e) => [e.key, e.value])),
      litActions: {
        ...config.litActions,
        // Code kept per account within a quota, anonymous code in a bounded, expiring cache.
        contentStore: new SqlActionCodeStore(store.db, config.codeStorage),
        usage: new SqlUsageRecorder(store.db),
      },
    });
    await prepareSandbox();
    const registry = new Registry();
    registerChainMetrics(registry, store, chain);
    registerFreshReadMetrics(registry, freshIndex);
    const liveChain = chain;
    const app = await buildApp({
      services,
      config,
      logger: options.logger,
      metricsRegistry: registry,
      ...(options.writeTraces ? { writeTraces: options.writeTraces } : {}),
      // payers: the payer check passed (writer/payer-check.ts): while it fails no write can succeed.
      health: async () => {
        const s = liveChain.status();
        return {
          // chain is also false once a reorg deeper than REORG_WINDOW stopped the index (it then refuses reads).
          chain: s.indexer.consecutiveFailures === 0 && s.indexer.lastError === null && s.indexer.halted === null,
          writer: s.writer.ready,
          payers: s.writer.payers?.ok === true,
        };
      },
      ready: async () => {
        const s = liveChain.status();
        return s.writer.ready && s.writer.payers?.ok === true && s.indexer.halted === null;
      },
    });
    chainLog?.attach(app.log);
    let url: string | null = null;
    if (options.listen) {
      await app.listen({ host: config.host, port: config.port });
      url = `http://${config.host}:${config.port}`;
    }
    return {
      app,
      store,
      chain,
      freshIndex,
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
 * Gauges for the backend: outbox in-flight transactions per payer, payer balances and what their
 * in-flight transactions may cost, a typical write's cost (L1 data fee included), nonce gaps
 * (pending minus mined nonce: transactions sent and not yet mined), reorged writes, RPC
 * endpoints, indexer lag.
 */
function registerChainMetrics(registry: Registry, store: Store, chain: Chain): void {
  // One funds() look-up serves the gauges of one scrape.
  let funds: { at: number; value: Promise<PayerFunds[] | null> } | null = null;
  const payerFunds = (): Promise<PayerFunds[] | null> => {
    if (!funds || Date.now() - funds.at > 1000) {
      funds = { at: Date.now(), value: chain.writer.funds().catch(() => null) };
    }
    return funds.value;
  };
  new Gauge({
    name: "relayer_payer_balance_wei",
    help: "Balance of each api payer (and the admin payer), in wei",
    labelNames: ["payer"],
    registers: [registry],
    async collect() {
      for (const f of (await payerFunds()) ?? []) this.set({ payer: f.payer }, Number(f.balance));
    },
  });
  new Gauge({
    name: "relayer_payer_reserved_wei",
    help: "What each payer's in-flight transactions may still cost (gas limit x fee cap + value + L1 data fee), in wei",
    labelNames: ["payer"],
    registers: [registry],
    async collect() {
      for (const f of (await payerFunds()) ?? []) this.set({ payer: f.payer }, Number(f.reserved));
    },
  });
  new Gauge({
    name: "relayer_write_cost_wei",
    help: "Most a typical write costs at the current fees (part total), and its L1 data fee (part l1; 0 off OP-stack chains), in wei",
    labelNames: ["part"],
    registers: [registry],
    async collect() {
      const f = (await payerFunds())?.[0];
      if (f?.writeCost != null) this.set({ part: "total" }, Number(f.writeCost));
      if (f?.writeL1Fee != null) this.set({ part: "l1" }, Number(f.writeL1Fee));
    },
  });
  new Gauge({
    name: "relayer_reorged_writes",
    help: "Mined writes a reorg dropped (rebroadcast or re-queued) or moved to another block, since start",
    labelNames: ["kind"],
    registers: [registry],
    collect() {
      const f = chain.status().writer.finality;
      this.set({ kind: "dropped" }, f.dropped);
      this.set({ kind: "moved" }, f.moved);
    },
  });
  new Gauge({
    name: "relayer_rpc_endpoint_up",
    help: "Per RPC endpoint (RPC_URLS): 1 when usable, 0 while set aside after a failure or rate limited",
    labelNames: ["endpoint"],
    registers: [registry],
    collect() {
      const rpc = chain.status().rpc;
      for (const e of rpc?.endpoints ?? []) this.set({ endpoint: e.name }, e.down || e.rateLimitedForMs > 0 ? 0 : 1);
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
  countersGauge(
    registry,
    "relayer_write_batching",
    "Write batching (batchCalls): calls sent alone, batch transactions, calls they carried, calls rejected by a batch pre-flight, calls retried alone; enabled is 1 or 0",
    () => {
      const b = chain.status().batches;
      return {
        single: b.single,
        batches: b.batches,
        batched_calls: b.batchedCalls,
        rejected: b.rejected,
        retried_alone: b.retriedAlone,
        enabled: b.enabled ? 1 : 0,
      };
    },
  );
  new Gauge({
    name: "relayer_indexer_lag_blocks",
    help: "Chain head minus the last indexed block",
    registers: [registry],
    collect() {
      const s = chain.status().indexer;
      this.set(s.headBlock === null ? 0 : Math.max(0, s.headBlock - s.indexedBlock));
    },
  });
  countersGauge(
    registry,
    "relayer_index_reorgs",
    "Index and reorgs: reorgs followed since start (followed), depth of the latest (last_depth), 1 while stopped on a reorg deeper than REORG_WINDOW (halted), blocks holding our receipts replaced before the index applied them (unapplied)",
    () => {
      const s = chain.status().indexer;
      return {
        followed: s.reorgs,
        last_depth: s.lastReorg?.depth ?? 0,
        halted: s.halted === null ? 0 : 1,
        unapplied: s.unappliedReorgs,
      };
    },
  );
  new Gauge({
    name: "relayer_indexed_block",
    help: "Last block whose events are applied",
    registers: [registry],
    async collect() {
      this.set(await store.index.indexedBlock());
    },
  });
}

/** Counters of the fresh-index gate: checks, shared head reads, waits for the indexer, 503s. */
function registerFreshReadMetrics(registry: Registry, gate: FreshIndexGate): void {
  countersGauge(
    registry,
    "relayer_fresh_reads",
    "Answers that waited for the index to reach the chain head, since start: checks, eth_blockNumber reads (shared), checks that waited for the indexer, checks answered 503 IndexBehindHead",
    () => {
      const s = gate.stats();
      return { checks: s.checks, head_reads: s.headReads, waits: s.waits, failures: s.failures };
    },
  );
}

/** A gauge of several counters read together at each scrape, one series per counter (label `counter`). */
function countersGauge(registry: Registry, name: string, help: string, read: () => Record<string, number>): void {
  new Gauge({
    name,
    help,
    labelNames: ["counter"],
    registers: [registry],
    collect() {
      for (const [counter, value] of Object.entries(read())) this.set({ counter }, value);
    },
  });
}

async function main(): Promise<void> {
  // Started by the bin: stop as well when the bin is gone, however it died (parent-watch.ts).
  // During start-up there is nothing to close yet: exit at once, as SIGTERM does then.
  let stop = (): void => process.exit(1);
  stopWhenParentGone(() => {
    console.error("relayer: the process that started it (accountconfig-relayer) is gone; stopping");
    stop();
  });
  const fromFile = applyEnvFile(process.env); // .env beside package.json; the shell's variables win
  if (fromFile.length > 0) console.log(`relayer: ${fromFile.length} setting(s) from ${DEFAULT_ENV_FILE}`);
  const { reindex } = cliOptions(process.argv.slice(2));
  if (reindex) console.log("relayer: --reindex: the index is rebuilt from the start block before the relayer starts");
  const relayer = await createRelayer(loadConfig(process.env), { listen: true, reindex });
  console.log(`relayer listening on ${relayer.url} (swagger UI: ${relayer.url}/core/v1/swagger-ui/)`);
  console.log(payerSummary(relayer));
  let closing = false;
  stop = () => {
    if (closing) return;
    closing = true;
    // The sandbox workers belong to the process (shared by every relayer in it): ended here, not by close().
    relayer.close().then(closeSandbox).then(
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

/**
 * The relayer process's command-line arguments (README "Rebuilding the index"): `--reindex` rebuilds
 * the index before starting. An unknown argument is refused, so a mistyped flag is not ignored.
 */
export function cliOptions(args: readonly string[]): { reindex: boolean } {
  const unknown = args.filter((a) => a !== "--reindex");
  if (unknown.length > 0) throw new Error(`relayer: unknown argument(s) ${unknown.join(" ")} (known: --reindex)`);
  return { reindex: args.includes("--reindex") };
}

/** One line for the operator at start-up: the payers, and whether writes are accepted (else why and the fix). */
export function payerSummary(relayer: Pick<Relayer, "chain">): string {
  const report = relayer.chain.status().writer.payers;
  const who = `api payers ${relayer.chain.payers.join(", ")}${relayer.chain.adminPayer ? `, admin payer ${relayer.chain.adminPayer}` : ""}`;
  if (report === null) return `${who}: not checked yet (the chain cannot be reached); GET /health reports payers once it can`;
  return report.ok ? `${who}: registered and funded, writes accepted` : `${who}: ${report.message}`;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
