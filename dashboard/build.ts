/**
 * Builds the dashboard with Vite when its output is missing or older than its sources: used by
 * `npm start` (scripts/start.ts) and the browser tests (test/dashboard). `npm run build:dashboard`
 * always rebuilds.
 *
 *   const { built, outDir } = await ensureDashboardBuilt();
 */
import fs from "fs";
import path from "path";

const REPO_ROOT = path.resolve(__dirname, "..");

/** Where the build goes (the relayer serves it from there by default). */
export const DASHBOARD_DIST = path.join(__dirname, "dist");

/** Everything the bundle is made of: the dashboard itself, the SDK and the bindings it imports. */
const SOURCES = [
  "dashboard/index.html",
  "dashboard/vite.config.mts",
  "dashboard/src",
  "src/sdk",
  "src/core/api-types.ts",
  "src/core/hashing.ts",
  "typechain-types/factories/contracts/interfaces/IAccountConfig__factory.ts",
].map((p) => path.join(REPO_ROOT, p));

/** The newest modification time (ms) of a file or of the files under a directory; 0 when absent. */
function newestMtime(p: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its directory's mtime
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** Whether `outDir` lacks a build or is older than any source. */
export function dashboardIsStale(outDir: string = DASHBOARD_DIST): boolean {
  let builtAt: number;
  try {
    builtAt = fs.statSync(path.join(outDir, "index.html")).mtimeMs;
  } catch {
    return true;
  }
  return SOURCES.some((s) => newestMtime(s) > builtAt);
}

/** The part of Vite's Node API used here (Vite is ESM; Node 20.19+ can require it). */
interface ViteBuildApi {
  build(config: {
    configFile: string;
    logLevel?: "info" | "warn" | "error" | "silent";
    build?: { outDir?: string; emptyOutDir?: boolean };
  }): Promise<unknown>;
}

export interface BuildOptions {
  outDir?: string;
  logLevel?: "info" | "warn" | "error" | "silent";
}

/** Runs `vite build` with dashboard/vite.config.mts. */
export async function buildDashboard(options: BuildOptions = {}): Promise<void> {
  if (!fs.existsSync(SOURCES[5])) {
    throw new Error("the dashboard needs the TypeChain bindings: run `npx hardhat compile` first");
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vite = require("vite") as ViteBuildApi;
  await vite.build({
    configFile: path.join(__dirname, "vite.config.mts"),
    logLevel: options.logLevel ?? "warn",
    build: { outDir: options.outDir ?? DASHBOARD_DIST, emptyOutDir: true },
  });
}

/** Builds unless an up-to-date build exists; returns whether it built. */
export async function ensureDashboardBuilt(options: BuildOptions = {}): Promise<{ built: boolean; outDir: string }> {
  const outDir = options.outDir ?? DASHBOARD_DIST;
  if (!dashboardIsStale(outDir)) return { built: false, outDir };
  await buildDashboard({ ...options, outDir });
  return { built: true, outDir };
}
