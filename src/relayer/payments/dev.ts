/**
 * The `dev` payment provider: local test payments for development and `npm start`. An intent is
 * paid the moment it is created (there is no card step), so confirm_payment credits it at once.
 * No money moves and nothing leaves the machine; never use it where real users pay. Intents are
 * kept in the relayer's database (table `billing_dev_intents`), so they survive restarts and are
 * shared by relayer instances on one Postgres.
 */
import { randomBytes } from "crypto";
import type { CreatedIntent, DevIntentStore, PaymentIntentInfo, PaymentProvider } from "../ports";

export const DEV_PUBLISHABLE_KEY = "pk_dev_local_test_payments_no_real_money";

export class DevPaymentProvider implements PaymentProvider {
  readonly name = "dev" as const;
  readonly publishableKey = DEV_PUBLISHABLE_KEY;

  constructor(private readonly intents: DevIntentStore) {}

  async createIntent(request: { account: string; amountCents: number; idempotencyKey?: string }): Promise<CreatedIntent> {
    const idem = request.idempotencyKey === undefined ? null : `${request.account}:${request.idempotencyKey}`;
    if (idem !== null) {
      const hit = await this.intents.byIdempotencyKey(idem);
      if (hit !== undefined) return { id: hit.id, clientSecret: secretOf(hit.id) };
    }
    const id = `pi_dev_${randomBytes(12).toString("hex")}`;
    await this.intents.insert({ id, account: request.account, amountCents: request.amountCents, idempotencyKey: idem, createdAtMs: Date.now() });
    return { id, clientSecret: secretOf(id) };
  }

  async retrieveIntent(id: string): Promise<PaymentIntentInfo | null> {
    const r = await this.intents.byId(id);
    if (r === undefined) return null;
    const cents = r.amountCents;
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
