/**
 * The billing ledger (http-api.md §8): an append-only list of credits and debits per account
 * (keyed by the account's master hash, so a balance survives conversion and ownership transfer),
 * and the payment intents each account created.
 *
 * - `billing_ledger`: one row per credit (+) or debit (-), with a reason and a globally unique
 *   reference (`payment:<intent>`, `write:<...>`, `exec:<...>`, `refund:<reference>`, ...). A
 *   reference is written at most once, which is what makes a payment credit exactly once.
 * - `billing_balances`: the running sum of an account's ledger rows, updated in the same
 *   transaction as each row (the balance is derived: `verify()` recomputes it from the ledger), so
 *   reading a balance does not scan the ledger. A debit is a conditional update (`balance >= cost`),
 *   so concurrent debits can never take a balance below zero, on SQLite (one writer) and on
 *   Postgres (row lock) alike.
 * - `billing_payments`: intents created through create_payment_intent: the owning account, the
 *   amount asked, and whether it has been credited.
 *
 * An account is "opened" the first time the ledger touches it: its balance row is created and, when
 * configured, a starting credit is written (reference `starting_credit:<account>`, once).
 */
import type { CreditResult, DebitResult, Ledger, LedgerEntry, LedgerReason, PaymentRecord } from "../ports";
import type { Queryable } from "./db";
import type { Migration } from "./migrations";

export const LEDGER_MIGRATIONS: readonly Migration[] = [
  {
    id: "billing/0001_ledger",
    up: `
      CREATE TABLE billing_ledger (
        id {{serial}},
        account TEXT NOT NULL,
        amount_cents BIGINT NOT NULL,
        reason TEXT NOT NULL,
        reference TEXT NOT NULL UNIQUE,
        created_at_ms BIGINT NOT NULL
      );
      CREATE INDEX billing_ledger_account ON billing_ledger (account, id);
      CREATE TABLE billing_balances (
        account TEXT PRIMARY KEY,
        balance_cents BIGINT NOT NULL CHECK (balance_cents >= 0)
      );
      CREATE TABLE billing_payments (
        intent_id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        provider TEXT NOT NULL,
        amount_cents BIGINT NOT NULL,
        credited_cents BIGINT,
        created_at_ms BIGINT NOT NULL,
        credited_at_ms BIGINT
      );
      CREATE INDEX billing_payments_account ON billing_payments (account, created_at_ms);
    `,
  },
];

export type { CreditResult, DebitResult, LedgerEntry, LedgerReason, PaymentRecord } from "../ports";

export interface LedgerOptions {
  /** Credit written once when an account is first seen (0: none). */
  startingCreditCents: number;
  /** Unix milliseconds (tests). */
  nowMs?: () => number;
}

/** Thrown inside a transaction to roll it back when a debit finds too little balance. */
class Insufficient extends Error {
  constructor(readonly balanceCents: number) {
    super("insufficient balance");
  }
}

interface LedgerRow {
  id: number;
  account: string;
  amount_cents: number;
  reason: string;
  reference: string;
  created_at_ms: number;
}

interface PaymentRow {
  intent_id: string;
  account: string;
  provider: string;
  amount_cents: number;
  credited_cents: number | null;
  created_at_ms: number;
  credited_at_ms: number | null;
}

export class SqlLedger implements Ledger {
  private readonly nowMs: () => number;

  constructor(
    private readonly db: Queryable,
    private readonly options: LedgerOptions,
  ) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** The account's balance in cents (opening the account if new). */
  async balance(account: string): Promise<number> {
    return this.db.tx(async (tx) => {
      await this.open(tx, account);
      return this.balanceIn(tx, account);
    });
  }

