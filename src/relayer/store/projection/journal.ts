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
 * a journal no previous image is needed, so no write reads before it writes: the writes whose
 * result nobody needs (upserts, set appends whose positions the INSERT computes, column updates
 * and deletes through `set` / `remove`) are queued (write-queue.ts) and sent together, merged into
 * one statement per table and kind on Postgres, with the next read (Queryable.queryAfter: one
 * round trip on Postgres) or at the end of the block. Inside the window a write that needs no
 * answer is queued the same way and its row noted; before the queue is sent, the previous images of
 * all the noted rows are read with one query per table (the rows as the block found them: none of
 * the block's writes to them has been sent yet) and their journal rows are queued ahead of the
 * writes. Only a row's first change in a block is journaled: undo restores newest first, so the
 * image from before the block is the one a row ends with. Writes that answer (insert, update,
 * delete) read their row as before. Every read, including those the handlers make through `w.tx`,
 * sends the queue first, so a read sees every write queued before it.
 */
import type { Queryable, SqlRow, SqlValue, Statement, TxOptions } from "../db";
import { INDEX_TABLES, isIndexTable, type IndexTable } from "./tables";
import { WriteQueue, type AppendScope, type QueuedWrite, type Row } from "./write-queue";

export type { Row } from "./write-queue";

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

function conflictKey(table: IndexTable): string {
  return INDEX_TABLES[table].join(", ");
}

/** The transaction as the handlers see it: every statement first sends the writer's queued writes (a read takes them along). */
class FlushingQueryable implements Queryable {
  constructor(
    private readonly inner: Queryable,
    private readonly take: () => Promise<Statement[]>,
  ) {}
  get dialect(): Queryable["dialect"] {
    return this.inner.dialect;
  }
  private async flush(): Promise<void> {
    const queued = await this.take();
    if (queued.length > 0) await this.inner.runMany(queued);
  }
  async query<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.inner.queryAfter<T>(await this.take(), sql, params);
  }
  async one<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
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
    return this.inner.runMany([...(await this.take()), ...statements]);
  }
  async queryAfter<T extends object = SqlRow>(
    statements: readonly Statement[],
    sql: string,
    params?: readonly SqlValue[],
  ): Promise<T[]> {
    return this.inner.queryAfter<T>([...(await this.take()), ...statements], sql, params);
  }
  async tx<T>(fn: (tx: Queryable) => Promise<T>, _options?: TxOptions): Promise<T> {
    await this.flush();
    return fn(this);
  }
}

/** Queued writes are sent at the latest when this many are waiting. */
const MAX_QUEUED = 2000;
/** Keys per query when reading the previous images of queued writes' rows. */
const IMAGE_CHUNK = 500;

const rowId = (table: IndexTable, key: readonly SqlValue[]): string => `${table} ${JSON.stringify(key.map(String))}`;

export class RowWriter {
  /** The block's transaction; statements made through it first send the queued writes. */
  readonly tx: Queryable;
  private readonly raw: Queryable;
  private readonly queue: WriteQueue;
  /** Journaled: the rows whose image from before the block is journaled already (rowId). */
  private readonly imaged = new Set<string>();
  /** Journaled: rows written by queued writes whose image is not journaled yet, per table (rowId -> key). */
  private readonly unimaged = new Map<IndexTable, Map<string, SqlValue[]>>();

  constructor(
    tx: Queryable,
    /** The block being applied (stamped on every row written). */
    private current: number,
    /** Record previous images (inside the reorg window). */
    private readonly journaled: boolean,
  ) {
    this.raw = tx;
    this.queue = new WriteQueue(tx.dialect);
    this.tx = new FlushingQueryable(tx, () => this.take());
  }

  /** The block being applied (stamped on every row written). */
  get block(): number {
    return this.current;
  }

  /** The next block of an unjournaled run of blocks in one transaction (applyOldBlocks); its writes join the same queue. */
  moveTo(block: number): void {
    if (this.journaled) throw new Error("RowWriter: a journaled writer is bound to one block");
    this.current = block;
  }

  /** Sends the queued writes (call before the transaction commits). */
  async flush(): Promise<void> {
    if (this.queue.size === 0) return;
    await this.raw.runMany(await this.take());
  }

