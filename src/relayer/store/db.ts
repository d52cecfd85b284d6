/**
 * One small database interface over SQLite (better-sqlite3, the default) and Postgres (pg, when
 * several relayer instances share one chain). Both speak one SQL dialect:
 * - placeholders are `$1`, `$2`, ... (translated to `?` for SQLite; a number may repeat);
 * - upserts use `ON CONFLICT (...) DO UPDATE SET col = excluded.col` / `DO NOTHING`;
 * - `RETURNING` works on INSERT/UPDATE/DELETE;
 * - booleans are stored as INTEGER 0/1 (a boolean parameter is sent as 0/1 to both);
 * - BIGINT columns come back as JavaScript numbers on both (values must stay below 2^53);
 * - never put a `$` inside a string literal of the SQL text.
 * Transactions: `tx(fn)` runs `fn` with a handle bound to one connection and commits when it
 * resolves, rolls back when it throws. SQLite has one connection, so statements and transactions
 * are serialised by a mutex (a statement outside a transaction waits for the open one to finish);
 * Postgres takes a dedicated pool client per transaction. Nested `tx` on a transaction handle
 * runs inside the outer transaction. Keep network I/O out of transactions.
 * SQLite group commit: the transactions (and writing statements outside one) requested during one
 * turn of the event loop are run one after another inside one database transaction, each in its
 * own savepoint (a failing one is rolled back alone), with one COMMIT for all. Each caller's
 * promise settles only after that COMMIT is durable: the same isolation, atomicity and durability
 * as separate transactions, with one disk sync per batch instead of one per transaction.
 * The disk sync runs off the event loop: WAL with synchronous=NORMAL (the COMMIT does not wait for
 * the disk), then an fdatasync of the -wal file on libuv's thread pool (wal-sync.ts) before the
 * callers' promises settle, with the connection's lock held until then, so nothing reads a commit
 * before it is durable (docs/relayer-latency.md, "The SQLite commit off the event loop").
 */
import type { TxOptions } from "../ports";
import fs from "fs";
import path from "path";
import Database from "better-sqlite3";
import { Pool, types as pgTypes, type PoolClient, type PoolConfig } from "pg";
import { Mutex } from "./mutex";
import { WalSync, type FileSync } from "./wal-sync";

export type Dialect = "sqlite" | "postgres";
export type SqlValue = string | number | bigint | boolean | null | undefined;
export type SqlRow = Record<string, unknown>;

/** How a statement is sent. */
export interface QueryOptions {
  /**
   * The text is one of a fixed, small set (the query side's reads; not a text built from data):
   * Postgres runs it as a named prepared statement, parsed once per connection and planned from
   * its cached plan (plan_cache_mode decides between a generic and a custom plan), instead of
   * parse and plan on every call. At most PG_PREPARED_LIMIT texts per database get a name (the
   * server keeps each on every connection); later ones run unnamed. SQLite caches every
   * statement anyway (SqliteConn).
   */
  prepare?: boolean;
}

/** Statements on a connection or inside a transaction. */
export interface Queryable {
  readonly dialect: Dialect;
  /** Rows of a SELECT or of a statement with RETURNING. */
  query<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<T[]>;
  /** The first row, or undefined. */
  one<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<T | undefined>;
  /** A statement without result rows; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `statements` in order, as one database round trip where the driver allows it (Postgres:
   * the parameters are written into the text as literals and the statements sent as one simple
   * query; SQLite runs them one by one in process). Their results are not returned. Inside a
   * transaction, a failing statement fails the call and the transaction.
   */
  runMany(statements: readonly Statement[]): Promise<void>;
  /**
   * Runs `statements` (as runMany), then the query `sql`, and returns the query's rows: one round
   * trip on Postgres (a writer's queued writes travel with its next read).
   */
  queryAfter<T extends object = SqlRow>(statements: readonly Statement[], sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Run `fn` in a transaction (inside the current one when already in a transaction). */
  tx<T>(fn: (tx: Queryable) => Promise<T>, options?: TxOptions): Promise<T>;
}

export type { TxOptions };

/** A statement with its parameters. */
export interface Statement {
  sql: string;
  params: readonly SqlValue[];
}

export interface Db extends Queryable {
  close(): Promise<void>;
}

// ------------------------------------------------------------------ SQLite

interface Translated {
  sql: string;
  order: number[];
}

function toSqliteParam(v: SqlValue): string | number | bigint | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
}

