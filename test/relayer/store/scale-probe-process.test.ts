import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ScaleSpec } from "../../../bench/scale/dataset";
import { fillIndex } from "../../../bench/scale/fill";
import { measureReadsApart } from "../../../bench/scale/probe-child";
import { openStore } from "../../../src/relayer/store";

// The scale benchmark's reads run from a probe process of their own (bench/scale/probe-child.ts),
// which starts the relayer process and sends the probes: this keeps that path alive on a small
// SQLite index (the pages themselves are checked in scale-pages.test.ts).
const SPEC: ScaleSpec = { accounts: 200, groups: 30, actions: 30, wallets: 10, usageKeys: 3 };

describe("scale benchmark: probe process", function () {
  this.timeout(120_000);
  let dataDir = "";

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "scale-probe-"));
    const store = await openStore({ dataDir });
    await fillIndex(store, SPEC, { perBlock: 100 });
    await store.close();
  });

  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("reports each chosen probe's figures, the relayer's cold start and memory, and each process's CPU per request", async () => {
    const report = await measureReadsApart({ spec: SPEC, dataDir, requests: 24, concurrency: 2, warmup: 4, only: "^account_exists" });
    expect(report.figures.map((f) => f.name)).to.have.length(3).and.satisfy((names: string[]) => names.every((n) => n.startsWith("account_exists")));
    for (const f of report.figures) {
      expect(f.p50).to.be.above(0).and.at.most(f.p99);
      expect(f.cpu?.clientUs, "the probe process's own CPU").to.be.above(0);
      expect(f.cpu?.relayerUs, "the relayer process's CPU").to.be.above(0);
      expect(f.cpu?.postgresUs).to.equal(null);
    }
    expect(report.coldStartMs).to.be.above(0);
    expect(report.peakRssBytes).to.be.at.least(report.rssBytes).and.above(0);
  });
});
