/**
 * Counting the database round trips of a request (bench and tests only; the relayer's own Db is
 * never wrapped): CountingDb forwards every call to the Db it wraps and records, per call, the
 * statement's first line (the text identifies the read). A call is one round trip on Postgres
 * (query/one/run/exec/runMany/queryAfter: node-postgres sends each as one request); a transaction
 * adds its BEGIN and COMMIT, recorded as such.
 */
import type { Db, Dialect, Queryable, QueryOptions, SqlRow, SqlValue, Statement, TxOptions } from "../../src/relayer/store";

/** The statement as recorded: its text on one line, spaces collapsed, at most 120 characters. */
export function statementLabel(sql: string): string {
  const one = sql.replace(/\s+/g, " ").trim();
  return one.length <= 120 ? one : `${one.slice(0, 117)}...`;
}

class CountingQueryable implements Queryable {
  constructor(
    private readonly inner: Queryable,
    private readonly seen: string[],
  ) {}
  get dialect(): Dialect {
    return this.inner.dialect;
  }
  query<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<T[]> {
    this.seen.push(statementLabel(sql));
    return this.inner.query<T>(sql, params, options);
  }
  one<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<T | undefined> {
    this.seen.push(statementLabel(sql));
    return this.inner.one<T>(sql, params, options);
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    this.seen.push(statementLabel(sql));
    return this.inner.run(sql, params);
  }
  exec(sql: string): Promise<void> {
    this.seen.push(statementLabel(sql));
    return this.inner.exec(sql);
  }
  runMany(statements: readonly Statement[]): Promise<void> {
    if (statements.length > 0) this.seen.push(`runMany(${statements.length})`);
    return this.inner.runMany(statements);
  }
  queryAfter<T extends object = SqlRow>(statements: readonly Statement[], sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.seen.push(statementLabel(sql));
    return this.inner.queryAfter<T>(statements, sql, params);
  }
  tx<T>(fn: (tx: Queryable) => Promise<T>, options?: TxOptions): Promise<T> {
    this.seen.push("BEGIN");
    return this.inner
      .tx((t) => fn(new CountingQueryable(t, this.seen)), options)
      .finally(() => this.seen.push("COMMIT/ROLLBACK"));
  }
}

/** A Db that records the statements sent through it (`take()` returns and clears them). */
export class CountingDb extends CountingQueryable implements Db {
  private readonly log: string[];

  constructor(private readonly db: Db) {
    const log: string[] = [];
    super(db, log);
    this.log = log;
  }

  /** The statements recorded since the last take(), oldest first; clears the record. */
  take(): string[] {
    return this.log.splice(0, this.log.length);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
