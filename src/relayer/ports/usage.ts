/**
 * Lit Action execution usage and where it is recorded.
 */

/** One Lit Action execution's usage (its duration), kept as a history. */
export interface ExecutionUsage {
  /** The account's master hash. */
  account: string;
  /** The key that ran the action (master, alias or usage key hash). */
  apiKeyHash: string;
  cid: string;
  /** Unix milliseconds at the start of the execution. */
  startedAtMs: number;
  durationMs: number;
  hasError: boolean;
}

/** Where execution usage goes (store/usage-recorder.ts; in memory in lit-runtime/usage.ts). */
export interface UsageRecorder {
  record(usage: ExecutionUsage): Promise<void>;
  /** Resolves when every recorded usage is stored (write-behind recorders). */
  flush?(): Promise<void>;
}
