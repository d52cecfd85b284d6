/**
 * The relayer process of bench/http-cpu.ts: for each checkout named in argv[3..] (default: this
 * one), that checkout's scale-benchmark app (its bench/scale/reads.ts scaleApp and its store) over
 * the SQLite index in argv[2], each on 127.0.0.1 at a free port; answers the parent's "cpu" with
 * its own process.cpuUsage() (microseconds). Not for direct use.
 */
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { FastifyInstance } from "fastify";

export type CpuToChild = { type: "cpu" } | { type: "stop" };
export type CpuFromChild =
  | { type: "listening"; ports: number[] }
  | { type: "cpu"; us: number; systemUs: number }
  | { type: "stopped" };

interface Served {
  app: FastifyInstance;
  close(): Promise<void>;
}

async function serve(tree: string, dataDir: string): Promise<Served> {
  // Each checkout's own modules (node_modules resolve to the same packages).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const store = require(path.join(tree, "src/relayer/store")) as typeof import("../src/relayer/store");
  const reads = require(path.join(tree, "bench/scale/reads")) as typeof import("./scale/reads");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const opened = await store.openStore({ dataDir });
  const { app } = await reads.scaleApp(opened.index);
  await app.listen({ host: "127.0.0.1", port: 0 });
  return { app, close: () => opened.close() };
}

async function main(): Promise<void> {
  const dataDir = process.argv[2] ?? "";
  const trees = process.argv.length > 3 ? process.argv.slice(3) : [path.join(__dirname, "..")];
  const served: Served[] = [];
  for (const tree of trees) served.push(await serve(tree, dataDir));
  const tell = (m: CpuFromChild): void => void process.send?.(m);
  process.on("message", (m: CpuToChild) => {
    if (m.type === "cpu") {
      const u = process.cpuUsage();
      tell({ type: "cpu", us: u.user + u.system, systemUs: u.system });
    } else {
      void (async () => {
        for (const s of served) {
          await s.app.close();
          await s.close();
        }
        tell({ type: "stopped" });
        process.disconnect();
      })();
    }
  });
  tell({ type: "listening", ports: served.map((s) => (s.app.server.address() as AddressInfo).port) });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
