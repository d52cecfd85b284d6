/**
 * The guarantees of warm isolates (docs/lit-action-runtime.md, "Warm isolates"), for both kinds of
 * prepared isolate (bare, and with ethers loaded ahead):
 *
 * - every execution sees a fresh global state: a global, a prototype change or a callback left
 *   pending by one run is invisible to the next, also when runs overlap;
 * - memory and time limits hold from the first instruction, also for a limit other than the one
 *   the pool prepared for;
 * - the pool never holds keys or results of a finished run: a used isolate is disposed, never
 *   handed out again;
 * - an isolate that died while waiting in the pool is replaced.
 *
 * Through the sandbox (worker threads) where the behaviour is seen from outside; on an IsolatePool
 * in this thread where the pool's own state is checked. Nothing here is timed: waits are on events.
 */
import { expect } from "chai";
import { IsolateRun, type WorkerHost } from "../../../src/relayer/lit-runtime/isolate-run";
import { DEFAULT_ACTION_LIMITS, type ActionLimits } from "../../../src/relayer/lit-runtime/limits";
import {
  type CompiledScripts,
  IsolatePool,
  type IsolateKind,
  compileScripts,
  kindFor,
} from "../../../src/relayer/lit-runtime/prepared-isolates";
import { runInSandbox, type SandboxHost, type SandboxResult } from "../../../src/relayer/lit-runtime/sandbox";
import type { RunMessage } from "../../../src/relayer/lit-runtime/sandbox-protocol";

/** A time limit that only a hung action reaches. */
const GENEROUS_MS = 60_000;

/** A promise with its resolve function. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const plainHost: SandboxHost = {
  keyOperation: async (op) => `${op}-value`,
  fetch: async () => {
    throw new Error("no fetch here");
  },
};

function run(code: string, limits: Partial<ActionLimits> = {}, host: SandboxHost = plainHost): Promise<SandboxResult> {
  return runInSandbox({
    code,
    paramsJson: "null",
    headers: {},
    limits: { ...DEFAULT_ACTION_LIMITS, timeoutMs: GENEROUS_MS, ...limits },
    host,
  });
}

/** `code` made to take an isolate of `kind` (an isolate with ethers loaded when the code names it). */
const asKind = (kind: IsolateKind, code: string): string => (kind === "ethers" ? `/* ethers */\n${code}` : code);

