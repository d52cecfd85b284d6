/**
 * Write tracing: where the time of one relayed write goes, stage by stage (docs/relayer-latency.md).
 *
 * A WriteTrace is created per HTTP request only when tracing is on (the bench's BENCH_TRACE=1;
 * RelayerOptions.writeTraces); it travels down with the write (WriteOptions.trace,
 * WriteRequest.trace) and every layer calls `trace?.mark(stage)` when a stage ends: the time since
 * the previous mark is added to that stage. Off, the trace is undefined and a mark is one optional
 * call that does nothing. Timestamps are `performance.now()` (monotonic).
 *
 * The stages, in the order a write meets them:
 *   http       request parsing and JSON-schema validation (fastify, up to the handler)
 *   permission credential look-up and the permission pre-checks against the index, billing charge
 *   queue      waiting in the batcher for a batch (or a free payer)
 *   preflight  the pre-flight eth_call (batch or single)
 *   sign       waiting for the payer's nonce lock, nonce allocation and signing
 *   commit     the durable store of the signed row (the outbox transaction's commit)
 *   broadcast  eth_sendRawTransaction (with the receipt asked in the same batch; on automine the
 *              node mines inside this round trip, so mining is part of it)
 *   receipt    the receipt's decoding and recording (mined outcome committed in the outbox)
 *   index      read-your-writes: until the index holds the transaction's block
 *   answer     the batch split, the service's reply and the HTTP response
 */
export const WRITE_STAGES = [
  "http",
  "permission",
  "queue",
  "preflight",
  "sign",
  "commit",
  "broadcast",
  "receipt",
  "index",
  "answer",
] as const;

export type WriteStage = (typeof WRITE_STAGES)[number];

/** What the layers see of a trace: one write's, or a batch's (every write it carries). */
export interface WriteTracer {
  /** The time since the previous mark was spent in `stage`. */
  mark(stage: WriteStage): void;
}

export class WriteTrace implements WriteTracer {
  /** Milliseconds spent per stage. */
  readonly stages: Record<WriteStage, number> = {
    http: 0,
    permission: 0,
    queue: 0,
    preflight: 0,
    sign: 0,
    commit: 0,
    broadcast: 0,
    receipt: 0,
    index: 0,
    answer: 0,
  };
  private last: number;

  constructor(readonly startedAt: number = performance.now()) {
    this.last = startedAt;
  }

  mark(stage: WriteStage, at: number = performance.now()): void {
    this.stages[stage] += at - this.last;
    this.last = at;
  }

  /** From the first to the latest mark (ms). */
  total(): number {
    return this.last - this.startedAt;
  }
}

/** A batch's tracer: a mark is made on every write of the batch (each from its own previous mark). */
export class TraceGroup implements WriteTracer {
  constructor(private readonly members: readonly WriteTracer[]) {}

  mark(stage: WriteStage): void {
    const at = performance.now();
    for (const m of this.members) {
      if (m instanceof WriteTrace) m.mark(stage, at);
      else m.mark(stage);
    }
  }

  /** A tracer for the traced ones of `traces`, or undefined when none is traced. */
  static of(traces: readonly (WriteTracer | undefined)[]): WriteTracer | undefined {
    const members = traces.filter((t): t is WriteTracer => t !== undefined);
    return members.length === 0 ? undefined : new TraceGroup(members);
  }
}
