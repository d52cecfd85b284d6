/**
 * The read side of the scale benchmark: the relayer's HTTP app (buildApp over createServices) on
 * a filled index, and every /core/v1 read (lists at their first, middle and last page,
 * account_exists) and every permission pre-check (lit_action and each write) as a probe. Writes
 * reach a Writer that counts the call and refuses it, so a probe of a write measures the
 * authentication and the pre-checks against the index and nothing on-chain; a write probe whose
 * call never reached the writer was refused by a pre-check, which the benchmark treats as an error.
 * The app listens on a socket (serve-child.ts); the probes are sent and timed by a client in
 * another process (http-client.ts), as a client of a deployed relayer sends them.
 */
import type { FastifyInstance } from "fastify";
import { apiKeyTextHash } from "../../src/core";
import { buildApp } from "../../src/relayer/http";
import { RevertError, type WriteReceipt, type WriteRequest, type Writer } from "../../src/relayer/ports";
import { createServices } from "../../src/relayer/services";
import type { IndexStore } from "../../src/relayer/store";
import {
  accountKey,
  actionHash,
  bigGroup,
  bigGroupActions,
  bigGroupWallets,
  keyGroups,
  REGISTERED_CID,
  usageKeyText,
  walletAddress,
  type ScaleSpec,
} from "./dataset";
import type { CpuSpent, ProbeMeter } from "./cpu";
import type { ProbeClient, ProbeRequest } from "./http-client";

/** The code of the counting writer's refusal: a write probe answered with it passed every pre-check. */
export const WRITE_NOT_SENT = "BenchWriteNotSent";

/** A refusing writer: counts the writes that passed every pre-check. */
export class CountingWriter implements Writer {
  calls = 0;
  async write(_request: WriteRequest): Promise<WriteReceipt> {
    this.calls++;
    throw new RevertError(WRITE_NOT_SENT, [], "the scale benchmark sends no transactions");
  }
}

export async function scaleApp(index: IndexStore): Promise<{ app: FastifyInstance; writer: CountingWriter }> {
  const writer = new CountingWriter();
  const services = createServices({
    index,
    writer,
    rootSecret: new Uint8Array(32).fill(9),
    chain: { name: "localhost", chainId: 31337, testnet: true, token: "ETH", contractAddress: `0x${"d1".repeat(20)}` },
    build: { name: "accountconfig-relayer", version: "bench", commit: "bench" },
    payers: { count: 1, keys: [], adminKey: null },
  });
  const open = { perSecond: 1e9, burst: 1e9 };
  const app = await buildApp({
    services,
    config: {
      corsOrigins: [],
      rateLimits: { perKey: open, perIp: open, newAccount: open },
      bodyLimitBytes: 1 << 20,
      trustProxy: false,
      logLevel: "error",
    },
    logger: false,
    dashboard: false,
  });
  await app.ready();
  return { app, writer };
}

export interface Probe extends ProbeRequest {
  name: string;
  /** A write: its call must reach the writer. */
  write?: boolean;
  /** The status a read must answer (default 200). */
  status?: number;
}

const PAGE = 100;

function pages(n: number, size: number): { first: number; middle: number; last: number } {
  const count = Math.max(1, Math.ceil(n / size));
  return { first: 0, middle: Math.floor((count - 1) / 2), last: count - 1 };
}

/** The probes of the spec's index. */
export function scaleProbes(spec: ScaleSpec): Probe[] {
  const master = accountKey(0);
  const usage = usageKeyText(0);
  const out: Probe[] = [];
  const list = (name: string, path: string, n: number, size: number, extra = ""): void => {
    const p = pages(n, size);
    for (const [where, number] of Object.entries(p)) {
      out.push({ name: `${name} (${where} page)`, method: "GET", url: `/core/v1/${path}?${extra}page_number=${number}&page_size=${size}`, key: master });
    }
  };
  out.push({ name: "account_exists (big account)", method: "GET", url: "/core/v1/account_exists", key: master });
  out.push({ name: "account_exists (last account)", method: "GET", url: "/core/v1/account_exists", key: accountKey(spec.accounts - 1) });
  out.push({ name: "account_exists (usage key)", method: "GET", url: "/core/v1/account_exists", key: usage });
  list("list_groups", "list_groups", spec.groups, PAGE);
  list("list_actions", "list_actions", spec.actions, PAGE);
  list("list_actions in group", "list_actions", bigGroupActions(spec), PAGE, `group_id=${bigGroup(spec)}&`);
  list("list_wallets", "list_wallets", spec.wallets, PAGE);
  list("list_wallets_in_group", "list_wallets_in_group", bigGroupWallets(spec), PAGE, `group_id=${bigGroup(spec)}&`);
  list("list_api_keys", "list_api_keys", spec.usageKeys, 10);

  const groups = keyGroups(spec);
  const deepGroup = Number(groups[groups.length - 1]);
  const lastWallet = walletAddress(spec.wallets - 1);
  const perms = {
    name: "k",
    description: "d",
    can_create_groups: true,
    can_delete_groups: true,
    can_create_pkps: true,
    manage_ipfs_ids_in_groups: [deepGroup],
    add_pkp_to_groups: [deepGroup],
    remove_pkp_from_groups: [deepGroup],
    execute_in_groups: [deepGroup],
  };
  const w = (name: string, method: "GET" | "POST", path: string, body: unknown, key = master): void => {
    out.push({ name: `pre-check ${name}`, method, url: `/core/v1/${path}`, body, key, write: true });
  };
  // lit_action: usage key 0 may execute in 50 groups, none lists this code's cid: all are walked, then 403.
  out.push({
    name: "pre-check lit_action (50 groups walked, refused)",
    method: "POST",
    url: "/core/v1/lit_action",
    body: { code: "async function main() { return 1; }" },
    key: usage,
    status: 403,
  });
  w("add_usage_api_key", "POST", "add_usage_api_key", perms);
  w("update_usage_api_key", "POST", "update_usage_api_key", { usage_api_key: apiKeyTextHash(usageKeyText(spec.usageKeys - 1)), ...perms });
  w("update_usage_api_key_metadata", "POST", "update_usage_api_key_metadata", {
    usage_api_key: apiKeyTextHash(usageKeyText(spec.usageKeys - 1)),
    name: "n",
    description: "d",
  });
  w("remove_usage_api_key", "POST", "remove_usage_api_key", { usage_api_key: apiKeyTextHash(usageKeyText(spec.usageKeys - 1)) });
  w("create_wallet (usage key)", "GET", "create_wallet", undefined, usage);
  w("add_group (usage key)", "POST", "add_group", {
    group_name: "g",
    group_description: "d",
    pkp_ids_permitted: [lastWallet],
    cid_hashes_permitted: [actionHash(spec.actions - 1)],
  }, usage);
  w("update_group", "POST", "update_group", {
    group_id: deepGroup,
    name: "g",
    description: "d",
    pkp_ids_permitted: [lastWallet],
    cid_hashes_permitted: [actionHash(spec.actions - 1)],
  });
  w("remove_group (usage key)", "POST", "remove_group", { group_id: String(deepGroup) }, usage);
  w("add_action", "POST", "add_action", { action_ipfs_cid: "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", name: "a", description: "d" });
  w("delete_action", "POST", "delete_action", { hashed_cid: actionHash(spec.actions - 1) });
  w("update_action_metadata", "POST", "update_action_metadata", { hashed_cid: actionHash(spec.actions - 1), name: "a", description: "d" });
  w("add_action_to_group (usage key)", "POST", "add_action_to_group", {
    group_id: deepGroup,
    action_ipfs_cid: REGISTERED_CID,
  }, usage);
  w("remove_action_from_group (usage key)", "POST", "remove_action_from_group", { group_id: deepGroup, hashed_cid: actionHash(1) }, usage);
  w("add_pkp_to_group (usage key)", "POST", "add_pkp_to_group", { group_id: deepGroup, pkp_id: walletAddress(0) }, usage);
  w("remove_pkp_from_group (usage key)", "POST", "remove_pkp_from_group", { group_id: deepGroup, pkp_id: lastWallet }, usage);
  return out;
}

