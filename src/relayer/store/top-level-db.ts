/**
 * What the two databases (sqlite-db.ts, postgres-db.ts) share outside a transaction: a batch of
 * statements (runMany, queryAfter) runs in a transaction of its own, so it applies whole or not at all.
 */
import type { Db, Queryable, QueryOptions, SqlRow, SqlValue, Statement, TxOptions } from "./db-interface";

export abstract class TopLevelDb implements Pick<Db, "runMany" | "queryAfter"> {
  abstract query<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<T[]>;
  abstract tx<T>(fn: (tx: Queryable) => Promise<T>, options?: TxOptions): Promise<T>;

  runMany(statements: readonly Statement[]): Promise<void> {
    return this.tx((t) => t.runMany(statements));
  }

  /** With nothing to run first, the query alone (no transaction). */
  queryAfter<T extends object = SqlRow>(statements: readonly Statement[], sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (statements.length === 0) return this.query<T>(sql, params);
    return this.tx((t) => t.queryAfter<T>(statements, sql, params));
  }
}
