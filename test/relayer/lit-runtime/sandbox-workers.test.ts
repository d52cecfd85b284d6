/**
 * The sandbox's worker threads and the process around them (sandbox-pool.ts, sandbox.ts
 * closeSandbox; docs/lit-action-runtime.md "Worker threads end with the relayer"): idle workers
 * hold no ref'd MessagePort (a process that ran an action exits by itself), closeSandbox ends
 * every worker thread, and a worker busy when the sandbox closes finishes its run first.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { DEFAULT_ACTION_LIMITS } from "../../../src/relayer/lit-runtime/limits";
import { closeSandbox, prepareSandbox, runInSandbox, type SandboxHost } from "../../../src/relayer/lit-runtime/sandbox";
import { withoutPreloads } from "../../../src/relayer/util/worker-thread";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const SANDBOX = path.join(ROOT, "src", "relayer", "lit-runtime", "sandbox.ts");
const LIMITS = path.join(ROOT, "src", "relayer", "lit-runtime", "limits.ts");

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const noHost: SandboxHost = {
  keyOperation: async () => {
    throw new Error("no keys here");
  },
  fetch: async () => {
    throw new Error("no fetch here");
  },
};

/** Threads of this process (Linux /proc): each sandbox worker is one. */
const threads = (): number => fs.readdirSync("/proc/self/task").length;

/** Polls until `check` holds; throws after `limitMs` (a bound, not a speed claim). */
async function eventually(what: string, check: () => boolean, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`still waiting after ${limitMs} ms: ${what}`);
    await sleep(50);
  }
}

/**
 * Runs node with `args` (ts-node, --no-node-snapshot) in the repository; its exit code and output
 * once it exits by itself. A child that has not exited after `limitMs` (a bound for a hang, not a
 * speed claim) is killed: a thread stuck in its exit keeps even process.exit() waiting.
 */
