/**
 * The relayer side of the relayer write benchmark (bench/relayer.ts): a real relayer
 * (createRelayer, listening on a free port, its JSON-RPC counted below the FailoverRpc) started,
 * checked ready and warmed up, then measured once per concurrency: HTTP clients posting
 * /core/v1/add_group from the client process (client-process.ts: a process of their own, so that
 * this process holds the relayer alone), a write's latency until the response (mined and
 * indexed), with the outbox, batching and chain-layer log accounting of each run.
 */
import type { RpcDeployment } from "../../scripts/lib/local-chain";
import { apiKeyTextHash } from "../../src/core/hashing";
import type { loadConfig } from "../../src/relayer/config";
import { createRelayer, type Relayer } from "../../src/relayer/main";
import { SqliteDb } from "../../src/relayer/store";
import { FailoverRpc, HttpRpc, type ChainLogger, type RpcLike } from "../../src/relayer/chain";
import { startProfile } from "./cpu-profile";
import type { ClientProcess } from "./client-process";
import { NONCE_RE, hexNum, sleep } from "./helpers";
import { post } from "./http-client";
import { checkNonces, nonceMark } from "./nonces";
import type { RunResult } from "./results";
import { SETTINGS, writesAt } from "./settings";
import { callersLine, traceCollector, type TraceSink } from "./trace";
import { CountingRpc, measureFrom, sqlSnapshot } from "./usage";

/** Collects the chain layer's warnings and errors (the relayer's own logs are silent). */
function captureLogger(): ChainLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (fields: Record<string, unknown>, msg: string) => {
    lines.push(`${level}: ${msg} ${JSON.stringify(fields)}`);
  };
  return { lines, debug: () => undefined, info: () => undefined, warn: keep("warn"), error: keep("error") };
}

/**
 * Relayer: POST /core/v1/add_group at `concurrency` from the client process; latency = until the
 * HTTP response. The usage is this process's (the relayer) and the node's, with the client
 * process's CPU for the run (cpuClientsMs).
 */
async function runRelayer(
  relayer: Relayer,
  relayerRpc: CountingRpc,
  rpc: RpcLike,
  nodePid: number | undefined,
  clients: ClientProcess,
  apiKey: string,
  count: number,
  logger: { lines: string[] },
  concurrency: number,
  traces: TraceSink,
): Promise<RunResult> {
  const url = `${relayer.url}/core/v1/add_group`;
  const payers = relayer.chain.payers;
  const logsBefore = logger.lines.length;
  const rowsBefore = Math.max(0, ...(await relayer.store.outbox.list()).map((r) => r.id));
  const before = await nonceMark(rpc, payers);
  const usageOf = measureFrom(relayerRpc, nodePid);
  const callersBefore = relayerRpc.callerSnapshot();
  const sqlBefore = sqlSnapshot();
  const b0 = relayer.chain.status().batches;
  const walSyncs = (): { inline: number; pool: number; probes: number; ewma: number | null } | null => {
    const st = relayer.store.db instanceof SqliteDb ? relayer.store.db.walSyncStatus() : null;
    return st && { inline: st.inlineSyncs, pool: st.poolSyncs, probes: st.probes, ewma: st.inlineEwmaMs };
  };
  const wal0 = walSyncs();
  traces.collected = [];
  const { wallMs, latencies, failures, ok, cpuMs } = await clients.run({ url, apiKey, count, concurrency, namePrefix: "relayed-", offset: 0 });
  const nonceErrors = failures.filter((f) => NONCE_RE.test(f)).length;
  const usage = { ...usageOf(), cpuClientsMs: cpuMs };
  const byCaller = [...relayerRpc.callerSnapshot()].map(([k, n]): [string, number] => [k, n - (callersBefore.get(k) ?? 0)]);
  const rows = (await relayer.store.outbox.list()).filter((r) => r.id > rowsBefore);
  const check = await checkNonces(rpc, payers, before, rows.filter((r) => r.status === "mined").length);
  const newLogs = logger.lines.slice(logsBefore);
  const nonceLogs = newLogs.filter((l) => NONCE_RE.test(l));
  const b1 = relayer.chain.status().batches;
  const resigned = rows.filter((r) => r.attempts > 1).length;
  const fillers = rows.filter((r) => r.kind === "filler").length;
  const notMined = rows.filter((r) => r.status !== "mined").length;
  const batches = b1.batches - b0.batches;
  const batched = b1.batchedCalls - b0.batchedCalls;
  const extra = [
    `outbox rows (transactions) ${rows.length} for ${ok} writes, re-signed ${resigned}, fillers ${fillers}, not mined ${notMined}; ` +
      `chain-layer warnings/errors ${newLogs.length}`,
    `batching ${b1.enabled ? "on" : "off"}: ${batches} batch transactions carrying ${batched} writes` +
      (batches > 0 ? ` (mean ${(batched / batches).toFixed(1)})` : "") +
      `, ${b1.single - b0.single} writes alone, ${b1.rejected - b0.rejected} rejected by a batch pre-flight, ${b1.retriedAlone - b0.retriedAlone} retried alone, ` +
      `${b1.cachedGas - b0.cachedGas} batches sent from cached gas (no pre-flight)`,
    ...newLogs.slice(0, 5),
  ];
  const wal1 = walSyncs();
  if (wal0 && wal1) {
    extra.push(
      `SQLite WAL syncs in the run: ${wal1.inline - wal0.inline} inline (${wal1.probes - wal0.probes} of them probes), ` +
        `${wal1.pool - wal0.pool} on the thread pool; at the end: EWMA of inline syncs ${wal1.ewma === null ? "-" : `${wal1.ewma.toFixed(2)} ms`} ` +
        `(docs/relayer-latency.md, "Ninth pass")`,
    );
  }
  const sql = [...sqlSnapshot()].map(([k, n]): [string, number] => [k, n - (sqlBefore.get(k) ?? 0)]).filter(([, n]) => n > 0);
  if (sql.length > 0 && ok > 0) {
    sql.sort((a, b) => b[1] - a[1]);
    extra.push(`SQLite statements per write (BENCH_SQL): ${sql.map(([k, n]) => `${(n / ok).toFixed(2)} x ${k}`).join("; ")}`);
  }
  if (byCaller.length > 0) extra.push(`JSON-RPC calls per write by method <- caller (BENCH_TRACE): ${callersLine(byCaller, ok)}`);
  const collected = traces.collected;
  traces.collected = null;
  return {
    label: "relayer",
    concurrency,
    ...(SETTINGS.trace ? { traces: collected ?? [] } : {}),
    payers: payers.length,
    writes: count,
    ok,
    wallMs,
    latencies,
    failures,
    nonceErrors: nonceErrors + nonceLogs.length + fillers + check.errors,
    nonceNotes: [...check.notes, ...nonceLogs.slice(0, 5)],
    extra,
    usage,
  };
}

