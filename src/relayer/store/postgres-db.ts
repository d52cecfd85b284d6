/**
 * The Postgres implementation of the database interface (db.ts), on node-postgres: a pool, a
 * dedicated client per transaction, the index's fixed reads as named prepared statements.
 */
import { Pool, types as pgTypes, type PoolClient, type PoolConfig } from "pg";
import { TopLevelDb } from "./top-level-db";
import type { Db, Queryable, QueryOptions, SqlRow, SqlValue, Statement, TxOptions } from "./db-interface";

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

export class PgDb extends TopLevelDb implements Db {
  readonly dialect = "postgres" as const;
  private readonly direct: PgTx;
  private readonly names: StatementNames;
  private closed = false;

  private constructor(
    readonly pool: Pool,
    preparedLimit: number,
  ) {
    super();
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

