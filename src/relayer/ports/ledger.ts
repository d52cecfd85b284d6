/**
 * The credit ledger (services <- store): entries, debit and credit outcomes, recorded payments.
 */

export type LedgerReason = "starting_credit" | "payment" | "write" | "execution" | "refund" | "adjustment";

export interface LedgerEntry {
  id: number;
  account: string;
  /** Positive: a credit; negative: a debit. */
  amountCents: number;
  reason: LedgerReason;
  reference: string;
  createdAtMs: number;
}

export type DebitResult =
  | { status: "debited"; balanceCents: number }
  /** The reference was already written: nothing changed. */
  | { status: "duplicate"; balanceCents: number }
  /** The balance is below the amount: nothing changed. */
  | { status: "insufficient"; balanceCents: number };

export type CreditResult = { status: "credited" | "duplicate"; balanceCents: number };

export interface PaymentRecord {
  intentId: string;
  account: string;
  provider: string;
  amountCents: number;
  /** Null until credited. */
  creditedCents: number | null;
  createdAtMs: number;
  creditedAtMs: number | null;
}

/**
 * The credit ledger (store/ledger.ts): an append-only list of entries per account, each with a
 * unique reference, so a debit or credit written twice changes nothing the second time.
 */
export interface Ledger {
  /** The account's balance in cents (its starting credit is written on first sight). */
  balance(account: string): Promise<number>;
  /** Takes `amountCents` unless the balance is lower or `reference` was already written. */
  debit(account: string, amountCents: number, reason: LedgerReason, reference: string): Promise<DebitResult>;
  /** A debit per attempt of a keyed request: a refunded attempt is over, the next one is charged. */
  debitAttempt(
    account: string,
    amountCents: number,
    reason: LedgerReason,
    reference: string,
  ): Promise<DebitResult & { reference: string }>;
  /** Adds `amountCents` with `reference`; a reference already written changes nothing. */
  credit(account: string, amountCents: number, reason: LedgerReason, reference: string): Promise<CreditResult>;
  hasReference(reference: string): Promise<boolean>;
  /** The newest entries of an account, newest first. */
  entries(account: string, limit?: number): Promise<LedgerEntry[]>;
  /** The stored balance beside the sum of the entries (they must be equal). */
  verify(account: string): Promise<{ balanceCents: number; ledgerSumCents: number }>;
  /** Remembers a created payment intent for its account (before the payer can pay it). */
  recordPayment(p: { intentId: string; account: string; provider: string; amountCents: number }): Promise<void>;
  payment(intentId: string): Promise<PaymentRecord | null>;
  /** Credits a recorded payment once. */
  creditPayment(account: string, intentId: string, amountCents: number): Promise<CreditResult>;
}
