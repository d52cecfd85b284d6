/**
 * The probe process of the scale benchmark: bench/scale.ts forks it for each filled index, and it
 * runs measureReads (relayer-process.ts: starts the relayer process, sends and times every probe,
 * reads each process's CPU) and sends back the report. The load generator is a process of its own,
 * as a deployed relayer's clients are: the benchmark process holds the Hardhat runtime and whatever
 * the fills left on its heap, and its mark-compacts (up to ~100 ms, seen with --trace-gc, memory
 * reducer included) stalled every request in flight, which showed as a p99 of 22-36 ms on one
 * probe per run at p50 5-8 ms (bench/results/scale.md, "The probe process"). This process holds
 * only the client, the meter and the relayer's IPC.
 *
 * Run by the bench with `node -r ts-node/register/transpile-only`; not for direct use.
 */
import { fork } from "node:child_process";
import { measureReads, type ReadsJob, type ReadsReport } from "./relayer-process";

/** Probe process -> benchmark. */
type FromProbe = { type: "report"; report: ReadsReport } | { type: "error"; error: string };

/** Runs measureReads(job) in a probe process of its own and returns its report. */
export function measureReadsApart(job: ReadsJob): Promise<ReadsReport> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [JSON.stringify(job)], {
      execArgv: ["-r", "ts-node/register/transpile-only"],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    });
    let answer: FromProbe | null = null;
    child.on("message", (m: FromProbe) => (answer ??= m));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (answer?.type === "report" && code === 0) resolve(answer.report);
      else if (answer?.type === "error") reject(new Error(`probe process: ${answer.error}`));
      else reject(new Error(`probe process exited with ${code ?? signal} before its report`));
    });
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "{}") as ReadsJob;
  const report = await measureReads(job);
  await new Promise<void>((resolve, reject) =>
    process.send?.({ type: "report", report } satisfies FromProbe, (err: Error | null) => (err ? reject(err) : resolve())),
  );
  process.disconnect?.();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.send?.({ type: "error", error } satisfies FromProbe, () => process.disconnect?.());
    process.exitCode = 1;
  });
}