  /**
   * Takes `amountCents` from the account if its balance covers it, writing one ledger row with
   * `reference`. A zero amount writes nothing and succeeds.
   */
  async debit(account: string, amountCents: number, reason: LedgerReason, reference: string): Promise<DebitResult> {
    checkAmount(amountCents);
    try {
      return await this.db.tx(async (tx) => {
        await this.open(tx, account);
        if (amountCents === 0) return { status: "debited" as const, balanceCents: await this.balanceIn(tx, account) };
        if (!(await this.append(tx, account, -amountCents, reason, reference)))
          return { status: "duplicate" as const, balanceCents: await this.balanceIn(tx, account) };
        const changed = await tx.run(
          "UPDATE billing_balances SET balance_cents = balance_cents - $2 WHERE account = $1 AND balance_cents >= $2",
          [account, amountCents],
        );
        if (changed === 0) throw new Insufficient(await this.balanceIn(tx, account));
        return { status: "debited" as const, balanceCents: await this.balanceIn(tx, account) };
      });
    } catch (e) {
      if (e instanceof Insufficient) return { status: "insufficient", balanceCents: e.balanceCents };
      throw e;
    }
  }

  /**
   * One debit per attempt of an idempotent request (the charge of a write retried under one
   * Idempotency-Key). Attempt 1 is written under `reference`, attempt n under
   * `<reference>:attempt:<n>`; an attempt whose debit was refunded (`refund:<its reference>`
   * exists: that attempt failed and applied nothing) is over, and the next one is charged. An
   * attempt that is still charged makes this a repeat of it (`duplicate`, nothing taken): the
   * caller only replays that attempt's result. So a key is never charged for more than one
   * result, however often it is repeated, also after a refund. Concurrent repeats race for the
   * same attempt reference, which is written once.
   */
  async debitAttempt(
    account: string,
    amountCents: number,
    reason: LedgerReason,
    reference: string,
  ): Promise<DebitResult & { reference: string }> {
    for (let attempt = 1; ; attempt++) {
      const ref = attempt === 1 ? reference : `${reference}:attempt:${attempt}`;
      const r = await this.debit(account, amountCents, reason, ref);
      if (r.status !== "duplicate" || !(await this.hasReference(`refund:${ref}`))) return { ...r, reference: ref };
    }
  }

  /** Adds `amountCents` with `reference`; a reference already written changes nothing. */
  async credit(account: string, amountCents: number, reason: LedgerReason, reference: string): Promise<CreditResult> {
    checkAmount(amountCents);
    return this.db.tx((tx) => this.creditIn(tx, account, amountCents, reason, reference));
  }

  /** Whether a ledger row with this reference exists. */
  async hasReference(reference: string): Promise<boolean> {
    return (await this.db.one("SELECT 1 AS x FROM billing_ledger WHERE reference = $1", [reference])) !== undefined;
  }

