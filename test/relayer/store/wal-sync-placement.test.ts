/**
 * The placement of the SQLite WAL sync (store/wal-sync-placement.ts; docs/relayer-latency.md,
 * "Ninth pass: the WAL sync inline while it is fast"): inline while the inline syncs are fast and
 * answer sooner than the thread pool, on the pool after a slow one, with a probe in the other place
 * every PROBE_EVERY-th sync.
 */
import { expect } from "chai";
import fc from "fast-check";
import { PROBE_EVERY, SPIKE_FACTOR, WalSyncPlacement, type SyncPlace } from "../../../src/relayer/store/wal-sync-placement";

/** Runs `n` syncs; an inline one "takes" `ms(i)`, a pool one `poolMs` (until its completion ran); returns where each ran. */
function run(p: WalSyncPlacement, n: number, ms: (i: number) => number, poolMs = 5): SyncPlace[] {
  const places: SyncPlace[] = [];
  for (let i = 0; i < n; i++) {
    const place = p.next();
    places.push(place);
    if (place === "inline") p.inlineDone(ms(i));
    else p.poolDone(poolMs);
  }
  return places;
}

/** The indexes of `places` that ran in `where`. */
const at = (places: readonly SyncPlace[], where: SyncPlace): number[] => places.flatMap((pl, i) => (pl === where ? [i] : []));

describe("WAL sync placement", () => {
  it("keeps fast syncs inline, with one sync in PROBE_EVERY on the pool to keep its time current", () => {
    const p = new WalSyncPlacement(0.5);
    const places = run(p, 3 * PROBE_EVERY, () => 0.3);
    expect(at(places, "pool")).to.deep.equal([PROBE_EVERY - 1, 2 * PROBE_EVERY - 1, 3 * PROBE_EVERY - 1]);
    expect(p.place).to.equal("inline");
  });

  it("moves to the pool when the pool answers sooner than the inline syncs take", () => {
    const p = new WalSyncPlacement(2);
    // Inline syncs well under the limit, but the pool probe comes back faster still.
    run(p, PROBE_EVERY, () => 1, 0.4);
    expect(p.place).to.equal("pool");
    expect(p.next()).to.equal("pool");
  });

  it("stays inline over a small limit's worth while the pool answers later (a loaded event loop)", () => {
    const p = new WalSyncPlacement(2);
    const places = run(p, 3 * PROBE_EVERY, () => 1.5, 2.5);
    expect(at(places, "inline")).to.have.length(3 * PROBE_EVERY - 3);
    expect(p.place).to.equal("inline");
  });

  it("moves to the pool right after one inline sync far over the limit", () => {
    const p = new WalSyncPlacement(0.5);
    run(p, 50, () => 0.2);
    run(p, 1, () => 0.5 * SPIKE_FACTOR + 0.1);
    expect(p.place).to.equal("pool");
    expect(p.next()).to.equal("pool");
  });

  it("moves to the pool when the average of inline syncs creeps over the limit", () => {
    const p = new WalSyncPlacement(0.5);
    run(p, 10, () => 0.3);
    // Each one under the spike threshold, yet the EWMA passes 0.5 within a few syncs.
    const places = run(p, 20, () => 0.9);
    expect(places.slice(0, 2)).to.deep.equal(["inline", "inline"]);
    expect(p.place).to.equal("pool");
  });

  it("runs every PROBE_EVERY-th sync inline as a probe in pool mode", () => {
    const p = new WalSyncPlacement(0.5);
    run(p, 1, () => 10);
    const places = run(p, 3 * PROBE_EVERY, () => 10);
    expect(at(places, "inline")).to.deep.equal([PROBE_EVERY - 1, 2 * PROBE_EVERY - 1, 3 * PROBE_EVERY - 1]);
    expect(p.counts.probes).to.equal(3);
  });

  it("does not go back inline after a probe under the limit when the pool answers sooner still", () => {
    const p = new WalSyncPlacement(2);
    run(p, 1, () => 10);
    run(p, 3 * PROBE_EVERY, () => 1, 0.5);
    expect(p.place).to.equal("pool");
  });

  it("goes back inline after a fast probe", () => {
    const p = new WalSyncPlacement(0.5);
    run(p, 1, () => 10);
    const places = run(p, PROBE_EVERY + 5, () => 0.2, 1);
    expect(places[PROBE_EVERY - 1]).to.equal("inline");
    expect(places.slice(PROBE_EVERY)).to.deep.equal(new Array(5).fill("inline"));
    expect(p.place).to.equal("inline");
  });

  it("never runs inline when disabled (limit 0)", () => {
    const p = new WalSyncPlacement(0);
    expect(run(p, 3 * PROBE_EVERY, () => 0)).to.deep.equal(new Array(3 * PROBE_EVERY).fill("pool"));
  });

  it("puts the sync after any inline sync over SPIKE_FACTOR x the limit on the pool, and at most one in PROBE_EVERY syncs after it inline until a fast one", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { minLength: 1, maxLength: 300 }), (durations) => {
        const p = new WalSyncPlacement(0.5);
        let inlineSinceSlow: number | null = null;
        let syncsSinceSlow = 0;
        for (let i = 0; i < durations.length; i++) {
          const place = p.next();
          if (inlineSinceSlow !== null) {
            syncsSinceSlow++;
            if (place === "inline") inlineSinceSlow++;
            expect(inlineSinceSlow).to.be.at.most(Math.floor(syncsSinceSlow / PROBE_EVERY));
          }
          if (place !== "inline") continue;
          const ms = durations[i];
          p.inlineDone(ms);
          if (ms > SPIKE_FACTOR * 0.5) {
            inlineSinceSlow = 0;
            syncsSinceSlow = 0;
          } else if (ms <= 0.5) inlineSinceSlow = null;
        }
      }),
    );
  });
});
