/**
 * The outbox's INSERT statements and their parameters (store/outbox.ts; split out to keep that
 * file under the size limit). Columns and states: the file comment of store/outbox.ts.
 */
import type { NewOutboxRow, ResendState } from "../ports";
import type { SqlValue } from "./db";

/** ResendState by its stored number (column `resend`, migration 0008_outbox_resend). */
export const RESEND: readonly ResendState[] = ["none", "pending", "claimed", "settled"];
export const resendCode = (s: ResendState): number => RESEND.indexOf(s);

/** Inserts a queued row; an idempotency key already used inserts nothing (parameters: insertParams). */
export const INSERT_QUEUED = `INSERT INTO outbox (kind, idem_scope, idem_key, request_hash, method, to_address, calldata, value, payer,
    nonce, status, gas_limit, created_at, updated_at, gas_from_cache, resend)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $11, $12, $12, $13, $14)
  ON CONFLICT (idem_scope, idem_key) DO NOTHING`;

/**
 * Inserts a row already signed (parameters: insertParams, then raw_tx, tx_hashes and the fees);
 * an idempotency key already used inserts nothing.
 */
export const INSERT_SIGNED = `INSERT INTO outbox (kind, idem_scope, idem_key, request_hash, method, to_address, calldata, value, payer,
    nonce, status, gas_limit, created_at, updated_at, gas_from_cache, resend, raw_tx, tx_hashes, max_fee_per_gas,
    max_priority_fee_per_gas, gas_price, attempts)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'signed', $11, $12, $12, $13, $14, $15, $16, $17, $18, $19, 1)
  ON CONFLICT (idem_scope, idem_key) DO NOTHING`;

export function insertParams(row: NewOutboxRow, now: number): SqlValue[] {
  return [
    row.kind,
    row.idemScope ?? null,
    row.idemKey ?? null,
    row.requestHash,
    row.method,
    row.to,
    row.calldata,
    row.value ?? "0",
    row.payer,
    row.nonce ?? null,
    row.gasLimit,
    now,
    row.gasFromCache === true ? 1 : 0,
    row.resend === true ? resendCode("pending") : resendCode("none"),
  ];
}
