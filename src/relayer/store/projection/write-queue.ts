/**
 * The projection's queued writes (journal.ts): the writes of a block whose result no handler reads
 * (upserts, set appends, column updates, deletes, journal rows) wait here until the next read or
 * the end of the block, and then go to the database together, in as few statements as possible
 * (bench/results/scale.md: on Postgres the planning of one small statement per write, not the
 * round trips, was what a block cost).
 *
 * Writes are kept in batches of one shape (same kind, table and columns). A write joins the latest
 * batch of its shape unless a later batch of the same table holds a write it does not commute
 * with: the same row (key), or a column one of them reads that the other writes (an append reads
 * the set's positions, its counters and the scope; a delete writes every column). Writes to
 * different tables always commute (no statement here reads another table). So GroupAdded,
 * GroupMetadataSet, GroupAdded, ... becomes one batch of appends followed by one of updates, which
 * is what they mean in that order.
 *
 * A column update (set) of a row whose append is still queued, as the latest queued write of that
 * row, folds into that append instead of being queued (WriteQueue.fold): the append inserts the
 * row with the final column values and, should the row exist already, updates those columns on
 * the conflict. The diamond emits an
 * entity's metadata (a usage key's permissions too) right after adding it, so a new group, action,
 * wallet or usage key is one INSERT instead of an INSERT and an UPDATE: one statement less per
 * entity on SQLite, one batch statement less per block on Postgres, and no dead row version there
 * (docs/finality.md, "Writes of a block"). The update moves back to its append under the rule
 * above (it commutes with every write queued after the append), and only for columns the append's
 * row has and does not compute or scope by (not `pos`, a counter, the scope column or the key).
 *
 * On Postgres a batch of several writes is one statement (a multi-row INSERT ... VALUES upsert, an
 * INSERT ... SELECT over a VALUES list numbering each scope's new members after its highest
 * position, an UPDATE ... FROM VALUES), after dropping writes a later one of the batch makes moot
 * (upsert / update of the same row: the last wins; append of a member already appended: the first
 * wins; a batch of appends with folded updates inserts its members present already too, to update
 * them, numbering only the new ones). An append batch finds its members present already by a probe of
 * the primary key per member and each scope's highest position by a seek on its (scope, pos) index,
 * never by reading the whole table (absent()). SQLite runs in process, where a statement costs little: each write is its own statement,
 * in batch order (so both databases apply the same order).
 */
import type { Dialect, SqlValue, Statement } from "../db";
import { INDEX_TABLES, type IndexTable } from "./tables";

export type Row = Record<string, SqlValue>;

/** Next-value columns an append fills: `pos` in its scope (or the whole table), plus table-wide counters. */
export interface AppendScope {
  column: string;
  value: SqlValue;
}

export type QueuedWrite =
  /** INSERT, or UPDATE of `row`'s columns on a conflict of the key (`row` holds the block stamp). */
  | { kind: "upsert"; table: IndexTable; row: Row }
  /**
   * INSERT with pos = one past the highest pos of the scope (or of the table), and each counter
   * one past its highest value in the table, unless a row with the key exists; `folded` (column
   * updates of the row folded into the append, see WriteQueue.fold): when the row exists, UPDATE
   * of these columns to `row`'s values instead of nothing.
   */
  | {
      kind: "append";
      table: IndexTable;
      row: Row;
      scope: AppendScope | null;
      counters: readonly string[];
      folded?: readonly string[];
    }
  /** UPDATE of `changes` (with the block stamp) on the row of `key`; nothing when there is none. */
  | { kind: "set"; table: IndexTable; key: readonly SqlValue[]; changes: Row }
  /** DELETE of the row of `key`. */
  | { kind: "delete"; table: IndexTable; key: readonly SqlValue[] }
  /** A statement on a table of its own (the undo journal, the kept block hashes), kept in order. */
  | { kind: "raw"; statement: Statement };

interface Batch {
  shape: string;
  table: string;
  writes: QueuedWrite[];
  /** The index in `writes` of the latest write of each key. */
  keys: Map<string, number>;
  /** Keys written more than once in the batch. */
  repeated: Set<string>;
  /** Columns the batch's writes write ("*": every column). */
  written: Set<string>;
  /** Columns the batch's writes read besides their own row. */
  reads: Set<string>;
}

