/**
 * Usage of each Lit Action execution (its duration), kept as a history: in memory here, in the
 * relayer's database through store/usage-recorder.ts.
 */
import type { ExecutionUsage, UsageRecorder } from "../ports";

export type { ExecutionUsage, UsageRecorder } from "../ports";

export class MemoryUsageRecorder implements UsageRecorder {
  readonly records: ExecutionUsage[] = [];
  constructor(private readonly max = 10_000) {}
  async record(usage: ExecutionUsage): Promise<void> {
    this.records.push(usage);
    if (this.records.length > this.max) this.records.splice(0, this.records.length - this.max);
  }
}
