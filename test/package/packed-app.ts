/**
 * A temporary app that installed the `accountconfig` package the way an app does: `npm run build`,
 * `npm pack` of the root, then `npm install <tarball>` with npm into an empty app (a real install,
 * from the npm cache when it can). Built once per test run and shared by the package tests
 * (install.test.ts, browser-bundle.test.ts); removed when the process exits.
 *
 *   const app = await packedApp();   // { dir, tarball, tree }
 */
import { execFile } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { promisify } from "util";

const run = promisify(execFile);

export const ROOT = path.resolve(__dirname, "..", "..");

/** One installed package: its path under node_modules, name and version. */
export interface InstalledPackage {
  /** e.g. "ethers" or "ethers/node_modules/@noble/hashes" (relative to the app's node_modules). */
  readonly location: string;
  readonly name: string;
  readonly version: string;
}

export interface PackedApp {
  /** The app's directory (package.json, node_modules). */
  readonly dir: string;
  /** The packed tarball. */
  readonly tarball: string;
  /** Every package installed under the app's node_modules, nested ones included. */
  readonly tree: readonly InstalledPackage[];
  /** Bytes on disk of the app's node_modules (du -sk × 1024). */
  readonly diskBytes: number;
}

/** The build under load took more than 300 s once: callers give before() this much. */
export const PACKED_APP_TIMEOUT_MS = 900_000;

/** Every package directory under `nodeModules` (scoped and nested node_modules included). */
export function installedTree(nodeModules: string, prefix = ""): InstalledPackage[] {
  if (!fs.existsSync(nodeModules)) return [];
  const out: InstalledPackage[] = [];
  const visit = (dir: string, location: string): void => {
    const manifest = path.join(dir, "package.json");
    if (!fs.existsSync(manifest)) return;
    const { name, version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    out.push({ location, name: name ?? location, version: version ?? "?" });
    out.push(...installedTree(path.join(dir, "node_modules"), `${location}/node_modules/`));
  };
  for (const entry of fs.readdirSync(nodeModules, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
    const dir = path.join(nodeModules, entry.name);
    if (entry.name.startsWith("@")) {
      for (const scoped of fs.readdirSync(dir)) visit(path.join(dir, scoped), `${prefix}${entry.name}/${scoped}`);
    } else {
      visit(dir, `${prefix}${entry.name}`);
    }
  }
  return out;
}

/** The size on disk of `dir` in bytes (du -sk). */
export async function diskBytes(dir: string): Promise<number> {
  const { stdout } = await run("du", ["-sk", dir]);
  return Number(stdout.split(/\s/)[0]) * 1024;
}

/**
 * The environment for the npm commands run here: without what an enclosing `npm test` exported
 * about its own package (npm_config_local_prefix would make the app's `npm install` install into
 * the repository).
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(config_local_prefix|config_call|package_|lifecycle_)/.test(k) || k === "INIT_CWD") continue;
    env[k] = v;
  }
  return env;
}

async function build(): Promise<PackedApp> {
  const env = npmEnv();
  await run("npm", ["run", "build", "--silent"], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "accountconfig-packed-app-"));
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  // The build just ran: --ignore-scripts skips prepack's second build.
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], {
    cwd: ROOT,
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const tarball = path.join(dir, filename);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "packed-app", version: "1.0.0", private: true }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], {
    cwd: dir,
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const nodeModules = path.join(dir, "node_modules");
  return { dir, tarball, tree: installedTree(nodeModules), diskBytes: await diskBytes(nodeModules) };
}

let shared: Promise<PackedApp> | undefined;

/** The app, built on first call (one build, pack and install per test run). */
export function packedApp(): Promise<PackedApp> {
  shared ??= build();
  return shared;
}
