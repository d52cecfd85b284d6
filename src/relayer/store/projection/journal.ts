/**
 * Row writes of the projection, journaled for undo (docs/finality.md, "The index on a reorg").
 *
 * RowWriter is bound to one transaction and one block. Every insert, update and delete it makes
 * stamps the row with the block (`block_number`, so every row can be traced to the block that last
 * wrote it) and, when journaling, first records the row's previous image (or its absence) in
 * `index_journal` under that block. `undoAfter(tx, block)` restores those images newest first, which
 * puts every index table back exactly as it was after `block`.
 *
 * Blocks older than the reorg window are applied without a journal (they can no longer be undone
 * and the journal would only grow); the journal of blocks that leave the window is pruned. Without
 * a journal no previous image is needed, so each write is one statement (an upsert, an insert that
 * does nothing on a conflict, an UPDATE or DELETE whose changed-row count answers), and the writes
 * whose result nobody needs (upserts, set appends) are queued and sent together (Queryable.runMany:
 * one round trip on Postgres) before the next read or the end of the block. Every read, including
 * those the handlers make through `w.tx`, sends the queue first, so statements keep their order.
 */
import type { Queryable, SqlRow, SqlValue, Statement, TxOptions } from "../db";
import { INDEX_TABLES, isIndexTable, type IndexTable } from "./tables";

export type Row = Record<string, SqlValue>;

function keyOf(table: IndexTable, row: Row): SqlValue[] {
  return INDEX_TABLES[table].map((k) => {
    const v = row[k];
    if (v === undefined) throw new Error(`${table}: key column ${k} missing`);
    return v;
  });
}

function whereKey(table: IndexTable, first = 1): string {
  return INDEX_TABLES[table].map((k, i) => `${k} = $${first + i}`).join(" AND ");
}

async function insertRow(tx: Queryable, table: IndexTable, row: Row): Promise<void> {
  const cols = Object.keys(row);
  const marks = cols.map((_, i) => `$${i + 1}`).join(", ");
  await tx.run(`INSERT INTO ${table} (${cols.join(", ")}) VALUES (${marks})`, cols.map((c) => row[c]));
}

function conflictKey(table: IndexTable): string {
  return INDEX_TABLES[table].join(", ");
}

async function deleteRow(tx: Queryable, table: IndexTable, key: readonly SqlValue[]): Promise<void> {
  await tx.run(`DELETE FROM ${table} WHERE ${whereKey(table)}`, key);
}

/** The transaction as the handlers see it: every statement first sends the writer's queued writes. */
class FlushingQueryable implements Queryable {
  constructor(
    private readonly inner: Queryable,
    private readonly flush: () => Promise<void>,
  ) {}
  get dialect(): Queryable["dialect"] {
    return this.inner.dialect;
  }
  async query<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    await this.flush();
    return this.inner.query<T>(sql, params);
  }
  async one<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    await this.flush();
    return this.inner.one<T>(sql, params);
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    await this.flush();
    return this.inner.run(sql, params);
  }
  async exec(sql: string): Promise<void> {
    await this.flush();
    return this.inner.exec(sql);
  }
  async runMany(statements: readonly Statement[]): Promise<void> {
    await this.flush();
    return this.inner.runMany(statements);
  }
  async tx<T>(fn: (tx: Queryable) => Promise<T>, options?: TxOptions): Promise<T> {
    await this.flush();
    return fn(this);
  }
}

/** Queued writes are sent at the latest when this many are waiting. */
const MAX_QUEUED = 500;

export class RowWriter {
  /** The block's transaction; statements made through it first send the queued writes. */
  readonly tx: Queryable;
  private readonly raw: Queryable;
  private queued: Statement[] = [];

  constructor(
    tx: Queryable,
    /** The block being applied (stamped on every row written). */
    readonly block: number,
    /** Record previous images (inside the reorg window). */
    private readonly journaled: boolean,
  ) {
    this.raw = tx;
    this.tx = new FlushingQueryable(tx, () => this.flush());
  }

