/**
 * The `dev` payment provider: local test payments for development and `npm start`. An intent is
 * paid the moment it is created (there is no card step), so confirm_payment credits it at once.
 * No money moves and nothing leaves the machine; never use it where real users pay. Intents are
 * kept in the relayer's database (table `billing_dev_intents`), so they survive restarts and are
 * shared by relayer instances on one Postgres.
 */
import { randomBytes } from "crypto";
import type { Migration, Queryable } from "../store";
import type { CreatedIntent, PaymentIntentInfo, PaymentProvider } from "./provider";

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

export const DEV_PUBLISHABLE_KEY = "pk_dev_local_test_payments_no_real_money";

interface Row {
  id: string;
  account: string;
  amount_cents: number;
}

export class DevPaymentProvider implements PaymentProvider {
  readonly name = "dev" as const;
  readonly publishableKey = DEV_PUBLISHABLE_KEY;

  constructor(private readonly db: Queryable) {}

  async createIntent(request: { account: string; amountCents: number; idempotencyKey?: string }): Promise<CreatedIntent> {
    const idem = request.idempotencyKey === undefined ? null : `${request.account}:${request.idempotencyKey}`;
    if (idem !== null) {
      const hit = await this.db.one<Row>("SELECT id, account, amount_cents FROM billing_dev_intents WHERE idempotency_key = $1", [idem]);
      if (hit !== undefined) return { id: hit.id, clientSecret: secretOf(hit.id) };
    }
    const id = `pi_dev_${randomBytes(12).toString("hex")}`;
    await this.db.run(
      "INSERT INTO billing_dev_intents (id, account, amount_cents, idempotency_key, created_at_ms) VALUES ($1, $2, $3, $4, $5)",
      [id, request.account, request.amountCents, idem, Date.now()],
    );
    return { id, clientSecret: secretOf(id) };
  }

  async retrieveIntent(id: string): Promise<PaymentIntentInfo | null> {
    const r = await this.db.one<Row>("SELECT id, account, amount_cents FROM billing_dev_intents WHERE id = $1", [id]);
    if (r === undefined) return null;
    const cents = Number(r.amount_cents);
    return {
      id: r.id,
      status: "succeeded",
      amountCents: cents,
      amountReceivedCents: cents,
      currency: "usd",
      account: r.account,
      failureMessage: null,
    };
  }
}

const secretOf = (id: string): string => `${id}_secret_dev`;