  /** The queued statements, emptying the queue; journaled, the journal rows of the rows they write go first. */
  private async take(): Promise<Statement[]> {
    if (this.unimaged.size === 0) return this.queue.take();
    const writes = this.queue.take();
    const journal: Statement[] = [];
    for (const [table, rows] of this.unimaged) {
      const keys = [...rows.values()];
      const cols = INDEX_TABLES[table];
      for (let i = 0; i < keys.length; i += IMAGE_CHUNK) {
        const chunk = keys.slice(i, i + IMAGE_CHUNK);
        const params = chunk.flat();
        const tuple = (j: number): string =>
          cols.length === 1 ? `$${j * cols.length + 1}` : `(${cols.map((_, c) => `$${j * cols.length + c + 1}`).join(", ")})`;
        const target = cols.length === 1 ? cols[0] : `(${cols.join(", ")})`;
        // The raw transaction: nothing of the queue is sent before these reads.
        const found = await this.raw.query<Row>(
          `SELECT * FROM ${table} WHERE ${target} IN (${chunk.map((_, j) => tuple(j)).join(", ")})`,
          params,
        );
        const byId = new Map(found.map((r) => [rowId(table, keyOf(table, r)), r]));
        // One INSERT for the chunk's journal rows (their order within the block does not matter: one row each).
        const values: string[] = [];
        const rows: SqlValue[] = [];
        for (const key of chunk) {
          const before = byId.get(rowId(table, key)) ?? null;
          values.push(`($${rows.length + 1}, $${rows.length + 2}, $${rows.length + 3}, $${rows.length + 4})`);
          rows.push(this.block, table, JSON.stringify(key), before ? JSON.stringify(before) : null);
        }
        journal.push({ sql: `INSERT INTO index_journal (block, tbl, row_key, prior_row) VALUES ${values.join(", ")}`, params: rows });
      }
    }
    this.unimaged.clear();
    return [...journal, ...writes];
  }

  /** Journaled: notes that a queued write changes the row of `key` (its image is read before the queue is sent). */
  private touch(table: IndexTable, key: readonly SqlValue[]): void {
    const id = rowId(table, key);
    if (this.imaged.has(id)) return;
    this.imaged.add(id);
    let rows = this.unimaged.get(table);
    if (!rows) this.unimaged.set(table, (rows = new Map()));
    rows.set(id, [...key]);
  }

  /** Journaled: journals `before` as the row's image from before the block, unless one is journaled already. */
  private async imageRead(table: IndexTable, key: readonly SqlValue[], before: Row | null): Promise<void> {
    const id = rowId(table, key);
    if (this.imaged.has(id)) return;
    this.imaged.add(id);
    await this.enqueueStatement(this.journalRow(table, key, before));
  }

  private async enqueue(w: QueuedWrite): Promise<void> {
    this.queue.add(w);
    if (this.queue.size >= MAX_QUEUED) await this.flush();
  }

  /** Queues a statement on a table outside the index (it runs in order with the other queued statements). */
  async enqueueStatement(statement: Statement): Promise<void> {
    await this.enqueue({ kind: "raw", statement });
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
    await this.imageRead(table, key, null);
    await this.enqueue({ kind: "upsert", table, row: this.stamped(row) });
    return true;
  }

  /**
   * Inserts `row` with `pos` = the next position of its set (one past the highest `pos` among the
   * rows where `scope.column` is `scope.value`, or in the whole table without a scope) and each of
   * `counters` one past its highest value in the table, unless a row with its key exists
   * (projection/sets.ts). The positions are computed by the INSERT itself (no read).
   */
  async insertAtEnd(table: IndexTable, row: Row, scope?: AppendScope, counters: readonly string[] = []): Promise<void> {
    if (this.journaled) this.touch(table, keyOf(table, row));
    await this.enqueue({ kind: "append", table, row: this.stamped(row), scope: scope ?? null, counters });
  }

  /** Inserts `row`, or updates the existing row of its key with `row`'s columns. */
  async upsert(table: IndexTable, row: Row): Promise<void> {
    if (this.journaled) this.touch(table, keyOf(table, row));
    await this.enqueue({ kind: "upsert", table, row: this.stamped(row) });
  }