describe("lit runtime: isolation of warm isolates", function () {
  this.timeout(300_000);

  it("code that names ethers gets an isolate with ethers loaded; other code a bare one", () => {
    expect(kindFor("async function main() { return ethers.utils.id('x'); }")).to.equal("ethers");
    expect(kindFor('async function main() { return "Hello World!"; }')).to.equal("bare");
    expect(kindFor("const etherscan = 1;")).to.equal("bare");
  });

  for (const kind of ["bare", "ethers"] as const) {
    // ethers by name (prepared with the isolate), or reached without naming it (loaded in the run).
    const LIB = kind === "ethers" ? "ethers" : 'globalThis["eth" + "ers"]';
    describe(`${kind} isolates`, () => {
      it("a global, a prototype change and a changed library left by one run are invisible to the next", async () => {
        // Each run first reports what it finds, then changes all of it; every run must find it fresh.
        const code = asKind(
          kind,
          `async function main() {
            const found = JSON.stringify({ leftover: typeof leftover, polluted: ({}).polluted === undefined,
              map: [1].map((x) => x + 1)[0], str: "s".toString(), hash: ${LIB}.utils.keccak256("0x") });
            ${LIB}.utils.keccak256 = () => "0xevil";
            globalThis.leftover = "a"; Object.prototype.polluted = "a"; Array.prototype.map = () => "hijacked";
            String.prototype.toString = () => "hijacked"; JSON.stringify = () => "evil";
            return found;
          }`,
        );
        for (let i = 0; i < 8; i++) {
          const r = await run(code);
          expect(r.error, r.error ?? "").to.equal(null);
          expect(JSON.parse(r.response ?? ""), `run ${i}`).to.deep.equal({
            leftover: "undefined",
            polluted: true,
            map: 2,
            str: "s",
            hash: "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
          });
        }
      });

      it("overlapping runs each see only their own globals and prototypes", async () => {
        // 16 runs at once (more than the isolates prepared per worker): each marks its global
        // state, waits until every run has marked its own, then checks that it sees only its mark.
        const n = 16;
        const marked = Array.from({ length: n }, () => deferred<void>());
        const allMarked = Promise.all(marked.map((d) => d.promise));
        const host: SandboxHost = {
          ...plainHost,
          keyOperation: async (_op, args) => {
            marked[Number(args.pkpId)].resolve();
            await allMarked;
            return "go";
          },
        };
        const results = await Promise.all(
          Array.from({ length: n }, (_, i) =>
            run(
              asKind(
                kind,
                `async function main() {
                  const before = [typeof mark, ({}).owner === undefined];
                  globalThis.mark = ${i}; Object.prototype.owner = ${i};
                  await Lit.Actions.getPrivateKey({ pkpId: "${i}" });
                  return JSON.stringify({ before, mark, owner: ({}).owner });
                }`,
              ),
              {},
              host,
            ),
          ),
        );
        results.forEach((r, i) => {
          expect(r.error, r.error ?? "").to.equal(null);
          expect(JSON.parse(r.response ?? "")).to.deep.equal({ before: ["undefined", true], mark: i, owner: i });
        });
      });

      it("a callback one run leaves pending never runs in another run's isolate", async () => {
        // Run A attaches a callback to a fetch and ends; the fetch completes while run B is under
        // way; B, which waits for that moment, must not see what A's callback would have changed.
        for (let round = 0; round < 3; round++) await leftCallbackRound();
      });

      async function leftCallbackRound(): Promise<void> {
        const fetchStarted = deferred<void>();
        const releaseFetch = deferred<void>();
        const fetchSettled = deferred<void>();
        const host: SandboxHost = {
          ...plainHost,
          fetch: async () => {
            fetchStarted.resolve();
            await releaseFetch.promise;
            fetchSettled.resolve();
            return { url: "https://example.test/", status: 200, statusText: "OK", headers: [], redirected: false, body: new Uint8Array(0) };
          },
          keyOperation: async () => {
            releaseFetch.resolve();
            await fetchSettled.promise;
            return "after";
          },
        };
        const a = run(
          asKind(
            kind,
            `async function main() {
              globalThis.early = "A";
              fetch("https://example.test/").then(() => { globalThis.late = "A"; Object.prototype.late = "A"; }, () => {});
              return "left a callback";
            }`,
          ),
          {},
          host,
        );
        await fetchStarted.promise;
        const check = asKind(
          kind,
          `async function main() {
            await Lit.Actions.getPrivateKey({ pkpId: "x" });
            return JSON.stringify([typeof early, typeof late, ({}).late === undefined]);
          }`,
        );
        const b = await run(check, {}, host);
        expect((await a).response).to.equal("left a callback");
        expect(b.error).to.equal(null);
        expect(JSON.parse(b.response ?? "")).to.deep.equal(["undefined", "undefined", true]);
        // And a run after A has ended (its fetch settled meanwhile) finds nothing of it either.
        const c = await run(check, {}, host);
        expect(c.error).to.equal(null);
        expect(JSON.parse(c.response ?? "")).to.deep.equal(["undefined", "undefined", true]);
      }

      it("the time limit holds from the first instruction", async () => {
        // A top-level loop right at the start never ends by itself. The run's own timer ends it,
        // with its logs; the worker's watchdog (which would also end it, later) loses the logs.
        const r = await run(asKind(kind, "console.log('first'); for (;;) {}"), { timeoutMs: 300 });
        expect(r.error).to.equal("execution timed out: limit timeout_ms = 300 ms exceeded");
        expect(r.logs).to.equal("first\n");
      });

      it("the run's memory limit holds from the first instruction, also for a limit the pool did not prepare", async () => {
        // About 40 MB of live arrays, allocated by the first statement.
        const bomb = asKind(kind, "const keep = []; for (let i = 0; i < 400; i++) keep.push(new Array(12_500).fill(i + 0.5)); Lit.Actions.setResponse({ response: 'allocated' });");
        const small = await run(bomb, { memoryLimitMb: 24 });
        expect(small.error).to.equal("out of memory: limit memory_limit_mb = 24 MB exceeded");
        const large = await run(bomb, { memoryLimitMb: 128 });
        expect(large).to.include({ response: "allocated", error: null });
        const again = await run(bomb, { memoryLimitMb: 24 });
        expect(again.error).to.equal("out of memory: limit memory_limit_mb = 24 MB exceeded");
      });
    });
  }

  describe("the pool (in this thread)", () => {
    let scripts: CompiledScripts;
    before(() => {
      scripts = compileScripts();
    });

    const message = (code: string, run = 1): RunMessage => ({
      type: "run",
      run,
      code,
      paramsJson: "null",
      headers: {},
      limits: { ...DEFAULT_ACTION_LIMITS, timeoutMs: GENEROUS_MS },
    });
    const SECRET = "0x5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2";
    const secretHost: WorkerHost = {
      keyOperation: async () => SECRET,
      fetch: async () => {
        throw new Error("no fetch here");
      },
    };
    const MB = DEFAULT_ACTION_LIMITS.memoryLimitMb;

    for (const kind of ["bare", "ethers"] as const) {
      it(`a used ${kind} isolate is disposed and never handed out again; no ready isolate holds the run's key or result`, async () => {
        const pool = new IsolatePool(scripts, 3);
        try {
          pool.refill(undefined, MB);
          await pool.idle();
          const used = await pool.take(kind, MB);
          const code = asKind(kind, "async function main() { globalThis.kept = await Lit.Actions.getPrivateKey({ pkpId: 'p' }); return 'result:' + kept; }");
          const outcome = await new IsolateRun(message(code), secretHost, used, scripts).execute();
          expect(outcome).to.include({ response: `result:${SECRET}`, error: null });
          expect(used.isolate.isDisposed).to.equal(true);
          await pool.idle();
          const handedOut = [];
          for (let i = 0; i < 6; i++) handedOut.push(await pool.take(kind, MB));
          expect(handedOut).to.not.include(used);
          for (const p of handedOut) {
            expect(p.usable).to.equal(true);
            const names = p.context.evalSync("Object.getOwnPropertyNames(globalThis).join(',')") as string;
            expect(names).to.not.include("kept");
            expect(p.context.evalSync("JSON.stringify(Object.getOwnPropertyNames(globalThis).map((n) => { try { return String(globalThis[n]); } catch (e) { return ''; } }))") as string).to.not.include(SECRET.slice(2));
            p.dispose();
          }
          // A used isolate cannot serve a second run.
          const second = await new IsolateRun(message(code, 2), secretHost, used, scripts).execute();
          expect(second.response).to.equal(null);
          expect(second.error).to.match(/^isolate failure/);
        } finally {
          pool.close();
        }
      });
    }

    for (const pending of ["settles", "never settles"] as const) {
      it(`an isolate disposed by isolated-vm while the action awaits a host call that ${pending} reports the memory limit`, async () => {
        // isolated-vm disposes an isolate whose heap reached its limit; the call that notices it
        // may say only "Isolate is disposed" or "was disposed during execution" (which of its
        // tasks was running decides). The run did not dispose it, so the memory limit ended it.
        const pool = new IsolatePool(scripts, 1);
        try {
          pool.refill(undefined, MB);
          await pool.idle();
          const taken = await pool.take("bare", MB);
          const host: WorkerHost = {
            keyOperation: async () => {
              taken.isolate.dispose(); // what isolated-vm does at the heap limit
              return pending === "settles" ? SECRET : new Promise<string>(() => {});
            },
            fetch: async () => {
              throw new Error("no fetch here");
            },
          };
          const code = "async function main() { return await Lit.Actions.getPrivateKey({ pkpId: 'p' }); }";
          const outcome = await new IsolateRun(message(code), host, taken, scripts).execute();
          expect(outcome).to.include({ response: null, error: `out of memory: limit memory_limit_mb = ${MB} MB exceeded` });
        } finally {
          pool.close();
        }
      });
    }

    it("an isolate that died in the pool is replaced, and the pool fills up again", async () => {
      const pool = new IsolatePool(scripts, 2);
      try {
        pool.refill(undefined, MB);
        await pool.idle();
        expect(pool.stats().ready).to.deep.equal({ bare: 2, ethers: 2 });
        const [dead] = pool.readyIsolates("bare");
        dead.isolate.dispose(); // as if V8 had killed it
        const taken = await pool.take("bare", MB);
        expect(taken).to.not.equal(dead);
        expect(taken.usable).to.equal(true);
        const outcome = await new IsolateRun(message('async function main() { return "alive"; }'), secretHost, taken, scripts).execute();
        expect(outcome).to.include({ response: "alive", error: null });
        await pool.idle();
        expect(pool.stats()).to.include({ replaced: 1 });
        expect(pool.stats().ready).to.deep.equal({ bare: 2, ethers: 2 });
      } finally {
        pool.close();
      }
    });

    it("a pool prepares for one memory limit: another limit empties it, and isolates carry the run's limit", async () => {
      const pool = new IsolatePool(scripts, 2);
      try {
        pool.refill(undefined, MB);
        await pool.idle();
        const other = await pool.take("ethers", 16);
        expect(other.memoryLimitMb).to.equal(16);
        await pool.idle();
        for (const k of ["bare", "ethers"] as const) for (const p of pool.readyIsolates(k)) expect(p.memoryLimitMb).to.equal(16);
        // An isolate of another limit is refused by the run rather than run with the wrong limit.
        expect(() => new IsolateRun(message("1"), secretHost, other, scripts)).to.throw(/prepared for 16 MB/);
        other.dispose();
      } finally {
        pool.close();
      }
    });
  });
});