function keyOf(table: IndexTable, row: Row): SqlValue[] {
  return INDEX_TABLES[table].map((k) => {
    const v = row[k];
    if (v === undefined) throw new Error(`${table}: key column ${k} missing`);
    return v;
  });
}

function keyText(w: QueuedWrite): string {
  switch (w.kind) {
    case "upsert":
    case "append":
      return JSON.stringify(keyOf(w.table, w.row).map(String));
    case "set":
    case "delete":
      return JSON.stringify(w.key.map(String));
    case "raw":
      return "";
  }
}

function shapeOf(w: QueuedWrite, serial: number): string {
  switch (w.kind) {
    case "upsert":
      return `upsert ${w.table} ${Object.keys(w.row).join(",")}`;
    case "append":
      return `append ${w.table} ${Object.keys(w.row).join(",")} ${w.scope?.column ?? ""} ${w.counters.join(",")}`;
    case "set":
      return `set ${w.table} ${Object.keys(w.changes).join(",")}`;
    // Deletes and statements of their own are never merged.
    case "delete":
    case "raw":
      return `${w.kind} ${serial}`;
  }
}

function writtenColumns(w: QueuedWrite): string[] {
  switch (w.kind) {
    case "upsert":
      return Object.keys(w.row);
    case "append":
      return [...Object.keys(w.row), "pos", ...w.counters];
    case "set":
      return Object.keys(w.changes);
    case "delete":
      return ["*"];
    case "raw":
      return [];
  }
}

function readColumns(w: QueuedWrite): string[] {
  return w.kind === "append" ? ["pos", ...w.counters, ...(w.scope ? [w.scope.column] : [])] : [];
}

function meets(a: Set<string>, b: readonly string[]): boolean {
  if (a.size === 0 || b.length === 0) return false;
  if (a.has("*") || b.includes("*")) return true;
  return b.some((c) => a.has(c));
}

/** Whether `w` may move before every write of `b` (same table). */
function commutes(b: Batch, w: QueuedWrite, key: string): boolean {
  if (b.keys.has(key)) return false;
  return !meets(b.written, readColumns(w)) && !meets(b.reads, writtenColumns(w));
}

const placeholders = (first: number, n: number): string => Array.from({ length: n }, (_, i) => `$${first + i}`).join(", ");

function whereKey(table: IndexTable, first: number, alias = ""): string {
  return INDEX_TABLES[table].map((k, i) => `${alias}${k} = $${first + i}`).join(" AND ");
}

// ---- one write, one statement (both databases)

/** An append's conflict action: nothing, or the update of its folded columns (from the row it would have inserted). */
function onConflict(table: IndexTable, folded: readonly string[] | undefined): string {
  const target = `ON CONFLICT (${INDEX_TABLES[table].join(", ")})`;
  if (!folded || folded.length === 0) return `${target} DO NOTHING`;
  return `${target} DO UPDATE SET ${folded.map((c) => `${c} = excluded.${c}`).join(", ")}`;
}

function upsertSql(table: IndexTable, cols: readonly string[], values: string): string {
  const keys = new Set<string>(INDEX_TABLES[table]);
  const set = cols.filter((c) => !keys.has(c)).map((c) => `${c} = excluded.${c}`);
  const action = set.length > 0 ? `DO UPDATE SET ${set.join(", ")}` : "DO NOTHING";
  return `INSERT INTO ${table} (${cols.join(", ")}) VALUES ${values} ON CONFLICT (${INDEX_TABLES[table].join(", ")}) ${action}`;
}

function single(w: QueuedWrite): Statement {
  switch (w.kind) {
    case "upsert": {
      const cols = Object.keys(w.row);
      return { sql: upsertSql(w.table, cols, `(${placeholders(1, cols.length)})`), params: cols.map((c) => w.row[c]) };
    }
    case "append": {
      const cols = Object.keys(w.row);
      const params: SqlValue[] = cols.map((c) => w.row[c]);
      let scope = "";
      if (w.scope) {
        params.push(w.scope.value);
        scope = ` WHERE ${w.scope.column} = $${params.length}`;
      }
      const next = [
        `(SELECT COALESCE(MAX(pos) + 1, 0) FROM ${w.table}${scope})`,
        ...w.counters.map((c) => `(SELECT COALESCE(MAX(${c}) + 1, 0) FROM ${w.table})`),
      ];
      // SQLite wants a WHERE between INSERT ... SELECT and ON CONFLICT.
      return {
        sql:
          `INSERT INTO ${w.table} (${[...cols, "pos", ...w.counters].join(", ")}) ` +
          `SELECT ${placeholders(1, cols.length)}, ${next.join(", ")} WHERE 1 = 1 ` +
          onConflict(w.table, w.folded),
        params,
      };
    }
    case "set": {
      const cols = Object.keys(w.changes);
      const set = cols.map((c, i) => `${c} = $${i + 1}`).join(", ");
      return {
        sql: `UPDATE ${w.table} SET ${set} WHERE ${whereKey(w.table, cols.length + 1)}`,
        params: [...cols.map((c) => w.changes[c]), ...w.key],
      };
    }
    case "delete":
      return { sql: `DELETE FROM ${w.table} WHERE ${whereKey(w.table, 1)}`, params: [...w.key] };
    case "raw":
      return w.statement;
  }
}

