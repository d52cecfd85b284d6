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
 */
import fs from "fs";
import path from "path";
import Database from "better-sqlite3";
import { Pool, types as pgTypes, type PoolClient, type PoolConfig } from "pg";
import { Mutex } from "./mutex";

export type Dialect = "sqlite" | "postgres";
export type SqlValue = string | number | bigint | boolean | null | undefined;
export type SqlRow = Record<string, unknown>;

/** Statements on a connection or inside a transaction. */
export interface Queryable {
  readonly dialect: Dialect;
  /** Rows of a SELECT or of a statement with RETURNING. */
  query<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  one<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement without result rows; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Run `fn` in a transaction (inside the current one when already in a transaction). */
  tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
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
  async tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

export class SqliteDb implements Db {
  readonly dialect = "sqlite" as const;
  private readonly lock = new Mutex();
  private readonly conn: SqliteConn;
  private readonly direct: SqliteTx;
  private closed = false;

  constructor(readonly file: string) {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    // FULL: a committed outbox row survives a power loss, not only a process crash.
    db.pragma("synchronous = FULL");
    this.conn = new SqliteConn(db);
    this.direct = new SqliteTx(this.conn);
  }

  query<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.lock.run(() => this.direct.query<T>(sql, params));
  }
  async one<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.lock.run(() => this.direct.run(sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.lock.run(() => this.direct.exec(sql));
  }
  tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      this.conn.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(this.direct);
        this.conn.db.exec("COMMIT");
        return result;
      } catch (err) {
        if (this.conn.db.inTransaction) this.conn.db.exec("ROLLBACK");
        throw err;
      }
    });
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.run(() => this.conn.db.close());
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
}

class PgTx implements Queryable {
  readonly dialect = "postgres" as const;
  constructor(private readonly client: PgRunner) {}
  async query<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const res = await this.client.query(sql, params.map(toPgParam));
    return res.rows as T[];
  }
  async one<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const res = await this.client.query(sql, params.map(toPgParam));
    return res.rowCount ?? 0;
  }
  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }
  async tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export class PgDb implements Db {
  readonly dialect = "postgres" as const;
  private readonly direct: PgTx;
  private closed = false;

  private constructor(readonly pool: Pool) {
    this.direct = new PgTx(pool as unknown as PgRunner);
  }

  /** Connects (and creates `schema` when given); fails fast when the server is unreachable. */
  static async connect(databaseUrl: string, schema?: string): Promise<PgDb> {
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
    return new PgDb(pool);
  }

  query<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.direct.query<T>(sql, params);
  }
  one<T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.direct.one<T>(sql, params);
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.direct.run(sql, params);
  }
  exec(sql: string): Promise<void> {
    return this.direct.exec(sql);
  }
  async tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await fn(new PgTx(client as unknown as PgRunner));
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
