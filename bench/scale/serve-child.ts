/**
 * A relayer process of the scale benchmark: opens an index that bench/scale.ts filled, serves the
 * HTTP app over it and measures every probe (reads.ts), then reports the figures, the time from
 * start to the first answer (cold start) and its resident memory to the parent (IPC message).
 * Run by bench/scale.ts with `node -r ts-node/register/transpile-only`; not for direct use.
 */
import { openStore } from "../../src/relayer/store";
import type { ScaleSpec } from "./dataset";
import { measureProbe, scaleApp, scaleProbes, sendProbe, type ProbeFigures } from "./reads";

export interface ChildJob {
  spec: ScaleSpec;
  dataDir: string;
  databaseUrl?: string;
  schema?: string;
  requests: number;
  concurrency: number;
  warmup: number;
}

export interface ChildReport {
  coldStartMs: number;
  figures: ProbeFigures[];
  rssBytes: number;
  peakRssBytes: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "{}") as ChildJob;
  const t0 = performance.now();
  const store = await openStore({ dataDir: job.dataDir, databaseUrl: job.databaseUrl, schema: job.schema });
  const { app, writer } = await scaleApp(store.index);
  const probes = scaleProbes(job.spec);
  await sendProbe(app, writer, probes[0]);
  const coldStartMs = performance.now() - t0;
  const figures: ProbeFigures[] = [];
  let peak = process.memoryUsage().rss;
  for (const p of probes) {
    figures.push(await measureProbe(app, writer, p, job.requests, job.concurrency, job.warmup));
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const report: ChildReport = { coldStartMs, figures, rssBytes: process.memoryUsage().rss, peakRssBytes: peak };
  await app.close();
  await store.close();
  process.send?.(report);
}

main().catch((err: unknown) => {
  process.send?.({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
});