// ---- a batch, one statement (Postgres)

/** The writes of a batch that matter: the last of each row (keepLast) or the first. */
function distinct(writes: readonly QueuedWrite[], keepLast: boolean): QueuedWrite[] {
  const byKey = new Map<string, QueuedWrite>();
  for (const w of writes) {
    const k = keyText(w);
    if (keepLast) byKey.delete(k);
    if (keepLast || !byKey.has(k)) byKey.set(k, w);
  }
  return [...byKey.values()];
}

/**
 * Whether every column of a VALUES list has one type (all text or all numbers, no NULL): the
 * list's column types then come out right without knowing the table's (Postgres types a VALUES
 * column from its values when it is not the target of an INSERT ... VALUES).
 */
function uniform(rows: readonly (readonly SqlValue[])[]): boolean {
  const kind = (v: SqlValue): string =>
    typeof v === "string" ? "text" : typeof v === "number" || typeof v === "boolean" ? "number" : "other";
  const first = rows[0].map(kind);
  if (first.includes("other")) return false;
  return rows.every((r) => r.every((v, i) => kind(v) === first[i]));
}

class Params {
  readonly values: SqlValue[] = [];
  row(values: readonly SqlValue[]): string {
    const first = this.values.length + 1;
    this.values.push(...values);
    return `(${placeholders(first, values.length)})`;
  }
}

function mergedUpsert(writes: readonly QueuedWrite[]): Statement | null {
  const rows = writes.flatMap((w) => (w.kind === "upsert" ? [w] : []));
  const table = rows[0].table;
  const cols = Object.keys(rows[0].row);
  const p = new Params();
  // INSERT ... VALUES coerces each value to its column's type: no need for uniform().
  const values = rows.map((w) => p.row(cols.map((c) => w.row[c]))).join(", ");
  return { sql: upsertSql(table, cols, values), params: p.values };
}

/**
 * Whether the batch member `v` has no row in `table` yet, as a probe of the primary key per member:
 * a scalar subquery (LIMIT 1) the planner can neither turn into a join nor hash. The NOT EXISTS it
 * replaces let the planner hash the whole table (a hash anti-join or a hashed subplan: a full scan
 * per append batch, growing with the table) instead of probing the batch's few hundred keys
 * (docs/finality.md, "Writes of a block").
 */
function absent(table: IndexTable): string {
  return `(SELECT 1 FROM ${table} x WHERE ${INDEX_TABLES[table].map((k) => `x.${k} = v.${k}`).join(" AND ")} LIMIT 1) IS NULL`;
}

