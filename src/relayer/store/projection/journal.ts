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
 * and the journal would only grow); the journal of blocks that leave the window is pruned.
 */
import type { Queryable, SqlValue } from "../db";
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

async function deleteRow(tx: Queryable, table: IndexTable, key: readonly SqlValue[]): Promise<void> {
  await tx.run(`DELETE FROM ${table} WHERE ${whereKey(table)}`, key);
}

export class RowWriter {
  constructor(
    readonly tx: Queryable,
    /** The block being applied (stamped on every row written). */
    readonly block: number,
    /** Record previous images (inside the reorg window). */
    private readonly journaled: boolean,
  ) {}

  /** The row with this key, or undefined. */
  async get(table: IndexTable, key: readonly SqlValue[]): Promise<Row | undefined> {
    return this.tx.one<Row>(`SELECT * FROM ${table} WHERE ${whereKey(table)}`, key);
  }

  /** Inserts `row` unless a row with its key exists; returns whether it inserted. */
  async insert(table: IndexTable, row: Row): Promise<boolean> {
    const key = keyOf(table, row);
    if (await this.get(table, key)) return false;
    await this.journal(table, key, null);
    await insertRow(this.tx, table, { ...row, block_number: this.block });
    return true;
  }

  /** Inserts `row`, or updates the existing row of its key with `row`'s columns. */
  async upsert(table: IndexTable, row: Row): Promise<void> {
    const key = keyOf(table, row);
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
    const before = await this.get(table, key);
    if (!before) return false;
    await this.updateExisting(table, key, before, changes);
    return true;
  }

  /** Deletes the row of `key`; returns whether there was one. */
  async delete(table: IndexTable, key: readonly SqlValue[]): Promise<boolean> {
    const before = await this.get(table, key);
    if (!before) return false;
    await this.journal(table, key, before);
    await deleteRow(this.tx, table, key);
    return true;
  }

  private async updateExisting(table: IndexTable, key: readonly SqlValue[], before: Row, changes: Row): Promise<void> {
    await this.journal(table, key, before);
    const cols = Object.keys({ ...changes, block_number: this.block });
    const values = { ...changes, block_number: this.block };
    const set = cols.map((c, i) => `${c} = $${i + 1}`).join(", ");
    await this.tx.run(`UPDATE ${table} SET ${set} WHERE ${whereKey(table, cols.length + 1)}`, [
      ...cols.map((c) => values[c as keyof typeof values]),
      ...key,
    ]);
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