  /** The account's ledger rows, newest first. */
  async entries(account: string, limit = 100): Promise<LedgerEntry[]> {
    const rows = await this.db.query<LedgerRow>(
      "SELECT id, account, amount_cents, reason, reference, created_at_ms FROM billing_ledger WHERE account = $1 ORDER BY id DESC LIMIT $2",
      [account, Math.max(1, Math.min(limit, 10_000))],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      account: r.account,
      amountCents: Number(r.amount_cents),
      reason: r.reason as LedgerReason,
      reference: r.reference,
      createdAtMs: Number(r.created_at_ms),
    }));
  }

  /** The stored balance and the sum of the ledger rows (equal unless the tables were edited by hand). */
  async verify(account: string): Promise<{ balanceCents: number; ledgerSumCents: number }> {
    const b = await this.db.one<{ balance_cents: number }>(
      "SELECT balance_cents FROM billing_balances WHERE account = $1",
      [account],
    );
    const s = await this.db.one<{ total: number | string | null }>(
      "SELECT SUM(amount_cents) AS total FROM billing_ledger WHERE account = $1",
      [account],
    );
    return { balanceCents: Number(b?.balance_cents ?? 0), ledgerSumCents: Number(s?.total ?? 0) };
  }

  // ------------------------------------------------------------------ payment intents

  /** Records an intent created for `account` (idempotent for the same id and account). */
  async recordPayment(p: { intentId: string; account: string; provider: string; amountCents: number }): Promise<void> {
    await this.db.run(
      `INSERT INTO billing_payments (intent_id, account, provider, amount_cents, created_at_ms)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (intent_id) DO NOTHING`,
      [p.intentId, p.account, p.provider, p.amountCents, this.nowMs()],
    );
  }

  async payment(intentId: string): Promise<PaymentRecord | null> {
    const r = await this.db.one<PaymentRow>(
      "SELECT intent_id, account, provider, amount_cents, credited_cents, created_at_ms, credited_at_ms FROM billing_payments WHERE intent_id = $1",
      [intentId],
    );
    if (r === undefined) return null;
    return {
      intentId: r.intent_id,
      account: r.account,
      provider: r.provider,
      amountCents: Number(r.amount_cents),
      creditedCents: r.credited_cents === null ? null : Number(r.credited_cents),
      createdAtMs: Number(r.created_at_ms),
      creditedAtMs: r.credited_at_ms === null ? null : Number(r.credited_at_ms),
    };
  }

  /**
   * Credits a succeeded payment exactly once: the ledger row (reference `payment:<intent>`) and the
   * payment's credited mark are written in one transaction; a second call (concurrent or later)
   * finds the reference and changes nothing.
   */
  async creditPayment(account: string, intentId: string, amountCents: number): Promise<CreditResult> {
    checkAmount(amountCents);
    return this.db.tx(async (tx) => {
      const r = await this.creditIn(tx, account, amountCents, "payment", `payment:${intentId}`);
      if (r.status === "credited") {
        await tx.run(
          "UPDATE billing_payments SET credited_cents = $2, credited_at_ms = $3 WHERE intent_id = $1 AND credited_cents IS NULL",
          [intentId, amountCents, this.nowMs()],
        );
      }
      return r;
    });
  }

  // ------------------------------------------------------------------ internals

  private async creditIn(
    tx: Queryable,
    account: string,
    amountCents: number,
    reason: LedgerReason,
    reference: string,
  ): Promise<CreditResult> {
    await this.open(tx, account);
    if (amountCents === 0 || !(await this.append(tx, account, amountCents, reason, reference)))
      return { status: amountCents === 0 ? "credited" : "duplicate", balanceCents: await this.balanceIn(tx, account) };
    await tx.run("UPDATE billing_balances SET balance_cents = balance_cents + $2 WHERE account = $1", [
      account,
      amountCents,
    ]);
    return { status: "credited", balanceCents: await this.balanceIn(tx, account) };
  }

  /** Creates the balance row (and the starting credit) the first time an account is seen. */
  private async open(tx: Queryable, account: string): Promise<void> {
    const created = await tx.run(
      "INSERT INTO billing_balances (account, balance_cents) VALUES ($1, 0) ON CONFLICT (account) DO NOTHING",
      [account],
    );
    const start = this.options.startingCreditCents;
    if (created === 0 || start <= 0) return;
    if (await this.append(tx, account, start, "starting_credit", `starting_credit:${account}`)) {
      await tx.run("UPDATE billing_balances SET balance_cents = balance_cents + $2 WHERE account = $1", [account, start]);
    }
  }

  /** Appends a ledger row; false when the reference exists already. */
  private async append(
    tx: Queryable,
    account: string,
    amountCents: number,
    reason: LedgerReason,
    reference: string,
  ): Promise<boolean> {
    const inserted = await tx.run(
      `INSERT INTO billing_ledger (account, amount_cents, reason, reference, created_at_ms)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (reference) DO NOTHING`,
      [account, amountCents, reason, reference, this.nowMs()],
    );
    return inserted > 0;
  }

  private async balanceIn(tx: Queryable, account: string): Promise<number> {
    const r = await tx.one<{ balance_cents: number }>("SELECT balance_cents FROM billing_balances WHERE account = $1", [
      account,
    ]);
    return Number(r?.balance_cents ?? 0);
  }
}

function checkAmount(cents: number): void {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`amount: expected whole cents >= 0, got ${cents}`);
}
