/** Write tracing at the HTTP edge (core/write-trace.ts, docs/relayer-latency.md). */
import { expect } from "chai";
import { WRITE_STAGES, type WriteTrace } from "../../../src/core/write-trace";
import { addGroup, makeApp, newAccount } from "./support";

describe("relayer http: write tracing", () => {
  it("hands the request's trace down with its write and to the sink once answered", async () => {
    const seen: { trace: WriteTrace; url: string; statusCode: number }[] = [];
    const t = await makeApp({ writeTraces: (trace, req) => seen.push({ trace, url: req.url, statusCode: req.statusCode }) });
    const { key } = await newAccount(t.app);
    await addGroup(t.app, key);
    const traced = seen.find((s) => s.url.endsWith("/add_group"));
    expect(traced?.statusCode).to.equal(200);
    const write = t.chain.requests.find((r) => r.method === "addGroup");
    expect(write?.trace, "the write carries the request's trace").to.equal(traced?.trace);
    const stages = traced?.trace.stages ?? {};
    expect(Object.keys(stages)).to.deep.equal([...WRITE_STAGES]);
    const sum = WRITE_STAGES.reduce((a, s) => a + (traced?.trace.stages[s] ?? 0), 0);
    expect(sum).to.be.closeTo(traced?.trace.total() ?? -1, 1e-6);
  });

  it("creates no trace without a sink", async () => {
    const t = await makeApp();
    const { key } = await newAccount(t.app);
    await addGroup(t.app, key);
    expect(t.chain.requests.every((r) => r.trace === undefined)).to.equal(true);
  });
});