async function runChild(args: string[], limitMs = 120_000): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ["--no-node-snapshot", "--require", "ts-node/register/transpile-only", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  let code: number | null | undefined;
  child.once("exit", (c) => (code = c));
  try {
    await eventually("the child's exit", () => code !== undefined, limitMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}; its output:\n${out}`);
  } finally {
    if (code === undefined && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
  }
  return { code: code ?? null, out };
}

/** The preamble of a child script: the sandbox, the default limits and a host without keys or network. */
const CHILD_PREAMBLE = [
  `const { runInSandbox, prepareSandbox, closeSandbox } = require(${JSON.stringify(SANDBOX)});`,
  `const { DEFAULT_ACTION_LIMITS } = require(${JSON.stringify(LIMITS)});`,
  `const host = { keyOperation: async () => "", fetch: async () => { throw new Error("no"); } };`,
  `const runAction = (code) => runInSandbox({ code, paramsJson: "null", headers: {}, limits: DEFAULT_ACTION_LIMITS, host });`,
];

const run = (code: string, host: SandboxHost = noHost) =>
  runInSandbox({ code, paramsJson: "null", headers: {}, limits: { ...DEFAULT_ACTION_LIMITS, timeoutMs: 60_000 }, host });

describe("lit actions: sandbox worker threads", function () {
  this.timeout(180_000);
  after(() => closeSandbox());

  it("a process that ran an action exits by itself: idle workers keep no MessagePort open", async () => {
    const script = [
      ...CHILD_PREAMBLE,
      `runAction("Lit.Actions.setResponse({ response: 'ok' })")`,
      `  .then((r) => console.log("response " + r.response + " handles " + JSON.stringify(process.getActiveResourcesInfo().filter((h) => h === "MessagePort"))));`,
    ].join("\n");
    const { code, out } = await runChild(["-e", script]);
    expect(code, out).to.equal(0);
    expect(out.trim()).to.equal("response ok handles []");
  });

  it("starts its workers without the process's --require preloads (ts-node, hardhat/register)", async () => {
    // A preload that says on which thread it runs. A worker inheriting the process's execArgv
    // loads every preload again: under `npm start` ts-node and the TypeScript compiler, under
    // `hardhat run` the whole Hardhat runtime, in every sandbox worker. The child also has
    // --no-node-snapshot, which a thread refuses in its execArgv: the worker starts all the same.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-preload-"));
    const preload = path.join(dir, "preload.js");
    fs.writeFileSync(preload, `process.stdout.write((require("worker_threads").isMainThread ? "main" : "thread") + " preload\\n");\n`);
    const script = [
      ...CHILD_PREAMBLE,
      `runAction("Lit.Actions.setResponse({ response: 'ok' })")`,
      `  .then((r) => closeSandbox().then(() => console.log("response " + r.response + " " + (r.error ?? ""))));`,
    ].join("\n");
    try {
      const { code, out } = await runChild(["--require", preload, "-e", script]);
      expect(code, out).to.equal(0);
      const lines = out.trim().split("\n");
      expect(lines.filter((l) => l.endsWith(" preload")), out).to.deep.equal(["main preload"]);
      expect(lines[lines.length - 1].trim(), out).to.equal("response ok");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a worker's execArgv is the process's without its preloads and their values", () => {
    const argv = ["--no-node-snapshot", "--require", "ts-node/register", "-r", "a.js", "--require=b.js", "--import=c.mjs"];
    expect(withoutPreloads([...argv, "--loader", "d.mjs", "--enable-source-maps", "--trace-warnings"])).to.deep.equal([
      "--no-node-snapshot",
      "--enable-source-maps",
      "--trace-warnings",
    ]);
  });

  it("closeSandbox while its workers prepare isolates ends every worker, again and again", async () => {
    // Each round leaves isolate preparations under way (the warm-up after start, the refill after
    // the run's take) when the sandbox closes. A worker terminated while isolated-vm worked for it
    // could stay stuck in its exit for good (isolated-vm's cleanup hook waiting), and with it
    // closeSandbox and even process.exit: hence a child process, killed if it hangs.
    const ROUNDS = 8;
    const script = [
      ...CHILD_PREAMBLE,
      `(async () => {`,
      `  for (let i = 0; i < ${ROUNDS}; i++) {`,
      `    await prepareSandbox();`,
      `    const r = await runAction(i % 2 === 0 ? "Lit.Actions.setResponse({ response: typeof ethers })" : "Lit.Actions.setResponse({ response: 'ok' })");`,
      `    if (r.error !== null) throw new Error(r.error);`,
      `    await closeSandbox();`,
      `    console.log("round " + i + " closed");`,
      `  }`,
      `})();`,
    ].join("\n");
    const { code, out } = await runChild(["-e", script], 150_000);
    expect(code, out).to.equal(0);
    expect(out.trim().split("\n").pop(), out).to.equal(`round ${ROUNDS - 1} closed`);
  });

  it("closeSandbox ends every worker thread, and a later run starts new ones", async () => {
    // Warm-up round: threads a first run starts for good (libuv's pool, V8's helpers) count in the baseline.
    expect((await run("Lit.Actions.setResponse({ response: 'warm' })")).response).to.equal("warm");
    await closeSandbox();
    const baseline = threads();
    await prepareSandbox();
    expect(threads(), "worker threads while the sandbox is up").to.be.greaterThan(baseline);
    await closeSandbox();
    await eventually("the thread count back at its baseline", () => threads() <= baseline, 30_000);
    expect((await run("Lit.Actions.setResponse({ response: 'again' })")).response).to.equal("again");
  });

  it("a worker busy when the sandbox closes finishes its run before it ends", async () => {
    let answer: (body: string) => void = () => undefined;
    let pending: ReturnType<typeof run> | undefined;
    const fetched = new Promise<void>((asked) => {
      const host: SandboxHost = {
        ...noHost,
        fetch: () =>
          new Promise((resolve) => {
            asked();
            answer = (body) =>
              resolve({ url: "https://example.com/", status: 200, statusText: "OK", headers: [], redirected: false, body: Buffer.from(body) });
          }),
      };
      pending = run("async function main() { const r = await fetch('https://example.com/'); return await r.text(); }", host);
    });
    // The run is waiting for its fetch (or ended without asking: then say how).
    await Promise.race([fetched, (pending as ReturnType<typeof run>).then((r) => Promise.reject(new Error(`ended early: ${JSON.stringify(r)}`)))]);
    let closed = false;
    const closing = closeSandbox().then(() => (closed = true));
    await sleep(200); // the worker waits for its run: closing is not done
    expect(closed).to.equal(false);
    answer("finished");
    const r = await (pending as ReturnType<typeof run>);
    expect(r).to.include({ response: "finished", error: null });
    await closing;
    expect(closed).to.equal(true);
  });
});
