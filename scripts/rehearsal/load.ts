/**
 * The rehearsal's mixed write load over the relayer's HTTP API: new accounts, then per account
 * groups, usage keys, wallets and actions, from several concurrent clients. Every write has a
 * unique name. Half of them (and every new account) carry their own Idempotency-Key and are
 * retried with the same key on a network error, a 5xx or a 429 (as a careful client would), so
 * the relayer may answer one more than once but must apply it once. The other half carry no key,
 * which lets the relayer batch them (batcher.ts never batches a keyed call), and are retried only
 * on a 429 (refused before anything was done). The ledger records what each write was answered;
 * verify.ts then looks for it on the chain.
 */
import { randomUUID } from "crypto";
import { litActionCid } from "../../src/core/cid";
import { requestJson, usageKeyBody } from "../lib/http-json";
import { apiKeyTextHash, type Hash32 } from "../../src/core/hashing";

export type WriteKind = "new_account" | "add_group" | "add_usage_api_key" | "create_wallet" | "add_action";

export interface WriteRecord {
  id: number;
  kind: WriteKind;
  /** The account's master hash (new_account: known once answered). */
  account: Hash32 | null;
  /** The unique name the write gives what it creates (wallets: the answered address). */
  tag: string;
  /** HTTP 200 with a success body. */
  answered: boolean;
  /** Last HTTP status (0: no answer) and error text when not answered. */
  status: number;
  error: string | null;
  attempts: number;
  /** The answer's body (api_key, group_id, usage_api_key, wallet_address, ...). */
  answer: Record<string, unknown> | null;
  /** ms from the first attempt to the answer. */
  latencyMs: number | null;
  /** Sent with an Idempotency-Key (retried on any transient failure), or without (batchable). */
  keyed: boolean;
}

export interface Account {
  apiKey: string;
  master: Hash32;
}

export interface LoadOptions {
  relayerUrl: string;
  /** Concurrent clients. */
  concurrency: number;
  /** New accounts created first (each client then works on them round-robin). */
  accounts: number;
  /** Writes after the accounts (groups, keys, wallets, actions in turn). */
  writes: number;
  /** Stops early when this resolves true (checked before each write). */
  stop?: () => boolean;
  /** Give up on one write after this long (ms) of retries. */
  writeDeadlineMs?: number;
  runId: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Reply {
  status: number;
  body: Record<string, unknown> | null;
  text: string;
}

async function call(
  url: string,
  method: "GET" | "POST",
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): Promise<Reply> {
  const reply = await requestJson(url, method, { headers, body, timeoutMs });
  const parsed = typeof reply.json === "object" && reply.json !== null ? (reply.json as Record<string, unknown>) : null;
  return { status: reply.status, body: parsed, text: reply.text };
}

/** Whether a reply may change on a retry with the same Idempotency-Key. */
const retriable = (status: number): boolean => status === 0 || status === 429 || status >= 500;

export class WriteLoad {
  readonly ledger: WriteRecord[] = [];
  readonly accounts: Account[] = [];
  private nextId = 0;

  constructor(private readonly opts: LoadOptions) {}

  /** Runs the accounts, then the mixed writes; resolves when all are answered or given up. */
  async run(): Promise<void> {
    const o = this.opts;
    let accountsLeft = o.accounts;
    await this.pool(Math.min(o.concurrency, o.accounts), async () => {
      while (accountsLeft > 0 && !o.stop?.()) {
        accountsLeft--;
        await this.newAccount();
      }
    });
    if (this.accounts.length === 0) throw new Error("the load created no account: nothing to write to");
    let left = o.writes;
    let turn = 0;
    await this.pool(o.concurrency, async () => {
      while (left > 0 && !o.stop?.()) {
        left--;
        const n = turn++;
        const account = this.accounts[n % this.accounts.length];
        const kinds: WriteKind[] = ["add_group", "add_usage_api_key", "create_wallet", "add_action", "add_group"];
        await this.write(kinds[n % kinds.length], account);
      }
    });
  }

  /** One write now, with an Idempotency-Key so that it is retried until answered (the reorg driver's probe). */
  async probe(account: Account): Promise<WriteRecord> {
    return this.write("add_group", account, true);
  }

  private async pool(n: number, worker: () => Promise<void>): Promise<void> {
    await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
  }

  private record(kind: WriteKind, account: Hash32 | null, tag: string, forceKey = false): WriteRecord {
    const keyed = forceKey || kind === "new_account" || this.nextId % 2 === 0;
    const r: WriteRecord = { id: this.nextId++, kind, account, tag, answered: false, status: 0, error: null, attempts: 0, answer: null, latencyMs: null, keyed };
    this.ledger.push(r);
    return r;
  }

  private async newAccount(): Promise<void> {
    const r = this.record("new_account", null, `${this.opts.runId}-acct-${this.nextId}`);
    await this.send(r, "POST", "/core/v1/new_account", { account_name: r.tag, account_description: "rehearsal" }, null);
    const apiKey = r.answer?.api_key;
    if (r.answered && typeof apiKey === "string") {
      r.account = apiKeyTextHash(apiKey);
      this.accounts.push({ apiKey, master: r.account });
    }
  }

  private async write(kind: WriteKind, account: Account, forceKey = false): Promise<WriteRecord> {
    const r = this.record(kind, account.master, `${this.opts.runId}-${kind}-${this.nextId}`, forceKey);
    switch (kind) {
      case "add_group":
        await this.send(r, "POST", "/core/v1/add_group", { group_name: r.tag, group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] }, account);
        break;
      case "add_usage_api_key":
        await this.send(r, "POST", "/core/v1/add_usage_api_key", usageKeyBody({}, r.tag, ""), account);
        break;
      case "create_wallet":
        await this.send(r, "GET", "/core/v1/create_wallet", undefined, account);
        if (typeof r.answer?.wallet_address === "string") r.tag = r.answer.wallet_address.toLowerCase();
        break;
      case "add_action": {
        const cid = await litActionCid(`// ${r.tag}\nLit.Actions.setResponse({ response: "${r.tag}" });`);
        await this.send(r, "POST", "/core/v1/add_action", { action_ipfs_cid: cid, name: r.tag, description: "" }, account);
        break;
      }
      default:
        throw new Error(`unknown write kind ${kind as string}`);
    }
    return r;
  }

  private async send(r: WriteRecord, method: "GET" | "POST", path: string, body: unknown, account: Account | null): Promise<void> {
    // unguessable (the relayer refuses a guessable key on unauthenticated writes), one per write
    const headers: Record<string, string> = r.keyed ? { "idempotency-key": randomUUID() } : {};
    if (account) headers["x-api-key"] = account.apiKey;
    const started = Date.now();
    const deadline = started + (this.opts.writeDeadlineMs ?? 180_000);
    for (;;) {
      r.attempts++;
      let reply: Reply;
      try {
        reply = await call(`${this.opts.relayerUrl}${path}`, method, headers, body, 120_000);
      } catch (err) {
        reply = { status: 0, body: null, text: err instanceof Error ? err.message : String(err) };
      }
      r.status = reply.status;
      if (reply.status === 200 && reply.body !== null) {
        r.answered = true;
        r.answer = reply.body;
        r.error = null;
        r.latencyMs = Date.now() - started;
        return;
      }
      r.error = reply.text.slice(0, 300);
      if (!(r.keyed ? retriable(reply.status) : reply.status === 429) || Date.now() > deadline) return;
      await sleep(Math.min(5000, 250 * 2 ** Math.min(r.attempts, 5)));
    }
  }
}
