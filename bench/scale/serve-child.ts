/**
 * A relayer process of the scale benchmark: opens an index that bench/scale.ts filled and serves
 * the HTTP app over it (reads.ts scaleApp) on a TCP socket of 127.0.0.1 at a free port, as a
 * deployed relayer does. It tells the parent (IPC) its port and the moment it started; the parent
 * sends the probes over the socket and times them (relayer-process.ts), and asks this process for
 * its resident memory between probes and its CPU time before and after each probe's measured
 * requests (cpu.ts). On Postgres its connections carry the application_name the parent gives it,
 * by which the parent finds their server backends. Run by the bench with `node -r ts-node/register/transpile-only`;
 * not for direct use.
 */
import type { AddressInfo } from "node:net";
import { openStore } from "../../src/relayer/store";
import { withAppName } from "./cpu";
import { scaleApp } from "./reads";

/** What the relayer process is given (argv[2], JSON). */
export interface ServeJob {
  dataDir: string;
  databaseUrl?: string;
  schema?: string;
  /** application_name of its Postgres connections. */
  appName?: string;
}

/** Parent -> relayer process. */
export type ToServer = { type: "rss" } | { type: "cpu" } | { type: "stop" };

/** Relayer process -> parent. */
export type FromServer =
  | { type: "listening"; port: number; startedAtMs: number }
  | { type: "rss"; rssBytes: number }
  /** process.cpuUsage(): user + system microseconds of the whole process so far. */
  | { type: "cpu"; cpuUs: number }
  | { type: "error"; error: string };

const tell = (m: FromServer): void => {
  process.send?.(m);
};

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "{}") as ServeJob;
  // The start of the cold start, on the clock the parent reads too (ms since the epoch, sub-ms).
  const startedAtMs = performance.timeOrigin + performance.now();
  const databaseUrl = job.databaseUrl && job.appName ? withAppName(job.databaseUrl, job.appName) : job.databaseUrl;
  const store = await openStore({ dataDir: job.dataDir, databaseUrl, schema: job.schema });
  const { app } = await scaleApp(store.index);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  process.on("message", (m: ToServer) => {
    if (m.type === "rss") tell({ type: "rss", rssBytes: process.memoryUsage().rss });
    else if (m.type === "cpu") {
      const u = process.cpuUsage();
      tell({ type: "cpu", cpuUs: u.user + u.system });
    } else if (m.type === "stop") {
      void (async () => {
        await app.close();
        await store.close();
        process.disconnect();
      })().catch(fail);
    }
  });
  tell({ type: "listening", port, startedAtMs });
}

function fail(err: unknown): void {
  tell({ type: "error", error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
}

main().catch(fail);