  /** Sends the queued writes (call before the transaction commits). */
  async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    await this.raw.runMany(batch);
  }

  private async enqueue(st: Statement): Promise<void> {
    this.queued.push(st);
    if (this.queued.length >= MAX_QUEUED) await this.flush();
  }

  /** The row with this key, or undefined. */
  async get(table: IndexTable, key: readonly SqlValue[]): Promise<Row | undefined> {
    return this.tx.one<Row>(`SELECT * FROM ${table} WHERE ${whereKey(table)}`, key);
  }

  /** Inserts `row` unless a row with its key exists; returns whether it inserted. */
  async insert(table: IndexTable, row: Row): Promise<boolean> {
    const key = keyOf(table, row);
    if (!this.journaled) return (await this.insertIfAbsent(table, row)) > 0;
    if (await this.get(table, key)) return false;
    await this.journal(table, key, null);
    await insertRow(this.tx, table, { ...row, block_number: this.block });
    return true;
  }

  /**
   * Inserts `row` with `pos` = the next position of its set (one past the highest `pos` among the
   * rows where `scope.column` is `scope.value`, or in the whole table without a scope), unless a row with
   * its key exists (projection/sets.ts).
   */
  async insertAtEnd(table: IndexTable, row: Row, scope?: { column: string; value: SqlValue }): Promise<void> {
    const key = keyOf(table, row);
    const where = scope ? `WHERE ${scope.column} = $1` : "WHERE 1 = 1";
    const scopeParams = scope ? [scope.value] : [];
    if (!this.journaled) {
      // One statement: the position is computed inside it (SQLite wants the WHERE before ON CONFLICT).
      const full: Row = { ...row, block_number: this.block };
      const cols = Object.keys(full);
      const first = scopeParams.length + 1;
      const marks = cols.map((_, i) => `$${first + i}`).join(", ");
      await this.enqueue({
        sql: `INSERT INTO ${table} (${cols.join(", ")}, pos) SELECT ${marks}, COALESCE(MAX(pos) + 1, 0) FROM ${table} ${where}
           ON CONFLICT (${conflictKey(table)}) DO NOTHING`,
        params: [...scopeParams, ...cols.map((c) => full[c])],
      });
      return;
    }
    if (await this.get(table, key)) return;
    const next = await this.tx.one<{ p: number }>(`SELECT COALESCE(MAX(pos) + 1, 0) AS p FROM ${table} ${where}`, scopeParams);
    await this.journal(table, key, null);
    await insertRow(this.tx, table, { ...row, pos: Number(next?.p ?? 0), block_number: this.block });
  }

  /** Inserts `row`, or updates the existing row of its key with `row`'s columns. */
  async upsert(table: IndexTable, row: Row): Promise<void> {
    const key = keyOf(table, row);
    if (!this.journaled) {
      const full: Row = { ...row, block_number: this.block };
      const cols = Object.keys(full);
      const keys = new Set<string>(INDEX_TABLES[table]);
      const set = cols.filter((c) => !keys.has(c)).map((c) => `${c} = excluded.${c}`);
      await this.enqueue({
        sql: `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})
         ON CONFLICT (${conflictKey(table)}) DO UPDATE SET ${set.join(", ")}`,
        params: cols.map((c) => full[c]),
      });
      return;
    }
    const before = await this.get(table, key);
    if (!before) {
      await this.journal(table, key, null);
      await insertRow(this.tx, table, { ...row, block_number: this.block });
      return;
    }
    await this.updateExisting(table, key, before, row);
  }

  /** Updates the row of `key` with `changes`; returns false (and changes nothing) when there is none. */
  async update(table: IndexTable, key: readonly SqlValue[], changes: Row): Promise<boolean> {
    if (!this.journaled) return (await this.setColumns(table, key, changes)) > 0;
    const before = await this.get(table, key);
    if (!before) return false;
    await this.updateExisting(table, key, before, changes);
    return true;
  }

  /** Deletes the row of `key`; returns whether there was one. */
  async delete(table: IndexTable, key: readonly SqlValue[]): Promise<boolean> {
    if (!this.journaled) return (await this.tx.run(`DELETE FROM ${table} WHERE ${whereKey(table)}`, key)) > 0;
    const before = await this.get(table, key);
    if (!before) return false;
    await this.journal(table, key, before);
    await deleteRow(this.tx, table, key);
    return true;
  }

  private async updateExisting(table: IndexTable, key: readonly SqlValue[], before: Row, changes: Row): Promise<void> {
    await this.journal(table, key, before);
    await this.setColumns(table, key, changes);
  }

  /** UPDATE of `changes` (and the block stamp) on the row of `key`; returns the rows changed. */
  private async setColumns(table: IndexTable, key: readonly SqlValue[], changes: Row): Promise<number> {
    const values: Row = { ...changes, block_number: this.block };
    const cols = Object.keys(values);
    const set = cols.map((c, i) => `${c} = $${i + 1}`).join(", ");
    return this.tx.run(`UPDATE ${table} SET ${set} WHERE ${whereKey(table, cols.length + 1)}`, [
      ...cols.map((c) => values[c]),
      ...key,
    ]);
  }

  private async insertIfAbsent(table: IndexTable, row: Row): Promise<number> {
    const full: Row = { ...row, block_number: this.block };
    const cols = Object.keys(full);
    return this.tx.run(
      `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})
       ON CONFLICT (${conflictKey(table)}) DO NOTHING`,
      cols.map((c) => full[c]),
    );
  }

  private async journal(table: IndexTable, key: readonly SqlValue[], before: Row | null | undefined): Promise<void> {
    if (!this.journaled) return;
    await this.tx.run("INSERT INTO index_journal (block, tbl, row_key, prior_row) VALUES ($1, $2, $3, $4)", [
      this.block,
      table,
      JSON.stringify(key),
      before ? JSON.stringify(before) : null,
    ]);
  }
}

/**
 * Restores every row changed by blocks above `block` to its image before them (newest change
 * first) and drops their journal. Call inside the transaction that also moves the cursor.
 * Returns the number of row changes undone.
 */
export async function undoAfter(tx: Queryable, block: number): Promise<number> {
  const entries = await tx.query<{ seq: number; tbl: string; row_key: string; prior_row: string | null }>(
    "SELECT seq, tbl, row_key, prior_row FROM index_journal WHERE block > $1 ORDER BY seq DESC",
    [block],
  );
  for (const e of entries) {
    if (!isIndexTable(e.tbl)) throw new Error(`index journal: unknown table ${e.tbl}`);
    const key = JSON.parse(e.row_key) as SqlValue[];
    await deleteRow(tx, e.tbl, key);
    if (e.prior_row !== null) await insertRow(tx, e.tbl, JSON.parse(e.prior_row) as Row);
  }
  await tx.run("DELETE FROM index_journal WHERE block > $1", [block]);
  return entries.length;
}
