/**
 * How a sandbox worker thread loads its code. Compiled JavaScript (a build) is loaded as is. From
 * TypeScript sources (ts-node: `npm start`, `npm run relayer`, the tests), the relayer transpiles
 * the worker's files itself and hands them to the worker, so that the worker does not load the
 * TypeScript compiler (about a second and tens of MB per thread). The worker may only import files
 * of this folder (and packages): the transpiled set is the closure of its relative imports, and an
 * import from outside the folder is refused here, loudly.
 */
import * as fs from "fs";
import * as path from "path";
import type { Worker, WorkerOptions } from "worker_threads";
import { startThread } from "../util/worker-thread";

const ENTRY = "sandbox-worker";

/**
 * Starts a sandbox worker thread with the process's execArgv without its preloads (startThread:
 * ts-node, the Hardhat runtime; docs/lit-action-runtime.md, "Sandbox workers and preloads").
 */
export function startSandboxWorker(): Worker {
  const { code, options } = sandboxWorkerSource();
  return startThread(code, options);
}

/** The code and options of `new Worker(code, options)` for a sandbox worker. */
export function sandboxWorkerSource(): { code: string; options: WorkerOptions } {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `${ENTRY}${ext}`);
  if (ext !== ".ts") return { code: `require(${JSON.stringify(entry)});`, options: { eval: true } };
  const sources = transpiledClosure(entry);
  const code = `
    const Module = require("module");
    const sources = require("worker_threads").workerData.sources;
    Module._extensions[".ts"] = function (module, filename) {
      const js = sources[filename];
      if (js === undefined) throw new Error("the sandbox worker may not load " + filename);
      module._compile(js, filename);
    };
    require(${JSON.stringify(entry)});
  `;
  return { code, options: { eval: true, workerData: { sources } } };
}

let cache: Record<string, string> | undefined;

/** The transpiled JavaScript of `entry` and of every file it imports relatively, by absolute path. */
function transpiledClosure(entry: string): Record<string, string> {
  if (cache !== undefined) return cache;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof import("typescript");
  const out: Record<string, string> = {};
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (out[file] !== undefined) continue;
    const source = fs.readFileSync(file, "utf8");
    out[file] = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]*)";/gms)) {
      if (/^import\s+type\s/.test(match[0]) || /^export\s+type\s/.test(match[0])) continue;
      const target = path.resolve(path.dirname(file), `${match[1]}.ts`);
      if (path.dirname(target) !== __dirname)
        throw new Error(`${path.basename(file)} imports ${match[1]}: a sandbox worker may only import files of its folder`);
      queue.push(target);
    }
  }
  cache = out;
  return out;
}
