/**
 * The content-addressed store of Lit Action code: CID -> code, filled by every accepted code
 * submission (lit_action with inline code, get_lit_action_ipfs_id). Reads verify the code against
 * its CID before returning it, so a tampered row (or a lying IPFS gateway) is never run.
 *
 * - SqlCodeStore: a table in the relayer's database (migration `actions/0001_code_store`);
 * - MemoryCodeStore: bounded in-memory store (tests, or services built without a database);
 * - an optional IPFS gateway (`LIT_ACTION_IPFS_GATEWAY_URL`) is asked for CIDs the store lacks.
 */
import { litActionCid } from "../../core";
import type { CodeStore } from "../ports";
import type { Migration, Queryable } from "../store";

/** A CodeStore that can also read code back by CID. */
export interface ContentStore extends CodeStore {
  /** The code whose CID is `cid`, verified; null when unknown. */
  get(cid: string): Promise<string | null>;
}

export const CODE_STORE_MIGRATIONS: readonly Migration[] = [
  {
    id: "actions/0001_code_store",
    up: `
      CREATE TABLE lit_action_code (
        cid TEXT PRIMARY KEY,
        code TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
    `,
  },
  {
    id: "actions/0002_usage",
    up: `
      CREATE TABLE lit_action_usage (
        id {{serial}},
        account TEXT NOT NULL,
        api_key_hash TEXT NOT NULL,
        cid TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        duration_ms BIGINT NOT NULL,
        has_error INTEGER NOT NULL,
        charged INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX lit_action_usage_account ON lit_action_usage (account, started_at);
    `,
  },
];

/** Returns `code` only when its CID is `cid`. */
async function verified(cid: string, code: string | null): Promise<string | null> {
  if (code === null) return null;
  return (await litActionCid(code)) === cid ? code : null;
}

export class MemoryCodeStore implements ContentStore {
  private readonly map = new Map<string, string>();
  private bytes = 0;
  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  async put(cid: string, code: string): Promise<void> {
    if (this.map.has(cid)) return;
    const size = Buffer.byteLength(code, "utf8");
    if (size > this.maxBytes) return;
    while (this.bytes + size > this.maxBytes && this.map.size > 0) {
      const [oldest, text] = this.map.entries().next().value as [string, string];
      this.map.delete(oldest);
      this.bytes -= Buffer.byteLength(text, "utf8");
    }
    this.map.set(cid, code);
    this.bytes += size;
  }

  async get(cid: string): Promise<string | null> {
    return verified(cid, this.map.get(cid) ?? null);
  }
}

export class SqlCodeStore implements ContentStore {
  constructor(
    private readonly db: Queryable,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async put(cid: string, code: string): Promise<void> {
    await this.db.run(
      "INSERT INTO lit_action_code (cid, code, created_at) VALUES ($1, $2, $3) ON CONFLICT (cid) DO NOTHING",
      [cid, code, this.now()],
    );
  }

  async get(cid: string): Promise<string | null> {
    const row = await this.db.one<{ code: string }>("SELECT code FROM lit_action_code WHERE cid = $1", [cid]);
    return verified(cid, row?.code ?? null);
  }
}

/**
 * A store backed by `inner`, falling back to an IPFS HTTP gateway (`<gateway>/ipfs/<cid>`) for
 * unknown CIDs; fetched code is verified against the CID, then kept in `inner`.
 */
export class GatewayCodeStore implements ContentStore {
  constructor(
    private readonly inner: ContentStore,
    private readonly gatewayUrl: string,
    private readonly options: { timeoutMs: number; maxBytes: number },
  ) {}

  put(cid: string, code: string, owner?: string): Promise<void> {
    return this.inner.put(cid, code, owner);
  }

  async get(cid: string): Promise<string | null> {
    const local = await this.inner.get(cid);
    if (local !== null) return local;
    const url = `${this.gatewayUrl.replace(/\/+$/, "")}/ipfs/${encodeURIComponent(cid)}`;
    let text: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs), redirect: "follow" });
      if (!res.ok) return null;
      const body = new Uint8Array(await res.arrayBuffer());
      if (body.length > this.options.maxBytes) return null;
      text = new TextDecoder("utf-8", { fatal: true }).decode(body);
    } catch {
      return null;
    }
    const code = await verified(cid, text);
    if (code !== null) await this.inner.put(cid, code);
    return code;
  }
}