/**
 * One relayer started on config.dataDir, warmed up and measured at each of `concurrencies` (the
 * writes sent by `clients`), then closed.
 */
export async function runRelayerOnce(
  dep: RpcDeployment,
  rpc: CountingRpc,
  nodePid: number | undefined,
  clients: ClientProcess,
  config: ReturnType<typeof loadConfig>,
  payerCount: number,
  batchMaxCalls: number,
  concurrencies: readonly number[] = SETTINGS.concurrencies,
): Promise<RunResult[]> {
  const logger = captureLogger();
  const traces: TraceSink = { collected: null };
  // Exactly what RPC_URL gives the chain layer (an HttpRpc behind the FailoverRpc of RPC_URLS),
  // with a call counter between the two.
  const relayerRpc = new CountingRpc(new HttpRpc(config.chain.rpcUrl), SETTINGS.trace);
  let relayer: Relayer | undefined;
  try {
    relayer = await createRelayer(config, {
      provider: new FailoverRpc([{ name: "node", rpc: relayerRpc }]),
      listen: true,
      logger: false,
      ...(SETTINGS.trace ? { writeTraces: traceCollector(traces) } : {}),
      startBlock: dep.deployBlock,
      ...(SETTINGS.sqliteCheckpoints === undefined ? {} : { sqliteCheckpoints: SETTINGS.sqliteCheckpoints }),
      ...(SETTINGS.sqliteWalInlineMs === undefined ? {} : { sqliteWalInlineSyncBelowMs: SETTINGS.sqliteWalInlineMs }),
      chain: { pollIntervalMs: SETTINGS.pollIntervalMs, balanceCheckIntervalMs: 0, logger },
    });
    const deadline = Date.now() + 30_000;
    while (!relayer.chain.status().writer.ready) {
      if (Date.now() > deadline) throw new Error(`relayer writer not ready: ${relayer.chain.status().writer.lastError}`);
      await sleep(50);
    }
    await relayer.chain.indexer.syncTo(hexNum(await rpc.send("eth_blockNumber", [])));
    // The payer check must have passed (on a loaded machine its first look may have timed out).
    while ((await relayer.chain.writer.checkPayers())?.ok !== true) {
      if (Date.now() > deadline) throw new Error(`relayer payers not accepted: ${JSON.stringify(relayer.chain.status().writer.payers, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`);
      await sleep(200);
    }
    const account = await post(`${relayer.url}/core/v1/new_account`, { account_name: "relayer bench", account_description: "" });
    const apiKey = (account.body as { api_key?: unknown } | null)?.api_key;
    if (account.status !== 200 || typeof apiKey !== "string") throw new Error(`new_account: HTTP ${account.status} ${account.text}`);
    let expected = 0;
    if (SETTINGS.warmup > 0) {
      const w = await runRelayer(relayer, relayerRpc, rpc, nodePid, clients, apiKey, SETTINGS.warmup, logger, 8, traces);
      if (w.ok !== SETTINGS.warmup) throw new Error(`relayer warm-up failed: ${w.failures[0]}`);
      expected += w.ok;
    }
    // The relayer idle (no write): what its timers cost per second (worker ticks, index polls),
    // the part of a run's CPU per write that grows with the run's wall time rather than its writes.
    // Without the benchmark's event-loop delay monitor, whose 1 ms timer alone cost 25-40 ms of
    // CPU per second, most of the figure this line used to give (docs/relayer-latency.md, "Ninth
    // pass: an idle relayer's CPU").
    let idleNote: string | null = null;
    if (SETTINGS.idleMs > 0) {
      const idle = measureFrom(relayerRpc, nodePid, { loopDelay: false });
      const sqlBefore = sqlSnapshot();
      const callersBefore = relayerRpc.callerSnapshot();
      await sleep(SETTINGS.idleMs);
      const u = idle();
      const perSec = (n: number) => ((n / SETTINGS.idleMs) * 1000).toFixed(1);
      const sql = [...sqlSnapshot()].map(([k, n]): [string, number] => [k, n - (sqlBefore.get(k) ?? 0)]).filter(([, n]) => n > 0);
      const byCaller = [...relayerRpc.callerSnapshot()].map(([k, n]): [string, number] => [k, n - (callersBefore.get(k) ?? 0)]).filter(([, n]) => n > 0);
      const detail = [
        ...(sql.length > 0 ? [`statements per second: ${sql.sort((a, b) => b[1] - a[1]).map(([k, n]) => `${perSec(n)} x ${k}`).join("; ")}`] : []),
        ...(byCaller.length > 0 ? [`JSON-RPC calls per second by method <- caller: ${byCaller.sort((a, b) => b[1] - a[1]).map(([k, n]) => `${perSec(n)} x ${k}`).join(", ")}`] : []),
      ];
      const perSecond = (ms: number) => ((ms / SETTINGS.idleMs) * 1000).toFixed(1);
      const calls = u.rpc.reduce((a, [, c]) => a + c.calls, 0);
      idleNote =
        `idle relayer (${SETTINGS.idleMs} ms, no write, before the run): CPU ${perSecond(u.cpuSelfMs)} ms per second in the benchmark process ` +
        `(its event-loop delay monitor off; it costs up to 25-40 ms/s while on, as in the measured runs), ` +
        `${((calls / SETTINGS.idleMs) * 1000).toFixed(1)} JSON-RPC calls and ${((u.sqlStatements / SETTINGS.idleMs) * 1000).toFixed(1)} SQLite statements per second` +
        (detail.length > 0 ? ` (${detail.join("; ")})` : "");
    }
    const out: RunResult[] = [];
    for (const concurrency of concurrencies) {
      const profile = await startProfile();
      const relayed = await runRelayer(relayer, relayerRpc, rpc, nodePid, clients, apiKey, writesAt(concurrency), logger, concurrency, traces);
      relayed.batchMaxCalls = batchMaxCalls;
      if (idleNote !== null) relayed.extra.push(idleNote);
      const profFile = await profile?.(`relayer-${payerCount}-batch${batchMaxCalls}-c${concurrency}`);
      if (profFile) relayed.extra.push(`CPU profile of the benchmark process (the relayer) during the measured run: ${profFile}`);
      expected += relayed.ok;
      const groups = (await dep.diamond.getAccount(apiKeyTextHash(apiKey))).groupCount;
      if (groups !== BigInt(expected)) relayed.extra.push(`account holds ${groups} groups, expected ${expected}`);
      out.push(relayed);
    }
    return out;
  } finally {
    await relayer?.close();
  }
}
