/**
 * bench:relayer's raw baseline in phases interleaved with the relayer runs (bench/relayer/results.ts
 * rawNextTo, bench/relayer/targets.ts rateRatio / p50Ratio): each relayer run is held against the raw
 * phases on either side of it, merged, never against the best phase of the whole run.
 */
import { expect } from "chai";
import type { CaseResult, RunResult } from "../../bench/relayer/results";
import { mergeRuns, rawNextTo } from "../../bench/relayer/results";
import { assessTargets, p50Ratio, rateRatio, ratioText } from "../../bench/relayer/targets";

/** A run of `writes` writes in `wallMs`, every write taking `latency` ms. */
function run(label: RunResult["label"], writes: number, wallMs: number, latency: number, extra: Partial<RunResult> = {}): RunResult {
  return {
    label,
    payers: 4,
    writes,
    ok: writes,
    wallMs,
    latencies: Array.from({ length: writes }, () => latency),
    failures: [],
    nonceErrors: 0,
    nonceNotes: [],
    extra: [],
    usage: { rpc: [], httpRequests: 0, newSockets: 0, sqlStatements: 0, gc: { minorMs: 0, minor: 0, majorMs: 0, major: 0 }, cpuSelfMs: 0, cpuMainMs: 0, cpuNodeMs: 0, cpuClientsMs: null, loopDelay: [] },
    ...extra,
  };
}

/** Raw phases at 100, 400, 200 writes/s (p50 10, 2.5, 5 ms) around two relayer runs at 300 writes/s. */
function shiftingBaseline(): CaseResult {
  const rawPhases = [run("raw", 100, 1000, 10), run("raw", 100, 250, 2.5), run("raw", 100, 500, 5)];
  const relayer = (i: number, concurrency: number) =>
    run("relayer", 300, 1000, 6, { concurrency, batchMaxCalls: 32, rawNeighbours: [i, i + 1] });
  return {
    raw: rawPhases.slice(1).reduce(mergeRuns, rawPhases[0]),
    rawPhases,
    relayers: [relayer(0, 8), relayer(1, 128)],
    rawBatch: null,
  };
}

describe("bench:relayer raw baseline next to each relayer run (bench/relayer)", () => {
  it("holds a relayer run against the raw phases right before and after it, merged", () => {
    const c = shiftingBaseline();
    const raw = rawNextTo(c, c.relayers[0]);
    expect(raw.writes).to.equal(200);
    expect(raw.wallMs).to.equal(1250);
    // 300 writes/s against 200 writes in 1.25 s = 160 writes/s
    expect(rateRatio(c, c.relayers[0]).ratio).to.be.closeTo(300 / 160, 1e-9);
  });

  it("gives the ratio against each neighbouring raw phase alone as its range", () => {
    const c = shiftingBaseline();
    expect(rateRatio(c, c.relayers[1]).range).to.deep.equal([300 / 400, 300 / 200]);
    expect(p50Ratio(c, c.relayers[1]).range).to.deep.equal([6 / 5, 6 / 2.5]);
    expect(ratioText(rateRatio(c, c.relayers[1]))).to.equal("1.13 (0.75-1.50)");
  });

  it("meets a throughput target on the merged neighbours, not on the slower neighbour alone", () => {
    const c = shiftingBaseline();
    // c=128 with batching: 300 writes/s against 400 and 200 (merged 266.7): 1.13, below 1.5
    // although 1.50 against the slower neighbour alone.
    const t = assessTargets([c], 8, 128);
    expect(t.batched.met).to.equal(false);
    expect(t.batched.seen).to.deep.equal(["4 payer(s), batching <= 32: 1.13 (0.75-1.50)"]);
  });
});
