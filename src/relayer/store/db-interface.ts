/**
 * The database interface both implementations provide (sqlite-db.ts, postgres-db.ts); db.ts
 * describes the shared SQL dialect and opens one.
 */
import type { TxOptions } from "../ports";

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
