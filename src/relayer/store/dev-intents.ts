/**
 * The dev payment provider's intents (payments/dev.ts) in the relayer's database, table
 * `billing_dev_intents`, so they survive restarts and are shared by instances on one Postgres.
 */
import type { DevIntentRow, DevIntentStore } from "../ports";
import type { Queryable } from "./db";
import type { Migration } from "./migrations";

export const DEV_PAYMENT_MIGRATIONS: readonly Migration[] = [
  {
    id: "billing/0002_dev_intents",
    up: `
      CREATE TABLE billing_dev_intents (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        amount_cents BIGINT NOT NULL,
        idempotency_key TEXT UNIQUE,
        created_at_ms BIGINT NOT NULL
      );
    `,
  },
];

interface Row {
  id: string;
  account: string;
  amount_cents: number | string;
}

const rowOf = (r: Row | undefined): DevIntentRow | undefined =>
  r === undefined ? undefined : { id: r.id, account: r.account, amountCents: Number(r.amount_cents) };

export class SqlDevIntentStore implements DevIntentStore {
  constructor(private readonly db: Queryable) {}

  async byIdempotencyKey(key: string): Promise<DevIntentRow | undefined> {
    return rowOf(await this.db.one<Row>("SELECT id, account, amount_cents FROM billing_dev_intents WHERE idempotency_key = $1", [key]));
  }

  async byId(id: string): Promise<DevIntentRow | undefined> {
    return rowOf(await this.db.one<Row>("SELECT id, account, amount_cents FROM billing_dev_intents WHERE id = $1", [id]));
  }

  async insert(row: DevIntentRow & { idempotencyKey: string | null; createdAtMs: number }): Promise<void> {
    await this.db.run(
      "INSERT INTO billing_dev_intents (id, account, amount_cents, idempotency_key, created_at_ms) VALUES ($1, $2, $3, $4, $5)",
      [row.id, row.account, row.amountCents, row.idempotencyKey, row.createdAtMs],
    );
  }
}
