/**
 * The outbox worker's reads of in-flight rows (store/outbox.ts; split out to keep that file under
 * the size limit): the heads of every row not yet in a terminal state, then the full rows of the
 * few the tick acts on (docs/relayer-latency.md, "Eighth pass"). A head has no calldata, raw
 * transaction or attempt hashes: with a handful of writes under way, each held by its own write,
 * a tick at the bench's 25 ms poll read and mapped every one of them whole to skip them all.
 */
import type { InFlightHead, OutboxKind, OutboxStatus } from "../ports";
import type { Queryable } from "./db";

/** Statuses not terminal: the rows the worker follows (re-exported by outbox.ts). */
export const IN_FLIGHT: readonly OutboxStatus[] = ["queued", "signed", "sent"];

/** Constant words as a SQL IN list ('a', 'b'): statuses and kinds only, never input. */
export const inList = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(", ");
const IN_FLIGHT_SQL = inList(IN_FLIGHT);

/** The heads' statement: served by the outbox_status index, ordered as OutboxStore.inFlight. */
export const IN_FLIGHT_HEADS = `SELECT id, kind, payer, status, created_at, updated_at, sent_at FROM outbox
  WHERE status IN (${IN_FLIGHT_SQL}) ORDER BY payer, nonce, id`;

interface HeadDb {
  id: number;
  kind: string;
  payer: string;
  status: string;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

/** The in-flight rows' heads, by payer and nonce. */
export async function inFlightHeads(q: Queryable): Promise<InFlightHead[]> {
  const rows = await q.query<HeadDb>(IN_FLIGHT_HEADS);
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind as OutboxKind,
    payer: r.payer,
    status: r.status as OutboxStatus,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    sentAt: r.sent_at === null || r.sent_at === undefined ? null : Number(r.sent_at),
  }));
}

/** Ids per statement: well below SQLite's and Postgres' limits on parameters. */
const IDS_PER_STATEMENT = 500;

/**
 * The full rows among `ids` still in flight, in the order of `ids`: `select(sql, ids)` runs the
 * statement built here for each slice of at most IDS_PER_STATEMENT ids.
 */
export async function inFlightByIds<R extends { id: number }>(
  ids: readonly number[],
  select: (sql: string, ids: readonly number[]) => Promise<R[]>,
  columns: string,
): Promise<R[]> {
  const found = new Map<number, R>();
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const slice = ids.slice(i, i + IDS_PER_STATEMENT);
    const marks = slice.map((_, j) => `$${j + 1}`).join(", ");
    for (const r of await select(`SELECT ${columns} FROM outbox WHERE id IN (${marks}) AND status IN (${IN_FLIGHT_SQL})`, slice)) {
      found.set(r.id, r);
    }
  }
  return ids.flatMap((id) => {
    const r = found.get(id);
    return r === undefined ? [] : [r];
  });
}