class SqliteConn {
  private readonly cache = new Map<string, { stmt: Database.Statement; order: number[] }>();
  constructor(readonly db: Database.Database) {}

  private prepare(sql: string): { stmt: Database.Statement; order: number[] } {
    let hit = this.cache.get(sql);
    if (!hit) {
      const t = translate(sql);
      hit = { stmt: this.db.prepare(t.sql), order: t.order };
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, hit);
    }
    return hit;
  }

  all(sql: string, params: readonly SqlValue[]): SqlRow[] {
    const { stmt, order } = this.prepare(sql);
    const args = order.map((i) => toSqliteParam(params[i]));
    if (stmt.reader) return stmt.all(...args) as SqlRow[];
    stmt.run(...args);
    return [];
  }

  run(sql: string, params: readonly SqlValue[]): number {
    const { stmt, order } = this.prepare(sql);
    const args = order.map((i) => toSqliteParam(params[i]));
    if (stmt.reader) return stmt.all(...args).length;
    return stmt.run(...args).changes;
  }

  /** Whether the statement writes (it then needs a commit); a statement that fails to compile fails where it runs. */
  writes(sql: string): boolean {
    try {
      return !this.prepare(sql).stmt.readonly;
    } catch {
      return false;
    }
  }
}

interface QueuedTx {
  fn: (tx: Queryable) => Promise<unknown>;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

function translate(sql: string): Translated {
  const order: number[] = [];
  const out = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    order.push(Number(n) - 1);
    return "?";
  });
  return { sql: out, order };
}

/** A handle that runs statements directly on the connection (used inside a transaction). */
class SqliteTx implements Queryable {
  readonly dialect = "sqlite" as const;
  constructor(private readonly conn: SqliteConn) {}
  async query<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.conn.all(sql, params) as T[];
  }
  async one<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.conn.run(sql, params);
  }
  async exec(sql: string): Promise<void> {
    this.conn.db.exec(sql);
  }
  async runMany(statements: readonly Statement[]): Promise<void> {
    for (const st of statements) this.conn.run(st.sql, st.params);
  }
  async queryAfter<T extends object = SqlRow>(
    statements: readonly Statement[],
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<T[]> {
    for (const st of statements) this.conn.run(st.sql, st.params);
    return this.conn.all(sql, params) as T[];
  }
  async tx<T>(fn: (tx: Queryable) => Promise<T>, _options?: TxOptions): Promise<T> {
    return fn(this);
  }
}

export interface SqliteDbOptions {
  /** How the -wal file is flushed to disk (default fs.fdatasync on the thread pool); for tests. */
  walFileSync?: FileSync;
}

export class SqliteDb implements Db {
  readonly dialect = "sqlite" as const;
  private readonly lock = new Mutex();
  private readonly conn: SqliteConn;
  private readonly direct: SqliteTx;
  private closed = false;
  /** Transactions waiting for the next group commit. */
  private queue: QueuedTx[] = [];
  private drainScheduled = false;
  /** WAL mode (a file database): durable commits are synced by `wal`, off the event loop. */
  private readonly wal: WalSync | null;
  /** Without WAL (in memory): synchronous=FULL for durable commits, NORMAL for the others. */
  private syncFull = true;

  constructor(readonly file: string, options: SqliteDbOptions = {}) {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    const mode = String(db.pragma("journal_mode = WAL", { simple: true })).toLowerCase();
    db.pragma("busy_timeout = 5000");
    if (mode === "wal") {
      // NORMAL: a COMMIT appends to the WAL without waiting for the disk; a durable commit is then
      // made so by WalSync before its callers hear of it (a committed outbox row survives a power
      // loss, not only a process crash).
      db.pragma("synchronous = NORMAL");
      // The -wal file sits beside the file SQLite opened (symbolic links resolved).
      this.wal = new WalSync(`${fs.realpathSync(file)}-wal`, options.walFileSync);
    } else {
      db.pragma("synchronous = FULL");
      this.wal = null;
    }
    this.conn = new SqliteConn(db);
    this.direct = new SqliteTx(this.conn);
  }