/** A probe's CPU per measured request (microseconds), and its wall time per request. */
export interface ProbeCpu extends CpuSpent {
  /** Wall time of the measured requests / their count: at concurrency c, c requests share it. */
  wallUs: number;
}

export interface ProbeFigures {
  name: string;
  p50: number;
  p99: number;
  /** When measured with a meter. */
  cpu?: ProbeCpu;
}

const errorCode = (body: string): string | undefined => {
  try {
    const v = JSON.parse(body) as { code?: unknown } | null;
    return typeof v?.code === "string" ? v.code : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Sends one probe over the socket; throws when it does not answer as expected. A write must come
 * back with the counting writer's refusal (the error code WRITE_NOT_SENT: its call reached the
 * writer, past every pre-check); any other answer (a 403 or 404 of a pre-check, a 422 of the
 * request's shape) is a probe that measured less than it claims. A read must answer its status
 * (default 200) with a JSON body, which is returned.
 */
export async function sendProbe(client: ProbeClient, p: Probe): Promise<unknown> {
  const r = await client.send(p);
  if (p.write) {
    if (errorCode(r.body) !== WRITE_NOT_SENT) throw new Error(`${p.name}: refused by a pre-check (${r.status} ${r.body})`);
    return null;
  }
  if (r.status !== (p.status ?? 200)) throw new Error(`${p.name}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as unknown;
}

/** The nearest-rank quantile q of ascending `sorted`. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Sends the probe `requests` times from `concurrency` closed-loop clients; each answer's time into `times` when given. */
async function closedLoop(client: ProbeClient, p: Probe, requests: number, concurrency: number, times?: number[]): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < requests) {
      next++;
      const t0 = performance.now();
      await sendProbe(client, p);
      times?.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
}

/**
 * p50/p99 (ms) of `requests` sends of the probe by `concurrency` concurrent clients, after
 * `warmup` untimed ones at the same concurrency (so the relayer's JIT, its pools and the
 * database's caches are in the state of a server that has been serving: with 20 sequential
 * warm-up requests the first probe after a start had twice the p99 of the same probe later).
 * Each time runs from handing the request to the client to the end of its answer's body, its
 * status and JSON checked, as a client of the relayer sees it (the client should hold
 * `concurrency` sockets). With a meter, also each process's CPU per measured request (the
 * warm-up is outside it).
 */
export async function measureProbe(
  client: ProbeClient,
  p: Probe,
  requests: number,
  concurrency: number,
  warmup: number,
  meter?: ProbeMeter,
): Promise<ProbeFigures> {
  await closedLoop(client, p, warmup, concurrency);
  const times: number[] = [];
  const stop = meter ? await meter.start() : null;
  const w0 = performance.now();
  await closedLoop(client, p, requests, concurrency, times);
  const wall = performance.now() - w0;
  const spent = stop ? await stop() : null;
  times.sort((a, b) => a - b);
  const figures: ProbeFigures = { name: p.name, p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
  if (spent) {
    const per = (us: number): number => us / requests;
    figures.cpu = {
      clientUs: per(spent.clientUs),
      relayerUs: per(spent.relayerUs),
      postgresUs: spent.postgresUs === null ? null : per(spent.postgresUs),
      lostBackends: spent.lostBackends,
      wallUs: per(wall * 1000),
    };
  }
  return figures;
}