function mergedAppend(writes: readonly QueuedWrite[]): Statement | null {
  const rows = writes.flatMap((w) => (w.kind === "append" ? [w] : []));
  const { table, scope, counters } = rows[0];
  const cols = Object.keys(rows[0].row);
  const folds = new Set(rows.flatMap((w) => (w.folded && w.folded.length > 0 ? [w.folded.join(",")] : [])));
  // One conflict action per statement: the appends with folded updates must all fold the same columns.
  if (folds.size > 1) return null;
  if (folds.size === 1) return mergedFoldedAppend(rows, cols);
  const lists = rows.map((w, i) => [i, ...(scope ? [w.scope?.value] : []), ...cols.map((c) => w.row[c])]);
  if (!uniform(lists)) return null;
  const p = new Params();
  const values = lists.map((l) => p.row(l)).join(", ");
  const vcols = ["_o", ...(scope ? ["_s"] : []), ...cols];
  const key = INDEX_TABLES[table];
  // Each new member after the highest position of its scope as the statement began (a statement's
  // subqueries do not see the rows it inserts), numbered in queue order; a member already present
  // takes no position (absent(), evaluated before the numbering).
  const pos = scope
    ? `COALESCE((SELECT MAX(x.pos) FROM ${table} x WHERE x.${scope.column} = v._s), -1) + ROW_NUMBER() OVER (PARTITION BY v._s ORDER BY v._o)`
    : `COALESCE((SELECT MAX(x.pos) FROM ${table} x), -1) + ROW_NUMBER() OVER (ORDER BY v._o)`;
  const next = counters.map((c) => `COALESCE((SELECT MAX(x.${c}) FROM ${table} x), -1) + ROW_NUMBER() OVER (ORDER BY v._o)`);
  return {
    sql:
      `INSERT INTO ${table} (${[...cols, "pos", ...counters].join(", ")}) ` +
      `SELECT ${[...cols.map((c) => `v.${c}`), pos, ...next].join(", ")} ` +
      `FROM (VALUES ${values}) AS v(${vcols.join(", ")}) ` +
      `WHERE ${absent(table)} ` +
      `ORDER BY v._o ON CONFLICT (${key.join(", ")}) DO NOTHING`,
    params: p.values,
  };
}

type Append = Extract<QueuedWrite, { kind: "append" }>;

/**
 * mergedAppend for a batch where some appends carry folded updates (all of the same columns): a
 * member already present takes no position, as there, but one with folded updates still goes to
 * the INSERT, whose conflict action updates the folded columns. The numbering counts the new
 * members only (partitioned by `_n`, whether the member is new).
 */
function mergedFoldedAppend(rows: readonly Append[], cols: readonly string[]): Statement | null {
  const { table, scope, counters } = rows[0];
  const folded = rows.find((w) => w.folded && w.folded.length > 0)?.folded ?? [];
  const lists = rows.map((w, i) => [
    i,
    ...(scope ? [w.scope?.value] : []),
    w.folded && w.folded.length > 0 ? 1 : 0,
    ...cols.map((c) => w.row[c]),
  ]);
  if (!uniform(lists)) return null;
  const p = new Params();
  const values = lists.map((l) => p.row(l)).join(", ");
  const vcols = ["_o", ...(scope ? ["_s"] : []), "_u", ...cols];
  const pos = scope
    ? `COALESCE((SELECT MAX(x.pos) FROM ${table} x WHERE x.${scope.column} = v._s), -1) + ROW_NUMBER() OVER (PARTITION BY v._s, v._n ORDER BY v._o)`
    : `COALESCE((SELECT MAX(x.pos) FROM ${table} x), -1) + ROW_NUMBER() OVER (PARTITION BY v._n ORDER BY v._o)`;
  const next = counters.map(
    (c) => `COALESCE((SELECT MAX(x.${c}) FROM ${table} x), -1) + ROW_NUMBER() OVER (PARTITION BY v._n ORDER BY v._o)`,
  );
  // MATERIALIZED: `_n` is evaluated once per member (inlined, the filter and the numbering would each
  // evaluate absent(), probing the table twice per member).
  return {
    sql:
      `WITH v AS MATERIALIZED (SELECT v.*, ${absent(table)} AS _n ` +
      `FROM (VALUES ${values}) AS v(${vcols.join(", ")})) ` +
      `INSERT INTO ${table} (${[...cols, "pos", ...counters].join(", ")}) ` +
      `SELECT ${[...cols.map((c) => `v.${c}`), pos, ...next].join(", ")} ` +
      `FROM v WHERE v._n OR v._u = 1 ORDER BY v._o ${onConflict(table, folded)}`,
    params: p.values,
  };
}

function mergedSet(writes: readonly QueuedWrite[]): Statement | null {
  const rows = writes.flatMap((w) => (w.kind === "set" ? [w] : []));
  const table = rows[0].table;
  const cols = Object.keys(rows[0].changes);
  const key = INDEX_TABLES[table];
  const lists = rows.map((w) => [...w.key, ...cols.map((c) => w.changes[c])]);
  if (!uniform(lists)) return null;
  const p = new Params();
  const values = lists.map((l) => p.row(l)).join(", ");
  const kcols = key.map((_, i) => `_k${i}`);
  return {
    sql:
      `UPDATE ${table} SET ${cols.map((c) => `${c} = v.${c}`).join(", ")} ` +
      `FROM (VALUES ${values}) AS v(${[...kcols, ...cols].join(", ")}) ` +
      `WHERE ${key.map((k, i) => `${table}.${k} = v.${kcols[i]}`).join(" AND ")}`,
    params: p.values,
  };
}

