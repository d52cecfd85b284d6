/**
 * One answer per retry key (docs/finality.md, "Sent again after a crash"). A call the writer sends
 * again on its own initiative carries a key of its own scope (`batch-retry/<row id>:<index>`,
 * `cached-gas-retry/<row id>`), and several senders may use the same key: the batching front or the
 * write() that sent the row, the start-up recovery of this relayer, another relayer's on the same
 * database. A row stored under the key gives every sender the same answer. A pre-flight refusal
 * stores nothing, though, so a second sender would pre-flight the call again, on a state that may
 * have changed (or from a node that lags less), and could apply a call whose first sender had
 * already answered its caller that it was refused. So such a refusal is stored under the key as a
 * row reverted with that error, without a transaction (final, no nonce, nothing on chain): whoever
 * stores a row under the key first decides the answer of all.
 *
 * A refusal that stores nothing and that a later attempt may get past (the payer check failing, the
 * node unreachable for the pre-flight; until-sent.ts) is not an answer about the call either: the
 * recovery tries again until a row is stored. The batching front that sends a batch's call again
 * must not answer its caller "nothing was sent" then (another sender may apply the call later under
 * the key): its caller is answered 503 queued and the batch is followed by the recovery
 * (BatchRecovery.follow), which sends the call once it can.
 */
import type { NewOutboxRow, OutboxPort, OutboxRow, RevertError, WriteRequest } from "../../ports";
import { BATCH_RETRY_SCOPE } from "../batch-encoding";
import { CACHED_GAS_RETRY_SCOPE } from "./cached-gas-retry";

/** Whether `scope` is one of the writer's own retry scopes (never a client's: theirs are master hashes or "anon:<ip>"). */
export function isRetryScope(scope: string | null): boolean {
  return scope === BATCH_RETRY_SCOPE || scope === CACHED_GAS_RETRY_SCOPE;
}

/**
 * Stores the pre-flight refusal `err` of `row` (a call under a retry key) under its key. Null when it
 * is stored (the refusal is the answer); else the row another sender stored under the key first,
 * whose outcome is the answer.
 */
export async function refuseUnderKey(outbox: OutboxPort, row: NewOutboxRow, err: RevertError): Promise<OutboxRow | null> {
  const stored = await outbox.insertRefused(row, { name: err.errorName, args: err.errorArgs, message: err.message });
  if (stored !== null) return null;
  const other = row.idemScope && row.idemKey ? await outbox.findByKey(row.idemScope, row.idemKey) : null;
  if (other === null) throw new Error("outbox: a refusal lost its key's row");
  return other;
}

/** Requests of the writer's own retries (the recovery, the cached-gas retry): sent as they are. */
const OWN = new WeakSet<WriteRequest>();

/** Marks `request` as one of the writer's own retries; returns it. */
export function ownRetry(request: WriteRequest): WriteRequest {
  OWN.add(request);
  return request;
}

/**
 * The batch row a call sent again by the batching front belongs to (its key `batch-retry/<row id>:<index>`);
 * null for any other request, and for the writer's own retries.
 */
export function frontRetryBatch(request: WriteRequest): number | null {
  if (request.idempotencyScope !== BATCH_RETRY_SCOPE || request.idempotencyKey === undefined || OWN.has(request)) return null;
  const id = Number(request.idempotencyKey.split(":")[0]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