  query<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (!this.closed && this.conn.writes(sql)) return this.tx((t) => t.query<T>(sql, params));
    return this.lock.run(() => this.direct.query<T>(sql, params));
  }
  async one<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    if (!this.closed && this.conn.writes(sql)) return this.tx((t) => t.run(sql, params));
    return this.lock.run(() => this.direct.run(sql, params));
  }
  runMany(statements: readonly Statement[]): Promise<void> {
    return this.tx((t) => t.runMany(statements));
  }
  queryAfter<T extends object = SqlRow>(statements: readonly Statement[], sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (statements.length === 0) return this.query<T>(sql, params);
    return this.tx((t) => t.queryAfter<T>(statements, sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.lock.run(async () => {
      // Statements run here commit on their own: with a durable commit, as always.
      if (!this.wal && !this.syncFull) {
        this.conn.db.pragma("synchronous = FULL");
        this.syncFull = true;
      }
      await this.direct.exec(sql);
      await this.wal?.sync();
    });
  }
  tx<T>(fn: (tx: Queryable) => Promise<T>, options?: TxOptions): Promise<T> {
    const durable = options?.durable ?? true;
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, durable, resolve: resolve as (v: unknown) => void, reject });
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        // After the I/O callbacks of this turn of the event loop, which may add more.
        setImmediate(() => void this.lock.run(() => this.drain()));
      }
    });
  }

  /** One group commit of every queued transaction (never rejects: each caller gets its outcome). */
  private async drain(): Promise<void> {
    this.drainScheduled = false;
    const items = this.queue;
    this.queue = [];
    if (items.length === 0) return;
    try {
      await this.commitGroup(items);
    } catch (err) {
      // Anything unexpected (the connection failing): every caller not settled yet fails.
      for (const it of items) it.reject(err);
    }
  }

  /**
   * Non-durable transactions requested ahead of the first durable one of the group (a receipt's
   * outcome, an index block) commit first, without waiting for the fsync of the durable ones
   * behind them (the next signed outbox rows); the rest is one commit, with one fsync. The order
   * of the transactions is kept.
   */
  private async commitGroup(items: readonly QueuedTx[]): Promise<void> {
    const firstDurable = items.findIndex((it) => it.durable);
    if (firstDurable > 0) {
      await this.commitRun(items.slice(0, firstDurable));
      await this.commitRun(items.slice(firstDurable));
      return;
    }
    await this.commitRun(items);
  }

  private async commitRun(items: readonly QueuedTx[]): Promise<void> {
    const db = this.conn.db;
    if (this.closed) throw new Error("database closed");
    const rollback = (): void => {
      try {
        if (db.inTransaction) db.exec("ROLLBACK");
      } catch {
        /* the connection is unusable: the next statement reports it */
      }
    };
    // One disk sync when any of them must be durable (it also makes the relaxed ones durable).
    const durable = items.some((it) => it.durable);
    if (!this.wal && durable !== this.syncFull) {
      db.pragma(durable ? "synchronous = FULL" : "synchronous = NORMAL");
      this.syncFull = durable;
    }
    const outcomes: { it: QueuedTx; ok: boolean; value: unknown }[] = [];
    if (items.length === 1) {
      const [it] = items;
      try {
        db.exec("BEGIN IMMEDIATE");
        outcomes.push({ it, ok: true, value: await it.fn(this.direct) });
        db.exec("COMMIT");
      } catch (err) {
        rollback();
        it.reject(err);
        return;
      }
    } else {
      try {
        db.exec("BEGIN IMMEDIATE");
        for (const it of items) {
          db.exec("SAVEPOINT group_item");
          try {
            const value = await it.fn(this.direct);
            db.exec("RELEASE group_item");
            outcomes.push({ it, ok: true, value });
          } catch (err) {
            // An error that ended the whole transaction (SQLite rolls back on some I/O errors)
            // took the earlier items with it: fail them all.
            if (!db.inTransaction) throw err;
            db.exec("ROLLBACK TO group_item");
            db.exec("RELEASE group_item");
            outcomes.push({ it, ok: false, value: err });
          }
        }
        db.exec("COMMIT");
      } catch (err) {
        rollback();
        for (const it of items) it.reject(err);
        return;
      }
    }
    // Still under the lock: no statement sees this commit before it is on disk. A failed sync
    // fails every caller (the commit is not known to be durable); the caller of drain() does it.
    if (durable && this.wal) await this.wal.sync();
    for (const o of outcomes) {
      if (o.ok) o.it.resolve(o.value);
      else o.it.reject(o.value);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let the transactions already requested commit first.
    while (this.queue.length > 0) await this.lock.run(() => this.drain());
    this.closed = true;
    await this.lock.run(() => {
      this.conn.db.close();
      this.wal?.close();
    });
  }
}