function merged(batch: Batch): Statement[] {
  const kind = batch.writes[0].kind;
  if (kind !== "upsert" && kind !== "append" && kind !== "set") return batch.writes.map(single);
  const writes = distinct(batch.writes, kind !== "append");
  if (writes.length === 1) return [single(writes[0])];
  const one = kind === "upsert" ? mergedUpsert(writes) : kind === "append" ? mergedAppend(writes) : mergedSet(writes);
  return one ? [one] : writes.map(single);
}

/** The queued writes of one block's transaction. */
export class WriteQueue {
  private batches: Batch[] = [];
  private count = 0;
  private serial = 0;

  constructor(private readonly dialect: Dialect) {}

  get size(): number {
    return this.count;
  }

  add(w: QueuedWrite): void {
    const shape = shapeOf(w, this.serial++);
    if (w.kind === "raw") {
      this.count++;
      this.batches.push({ shape, table: "", writes: [w], keys: new Map(), repeated: new Set(), written: new Set(), reads: new Set() });
      return;
    }
    const table = w.table;
    const key = keyText(w);
    if (w.kind === "set" && this.fold(w, key)) return;
    this.count++;
    let target: Batch | undefined;
    for (let i = this.batches.length - 1; i >= 0; i--) {
      const b = this.batches[i];
      if (b.shape === shape) {
        target = b;
        break;
      }
      if (b.table === table && !commutes(b, w, key)) break;
    }
    if (!target) {
      target = { shape, table, writes: [], keys: new Map(), repeated: new Set(), written: new Set(), reads: new Set() };
      this.batches.push(target);
    }
    if (target.keys.has(key)) target.repeated.add(key);
    target.keys.set(key, target.writes.length);
    target.writes.push(w);
    for (const c of writtenColumns(w)) target.written.add(c);
    for (const c of readColumns(w)) target.reads.add(c);
  }

  /**
   * Folds the column update `w` into the queued append of the same row when that append is the
   * latest queued write of the row and `w` commutes with every write queued after it (the rule of `add`). The append then
   * inserts the row with `w`'s values and, should the row exist already (the append then inserts
   * nothing), updates `w`'s columns on the conflict: the same as the append followed by `w`, with
   * one row version where there were two. Only columns the append's row has and the append does
   * not compute or scope by (pos, counters, the scope column, the key) fold, so the batch's shape
   * and the positions it computes stay as they were. Returns whether `w` was folded. (Upserts do
   * not fold: every table with appends has a NOT NULL `pos`, so an upsert of one of its rows must
   * carry `pos`, a column the append computes.)
   */
  private fold(w: Extract<QueuedWrite, { kind: "set" }>, key: string): boolean {
    for (let i = this.batches.length - 1; i >= 0; i--) {
      const b = this.batches[i];
      if (b.table !== w.table) continue;
      const at = b.keys.get(key);
      if (at === undefined) {
        if (!commutes(b, w, key)) return false;
        continue;
      }
      const a = b.writes[at];
      // A repeated key: an earlier append of the batch may be the one that inserts (Postgres keeps the first).
      if (a.kind !== "append" || b.repeated.has(key)) return false;
      const keyCols: readonly string[] = INDEX_TABLES[w.table];
      const row: Row = { ...a.row };
      const cols = Object.keys(w.changes);
      for (const c of cols) {
        if (!(c in row) || keyCols.includes(c) || c === "pos" || c === a.scope?.column || a.counters.includes(c)) return false;
        row[c] = w.changes[c];
      }
      // In the row's column order: appends folding the same columns fold them in the same order.
      const folded = Object.keys(row).filter((c) => cols.includes(c) || (a.folded?.includes(c) ?? false));
      b.writes[at] = { ...a, row, folded };
      return true;
    }
    return false;
  }

  /** The statements of every queued write, in an order with the same effect as the queue's; empties the queue. */
  take(): Statement[] {
    const batches = this.batches;
    this.batches = [];
    this.count = 0;
    if (this.dialect === "postgres") return batches.flatMap(merged);
    return batches.flatMap((b) => b.writes.map(single));
  }
}
