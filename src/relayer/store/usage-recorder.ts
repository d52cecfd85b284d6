/**
 * Lit Action execution usage written behind to the table `lit_action_usage` (migration
 * `actions/0002_usage`, store/code-store.ts). Billing does not read it: executions are charged
 * while they run (services/billing.ts, meterExecution), so the table's `charged` column stays 0.
 */
import type { ExecutionUsage, UsageRecorder } from "../ports";
import type { Queryable } from "./db";

/**
 * Write-behind with group commit: `record` queues the row and returns at once (an fsync per
 * execution would cost more than the execution, and SQLite serialises every read behind a commit);
 * a single writer commits everything queued during the last `intervalMs` (200) in one transaction. A failed commit is retried (the rows stay queued, at most
 * `maxQueued`). `flush()` resolves when everything queued so far is committed; call it on shutdown.
 * A crash can lose the rows of the last `intervalMs`.
 */
export class SqlUsageRecorder implements UsageRecorder {
  private queue: ExecutionUsage[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Queryable,
    private readonly options: {
      intervalMs?: number;
      maxQueued?: number;
      retryMs?: number;
      onError?: (e: unknown) => void;
    } = {},
  ) {}

  async record(usage: ExecutionUsage): Promise<void> {
    if (this.queue.length >= (this.options.maxQueued ?? 100_000))
      throw new Error("usage queue full: the database is not accepting writes");
    this.queue.push(usage);
    this.running ??= this.drain();
  }

  async flush(): Promise<void> {
    this.wakeUp?.();
    while (this.running !== null) {
      this.wakeUp?.();
      await this.running;
    }
  }

  private wakeUp: (() => void) | null = null;

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // Collect for intervalMs (flush() cuts the wait short).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.intervalMs ?? 200);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
        const batch = this.queue;
        this.queue = [];
        try {
          await this.db.tx(async (tx) => {
            for (const u of batch) {
              await tx.run(
                `INSERT INTO lit_action_usage (account, api_key_hash, cid, started_at, duration_ms, has_error)
                 VALUES ($1, $2, $3, $4, $5, $6)`,
                [u.account, u.apiKeyHash, u.cid, u.startedAtMs, Math.max(0, Math.round(u.durationMs)), u.hasError],
              );
            }
          });
        } catch (e) {
          this.queue = [...batch, ...this.queue];
          this.options.onError?.(e);
          await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 1000));
        }
      }
    } finally {
      this.running = null;
    }
  }
}
