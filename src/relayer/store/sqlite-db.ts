/**
 * The SQLite implementation of the database interface (db.ts), on better-sqlite3.
 * SQLite group commit: the transactions (and writing statements outside one) requested during one
 * turn of the event loop are run one after another inside one database transaction, each in its
 * own savepoint (a failing one is rolled back alone), with one COMMIT for all. Each caller's
 * promise settles only after that COMMIT is durable: the same isolation, atomicity and durability
 * as separate transactions, with one disk sync per batch instead of one per transaction.
 * The disk sync is separate from the COMMIT: WAL with synchronous=NORMAL (the COMMIT does not wait
 * for the disk), then an fdatasync of the -wal file (wal-sync.ts: inline on the event loop while
 * syncs are fast, on libuv's thread pool otherwise) before the callers' promises settle, with the
 * connection's lock held until then, so nothing reads a commit before it is durable
 * (docs/relayer-latency.md, "The SQLite commit off the event loop" and "Ninth pass").
 * Checkpoints (copying the WAL into the database file, with its fsync) run inside a COMMIT on the
 * event loop by default (SQLite's automatic checkpoint), or, as an option, on a worker thread
 * (wal-checkpointer.ts; same document, "SQLite's checkpoints off the event loop", says why the
 * thread is not the default yet).
 */
import fs from "fs";
import path from "path";
import Database from "better-sqlite3";
import type { Worker } from "worker_threads";
import { Mutex } from "./mutex";
import { WalSync, type FileSync, type FileSyncInline, type WalSyncStatus } from "./wal-sync";
import { WalCheckpointer, type CheckpointMode } from "./wal-checkpointer";
import { TopLevelDb } from "./top-level-db";
import type { Db, Queryable, SqlRow, SqlValue, Statement, TxOptions } from "./db-interface";

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
  /** How the -wal file is flushed to disk on the thread pool (default fs.fdatasync); for tests. */
  walFileSync?: FileSync;
  /**
   * How the -wal file is flushed to disk inline on the event loop (default fs.fdatasyncSync); for
   * tests. Given `walFileSync` without this, the syncs never run inline.
   */
  walFileSyncInline?: FileSyncInline;
  /**
   * The WAL sync runs inline on the event loop while the EWMA of its inline durations stays at or
   * below this many ms (default 2) and below the thread pool's, on the pool otherwise; 0 = always
   * on the thread pool
   * (docs/relayer-latency.md, "Ninth pass: the WAL sync inline while it is fast").
   */
  walInlineSyncBelowMs?: number;
  /** Milliseconds clock timing the WAL syncs (default performance.now); for tests. */
  walSyncClock?: () => number;
  /**
   * Where WAL checkpoints run: inside the store connection's commits every `checkpointPages`
   * (SQLite's automatic checkpoint, on the event loop; the default), or on a worker thread with its
   * own connection. The thread keeps the checkpoint's copy and fsync off the event loop. It once
   * cost bench:relayer a third of its writes/s: it ran the process's `--require` preloads (the
   * whole Hardhat runtime under `hardhat run`) before its first checkpoint; it no longer does, and
   * stays opt-in until a quiet-machine A/B shows it at least as fast (docs/relayer-latency.md,
   * "SQLite's checkpoints off the event loop").
   */
  checkpoints?: "worker" | "connection";
  /** WAL frames not yet copied into the database file that call for a checkpoint (default 1000). */
  checkpointPages?: number;
  /** Called with the checkpoint thread once started; for tests. */
  onCheckpointWorker?: (worker: Worker) => void;
  /** How long a checkpoint may go unanswered before the thread counts as hung (default 10 s); for tests. */
  checkpointAnswerMs?: number;
}

/** Frames not yet checkpointed that call for a checkpoint: SQLite's own default. */
const CHECKPOINT_PAGES = 1000;

export class SqliteDb extends TopLevelDb implements Db {
  readonly dialect = "sqlite" as const;
  private readonly lock = new Mutex();
  private readonly conn: SqliteConn;
  private readonly direct: SqliteTx;
  private closed = false;
  /** Transactions waiting for the next group commit. */
  private queue: QueuedTx[] = [];
  private drainScheduled = false;
  /** WAL mode (a file database): durable commits are synced by `wal` (inline or on the thread pool). */
  private readonly wal: WalSync | null;
  /** Without WAL (in memory): synchronous=FULL for durable commits, NORMAL for the others. */
  private syncFull = true;
  /** The checkpoint thread (WAL mode, unless checkpoints stay on the connection). */
  private readonly checkpointer: WalCheckpointer | null = null;

  constructor(readonly file: string, options: SqliteDbOptions = {}) {
    super();
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
      const real = fs.realpathSync(file);
      this.wal = new WalSync(`${real}-wal`, {
        syncFile: options.walFileSync,
        syncInline: options.walFileSyncInline,
        inlineBelowMs: options.walInlineSyncBelowMs,
        now: options.walSyncClock,
      });
      const pages = options.checkpointPages ?? CHECKPOINT_PAGES;
      // Until the thread is up (and should it fail), the connection checkpoints itself.
      db.pragma(`wal_autocheckpoint = ${pages}`);
      // A WAL that grew past twice the threshold (a reader kept it from restarting) shrinks
      // back to that size at the first commit after it restarts.
      db.pragma(`journal_size_limit = ${2 * pages * Number(db.pragma("page_size", { simple: true }))}`);
      if ((options.checkpoints ?? "connection") === "worker") {
        this.checkpointer = new WalCheckpointer({
          file: real,
          thresholdPages: pages,
          setAutocheckpoint: (n) => {
            if (db.open) db.pragma(`wal_autocheckpoint = ${n}`);
          },
          holdingWrites: (fn) => this.lock.run(fn),
          onWorker: options.onCheckpointWorker,
          answerTimeoutMs: options.checkpointAnswerMs,
        });
      }
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
  exec(sql: string): Promise<void> {
    return this.lock.run(async () => {
      // Statements run here commit on their own: with a durable commit, as always.
      if (!this.wal && !this.syncFull) {
        this.conn.db.pragma("synchronous = FULL");
        this.syncFull = true;
      }
      await this.direct.exec(sql);
      await this.wal?.sync();
      this.checkpointer?.afterCommit();
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
    this.checkpointer?.afterCommit();
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
    await this.lock.run(async () => {
      // The thread's connection first: the store's, closing last, checkpoints what is left (if
      // anything) and removes the WAL, leaving one consistent database file.
      await this.checkpointer?.close();
      this.conn.db.close();
      this.wal?.close();
    });
  }

  /** Where the WAL syncs run now and how many ran where (null without WAL); for tests and diagnostics. */
  walSyncStatus(): WalSyncStatus | null {
    return this.wal?.status() ?? null;
  }

  /** Where checkpoints run now, and how many the thread ran; for tests and diagnostics. */
  checkpointStatus(): { mode: CheckpointMode | "none"; threadCheckpoints: number; fallbackReason: string | null } {
    const c = this.checkpointer;
    if (c === null) return { mode: this.wal ? "connection" : "none", threadCheckpoints: 0, fallbackReason: null };
    return { mode: c.mode, threadCheckpoints: c.counts.checkpoints, fallbackReason: c.fallbackReason };
  }
}

// ------------------------------------------------------------------ Postgres