// ------------------------------------------------------------------ Postgres

function toPgParam(v: SqlValue): string | number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return v.toString();
  return v;
}

interface PgRunner {
  query(sql: string, params?: unknown[]): Promise<{ rows: SqlRow[]; rowCount: number | null }>;
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: SqlRow[]; rowCount: number | null }>;
}

/** How many statement texts of one PgDb run as named prepared statements (QueryOptions.prepare). */
export const PG_PREPARED_LIMIT = 200;

/**
 * The names of the prepared statements of one database (QueryOptions.prepare): a text keeps its
 * name for the life of the database object, so on every connection of its pool a name stands for
 * one text (node-postgres prepares a name on a connection the first time that connection runs
 * it). Bounded: the first `limit` texts get a name, later ones none (they run unnamed), as the
 * server keeps every prepared statement of a connection until the connection closes.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  constructor(readonly limit: number = PG_PREPARED_LIMIT) {}

  /** The name of `text`, or undefined when the bound is reached without it. */
  nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.limit) {
      name = `ac_${this.names.size}`;
      this.names.set(text, name);
    }
    return name;
  }

  /** How many texts have a name. */
  get size(): number {
    return this.names.size;
  }
}

class PgTx implements Queryable {
  readonly dialect = "postgres" as const;
  constructor(
    private readonly client: PgRunner,
    private readonly names: StatementNames,
  ) {}
  async query<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = [], options?: QueryOptions): Promise<T[]> {
    const values = params.map(toPgParam);
    const name = options?.prepare === true ? this.names.nameOf(sql) : undefined;
    const res = name === undefined ? await this.client.query(sql, values) : await this.client.query({ name, text: sql, values });
    return res.rows as T[];
  }
  async one<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = [], options?: QueryOptions): Promise<T | undefined> {
    return (await this.query<T>(sql, params, options))[0];
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const res = await this.client.query(sql, params.map(toPgParam));
    return res.rowCount ?? 0;
  }
  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }
  async runMany(statements: readonly Statement[]): Promise<void> {
    if (statements.length === 0) return;
    // As literals even when alone: a literal has the type its spelling gives (a number is numeric),
    // where a parameter inside a VALUES list would be typed text (projection/write-queue.ts).
    await this.client.query(statements.map((st) => `${inlineParams(st.sql, st.params)};`).join("\n"));
  }
  async queryAfter<T extends object = SqlRow>(
    statements: readonly Statement[],
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<T[]> {
    if (statements.length === 0) return this.query<T>(sql, params);
    const text = [...statements, { sql, params }].map((st) => `${inlineParams(st.sql, st.params)};`).join("\n");
    // Several statements in one simple query: one result per statement, the query's last.
    const res = (await this.client.query(text)) as unknown as { rows: SqlRow[] }[];
    return res[res.length - 1].rows as T[];
  }
  async tx<T>(fn: (tx: Queryable) => Promise<T>, _options?: TxOptions): Promise<T> {
    return fn(this);
  }
}

/** A Postgres literal of a parameter value (strings quoted as libpq's PQescapeLiteral does). */
function pgLiteral(v: SqlValue): string {
  const p = toPgParam(v);
  if (p === null) return "NULL";
  if (typeof p === "number") {
    if (!Number.isFinite(p)) throw new Error(`not a finite number: ${p}`);
    return String(p);
  }
  let backslash = false;
  let out = "'";
  for (const ch of p) {
    if (ch === "'") out += "''";
    else if (ch === "\\") {
      out += "\\\\";
      backslash = true;
    } else out += ch;
  }
  out += "'";
  return backslash ? ` E${out}` : out;
}

