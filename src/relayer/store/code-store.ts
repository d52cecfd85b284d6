/**
 * Lit Action code by CID in the relayer's database (table `lit_action_code`), and the table of
 * execution usage (`lit_action_usage`, written by store/usage-recorder.ts). Reads verify the code
 * against its CID before returning it. The per-account quota and the anonymous cache on top of
 * this table are store/action-code.ts.
 */
import { verifiedCode as verified } from "../../core/cid";
import type { ContentStore } from "../ports";
import type { Queryable } from "./db";
import type { Migration } from "./migrations";

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