  /** Updates the row of `key` with `changes`; returns false (and changes nothing) when there is none. */
  async update(table: IndexTable, key: readonly SqlValue[], changes: Row): Promise<boolean> {
    if (!this.journaled) return (await this.setColumns(table, key, changes)) > 0;
    return this.journaledSet(table, key, changes);
  }

  /** As update, for a caller that needs no answer: queued (nothing happens when there is no such row). */
  async set(table: IndexTable, key: readonly SqlValue[], changes: Row): Promise<void> {
    if (this.journaled) this.touch(table, key);
    await this.enqueue({ kind: "set", table, key: [...key], changes: this.stamped(changes) });
  }

  /** Deletes the row of `key`; returns whether there was one. */
  async delete(table: IndexTable, key: readonly SqlValue[]): Promise<boolean> {
    if (!this.journaled) return (await this.tx.run(`DELETE FROM ${table} WHERE ${whereKey(table)}`, key)) > 0;
    return this.journaledDelete(table, key);
  }

  /** As delete, for a caller that needs no answer: queued. */
  async remove(table: IndexTable, key: readonly SqlValue[]): Promise<void> {
    if (this.journaled) this.touch(table, key);
    await this.enqueue({ kind: "delete", table, key: [...key] });
  }

  private stamped(row: Row): Row {
    return { ...row, block_number: this.block };
  }

  private async journaledSet(table: IndexTable, key: readonly SqlValue[], changes: Row): Promise<boolean> {
    const before = await this.get(table, key);
    if (!before) return false;
    await this.imageRead(table, key, before);
    await this.enqueue({ kind: "set", table, key: [...key], changes: this.stamped(changes) });
    return true;
  }

  private async journaledDelete(table: IndexTable, key: readonly SqlValue[]): Promise<boolean> {
    const before = await this.get(table, key);
    if (!before) return false;
    await this.imageRead(table, key, before);
    await this.enqueue({ kind: "delete", table, key: [...key] });
    return true;
  }

  /** UPDATE of `changes` (and the block stamp) on the row of `key`; returns the rows changed. */
  private async setColumns(table: IndexTable, key: readonly SqlValue[], changes: Row): Promise<number> {
    const values = this.stamped(changes);
    const cols = Object.keys(values);
    const set = cols.map((c, i) => `${c} = $${i + 1}`).join(", ");
    return this.tx.run(`UPDATE ${table} SET ${set} WHERE ${whereKey(table, cols.length + 1)}`, [
      ...cols.map((c) => values[c]),
      ...key,
    ]);
  }

  private async insertIfAbsent(table: IndexTable, row: Row): Promise<number> {
    const full = this.stamped(row);
    const cols = Object.keys(full);
    return this.tx.run(
      `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})
       ON CONFLICT (${conflictKey(table)}) DO NOTHING`,
      cols.map((c) => full[c]),
    );
  }

  /** The journal row of a change to the row of `key` (`before`: its image, null: absent). */
  private journalRow(table: IndexTable, key: readonly SqlValue[], before: Row | null): Statement {
    return {
      sql: "INSERT INTO index_journal (block, tbl, row_key, prior_row) VALUES ($1, $2, $3, $4)",
      params: [this.block, table, JSON.stringify(key), before ? JSON.stringify(before) : null],
    };
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
  const statements: Statement[] = [];
  for (const e of entries) {
    if (!isIndexTable(e.tbl)) throw new Error(`index journal: unknown table ${e.tbl}`);
    const key = JSON.parse(e.row_key) as SqlValue[];
    statements.push({ sql: `DELETE FROM ${e.tbl} WHERE ${whereKey(e.tbl)}`, params: key });
    if (e.prior_row !== null) {
      const row = JSON.parse(e.prior_row) as Row;
      const cols = Object.keys(row);
      statements.push({
        sql: `INSERT INTO ${e.tbl} (${cols.join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})`,
        params: cols.map((c) => row[c]),
      });
    }
  }
  statements.push({ sql: "DELETE FROM index_journal WHERE block > $1", params: [block] });
  // One round trip on Postgres (a deep reorg undoes thousands of row changes).
  for (let i = 0; i < statements.length; i += 1000) await tx.runMany(statements.slice(i, i + 1000));
  return entries.length;
}