/** `sql` with each $n replaced by the literal of params[n-1] (the SQL text never holds a `$` of its own: see the module comment). */
function inlineParams(sql: string, params: readonly SqlValue[]): string {
  return sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`statement parameter $${n} missing`);
    return pgLiteral(params[i]);
  });
}

const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export class PgDb implements Db {
  readonly dialect = "postgres" as const;
  private readonly direct: PgTx;
  private readonly names: StatementNames;
  private closed = false;

  private constructor(
    readonly pool: Pool,
    preparedLimit: number,
  ) {
    this.names = new StatementNames(preparedLimit);
    this.direct = new PgTx(pool as unknown as PgRunner, this.names);
  }

  /** How many statement texts have a prepared-statement name (QueryOptions.prepare). */
  get preparedTexts(): number {
    return this.names.size;
  }

  /** Connects (and creates `schema` when given); fails fast when the server is unreachable. */
  static async connect(databaseUrl: string, schema?: string, preparedLimit: number = PG_PREPARED_LIMIT): Promise<PgDb> {
    if (schema !== undefined && !SCHEMA_RE.test(schema)) throw new Error(`database schema: invalid name ${schema}`);
    const config: PoolConfig = {
      connectionString: databaseUrl,
      max: 10,
      connectionTimeoutMillis: 5000,
      // BIGINT (oid 20) as a JavaScript number: block numbers, nonces, millisecond timestamps.
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          oid === 20 ? (v: string) => Number(v) : pgTypes.getTypeParser(oid, format ?? "text")) as typeof pgTypes.getTypeParser,
      },
    };
    if (schema !== undefined) config.options = `-c search_path=${schema}`;
    const pool = new Pool(config);
    pool.on("error", () => undefined); // an idle client's error surfaces on its next use
    try {
      if (schema !== undefined) {
        try {
          await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        } catch (err) {
          // another instance created it at the same moment
          if ((err as { code?: string }).code !== "23505") throw err;
        }
      } else {
        await pool.query("SELECT 1");
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PgDb(pool, preparedLimit);
  }

  query<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = [], options?: QueryOptions): Promise<T[]> {
    return this.direct.query<T>(sql, params, options);
  }
  one<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = [], options?: QueryOptions): Promise<T | undefined> {
    return this.direct.one<T>(sql, params, options);
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.direct.run(sql, params);
  }
  runMany(statements: readonly Statement[]): Promise<void> {
    return this.tx((t) => t.runMany(statements));
  }
  queryAfter<T extends object = SqlRow>(statements: readonly Statement[], sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (statements.length === 0) return this.query<T>(sql, params);
    return this.tx((t) => t.queryAfter<T>(statements, sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.direct.exec(sql);
  }
  async tx<T>(fn: (tx: Queryable) => Promise<T>, options?: TxOptions): Promise<T> {
    const durable = options?.durable ?? true;
    const client: PoolClient = await this.pool.connect();
    let broken = false;
    try {
      await client.query(durable ? "BEGIN" : "BEGIN; SET LOCAL synchronous_commit TO OFF");
      const result = await fn(new PgTx(client as unknown as PgRunner, this.names));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

export interface OpenDbOptions {
  /** postgres://... selects Postgres; absent selects SQLite under dataDir. */
  databaseUrl?: string;
  /** Directory of the SQLite file (`relayer.sqlite`). */
  dataDir: string;
  /** SQLite file name inside dataDir (default relayer.sqlite). */
  sqliteFile?: string;
  /** Postgres schema to use (created when missing); default: the server's search_path. */
  schema?: string;
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const url = opts.databaseUrl?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//i.test(url)) throw new Error("DATABASE_URL: expected a postgres:// or postgresql:// URL");
    return PgDb.connect(url, opts.schema);
  }
  return new SqliteDb(path.join(opts.dataDir, opts.sqliteFile ?? "relayer.sqlite"));
}
