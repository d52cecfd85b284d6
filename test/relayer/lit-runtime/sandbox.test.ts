/**
 * The sandbox on its own (no chain): globals and API shapes, response and log capture, every
 * in-action limit (timeout, memory, logs, response, fetch count, key requests), the host budgets,
 * and hostile code.
 *
 * No assertion here depends on the machine's speed: the default time limit is far beyond what any
 * of these actions needs (it only stops a hang), the tests of the time limit use actions that never
 * end by themselves, and limits are counted by the sandbox, not timed.
 */
import { expect } from "chai";
import { DEFAULT_ACTION_LIMITS, type ActionLimits } from "../../../src/relayer/lit-runtime/limits";
import { runInSandbox, type SandboxHost, type SandboxResult } from "../../../src/relayer/lit-runtime/sandbox";

const calls: { op: string; args: unknown }[] = [];
const host: SandboxHost = {
  keyOperation: async (op, args) => {
    calls.push({ op, args });
    if (op === "getPrivateKey" && args.pkpId === "0xdenied") throw new Error("API key cannot use selected wallet in selected action");
    return `${op}:${JSON.stringify(args)}`;
  },
  fetch: async (request) => ({
    url: request.url,
    status: 200,
    statusText: "OK",
    headers: [["content-type", "application/json"]],
    redirected: false,
    body: Buffer.from(JSON.stringify({ echo: request.url, method: request.method })),
  }),
};

/** A time limit that only a hung action reaches. */
const GENEROUS_MS = 60_000;

function run(code: string, params: unknown = null, limits: Partial<ActionLimits> = {}): Promise<SandboxResult> {
  return runInSandbox({
    code,
    paramsJson: JSON.stringify(params),
    headers: { "x-request-id": "req-1", "x-correlation-id": "corr-1" },
    limits: { ...DEFAULT_ACTION_LIMITS, timeoutMs: GENEROUS_MS, ...limits },
    host,
  });
}

describe("lit actions: sandbox", function () {
  this.timeout(300_000);

  it("runs main(params): a returned value or setResponse becomes the response; logs one line per call", async () => {
    let r = await run('async function main() {\n  return "Hello World!";\n}\n');
    expect(r).to.include({ response: "Hello World!", logs: "", error: null });
    r = await run("async function main(p) { console.log('n is', p.n, {a: [1]}); console.info(true); Lit.Actions.setResponse({ response: { double: p.n * 2 } }); }", { n: 21 });
    expect(r.error).to.equal(null);
    expect(r.response).to.equal('{"double":42}');
    expect(r.logs).to.equal('n is 21 {"a":[1]}\ntrue\n');
    // a return value overrides setResponse; non-strings are JSON-encoded
    r = await run("async function main() { Lit.Actions.setResponse({ response: 'x' }); return [1, 'a']; }");
    expect(r.response).to.equal('[1,"a"]');
    // no main: top-level code with jsParams, response only via setResponse
    r = await run("Lit.Actions.setResponse({ response: 'top ' + jsParams.v });", { v: 7 });
    expect(r.response).to.equal("top 7");
    // const main works too; js_params absent -> null
    r = await run("const main = async (p) => p === null ? 'null params' : 'other';");
    expect(r.response).to.equal("null params");
  });

  it("exposes the globals of http-api.md §5 and nothing of the host", async () => {
    const r = await run(`async function main() {
      return {
        lit: typeof Lit.Actions, alias: LitActions === Lit.Actions, frozen: Object.isFrozen(Lit.Actions),
        auth: Lit.Auth, headers: Lit.Headers, ethers: typeof ethers.utils.keccak256, fetch: typeof fetch,
        global: global === globalThis,
        host: [typeof process, typeof require, typeof module, typeof setTimeout, typeof setInterval, typeof Buffer, typeof __lit_call, typeof __lit_settle, typeof __lit_fatal, typeof __lit_run, typeof __lit_random, typeof __lit_meta],
        fns: Object.keys(Lit.Actions).sort(),
      };
    }`);
    expect(r.error).to.equal(null);
    expect(JSON.parse(r.response ?? "")).to.deep.equal({
      lit: "object",
      alias: true,
      frozen: true,
      auth: [],
      headers: { "x-request-id": "req-1", "x-correlation-id": "corr-1" },
      ethers: "function",
      fetch: "function",
      global: true,
      host: Array(12).fill("undefined"),
      fns: [
        "Decrypt",
        "Encrypt",
        "getLitActionPrivateKey",
        "getLitActionPublicKey",
        "getLitActionWalletAddress",
        "getPrivateKey",
        "setResponse",
      ],
    });
  });

  it("passes key requests to the host with their argument shapes; host errors reach the action", async () => {
    calls.length = 0;
    const r = await run(`async function main() {
      const a = await Lit.Actions.getPrivateKey({ pkpId: "0xabc" });
      const b = await Lit.Actions.Encrypt({ pkpId: "0xabc", message: "m" });
      const c = await Lit.Actions.Decrypt({ pkpId: "0xabc", ciphertext: "00" });
      const d = await Lit.Actions.getLitActionPrivateKey();
      const e = await Lit.Actions.getLitActionPublicKey({ ipfsId: "Qm1" });
      const f = await Lit.Actions.getLitActionWalletAddress({ ipfsId: "Qm2" });
      let g; try { await Lit.Actions.getPrivateKey({ pkpId: "0xdenied" }); } catch (err) { g = err.message; }
      return [a, b, c, d, e, f, g];
    }`);
    expect(r.error).to.equal(null);
    expect(JSON.parse(r.response ?? "")).to.deep.equal([
      'getPrivateKey:{"pkpId":"0xabc"}',
      'Encrypt:{"pkpId":"0xabc","message":"m"}',
      'Decrypt:{"pkpId":"0xabc","ciphertext":"00"}',
      "getLitActionPrivateKey:{}",
      'getLitActionPublicKey:{"ipfsId":"Qm1"}',
      'getLitActionWalletAddress:{"ipfsId":"Qm2"}',
      "API key cannot use selected wallet in selected action",
    ]);
  });

  it("fetch returns a Response with status, headers, text and json", async () => {
    const r = await run(`async function main() {
      const res = await fetch("https://example.test/x", { method: "POST", body: "hi", headers: { "X-A": "1" } });
      return { ok: res.ok, status: res.status, type: res.headers.get("Content-Type"), body: await res.json() };
    }`);
    expect(r.error).to.equal(null);
    expect(JSON.parse(r.response ?? "")).to.deep.equal({
      ok: true,
      status: 200,
      type: "application/json",
      body: { echo: "https://example.test/x", method: "POST" },
    });
  });

  it("ethers v5 works as actions expect (sign, verify, random wallets)", async () => {
    const r = await run(`async function main() {
      const w = new ethers.Wallet("0x" + "11".repeat(32));
      const sig = await w.signMessage("hello");
      const rnd = new ethers.Wallet(ethers.utils.randomBytes(32));
      return { ok: ethers.utils.verifyMessage("hello", sig) === w.address, rnd: ethers.utils.isAddress(rnd.address),
        enc: new TextDecoder().decode(new TextEncoder().encode("héllo")), b64: atob(btoa("ab")) };
    }`);
    expect(r.error, r.error ?? "").to.equal(null);
    expect(JSON.parse(r.response ?? "")).to.deep.equal({ ok: true, rnd: true, enc: "héllo", b64: "ab" });
  });

  it("a throw is reported with the logs so far", async () => {
    const r = await run("async function main() { console.log('step 1'); throw new TypeError('boom'); }");
    expect(r).to.include({ error: "TypeError: boom", logs: "step 1\n", response: null });
    const s = await run("this is not javascript");
    expect(s.error).to.match(/^SyntaxError/);
    const t = await run("async function main() { throw 'a string'; }");
    expect(t.error).to.equal("Uncaught a string");
  });

  it("an infinite loop ends at the timeout, with its logs; so does a promise that never settles", async () => {
    // These actions never end by themselves: only the time limit can end them (a hang fails the test).
    const r = await run("async function main() { console.log('looping'); while (true) {} }", null, { timeoutMs: 500 });
    expect(r.error).to.equal("execution timed out: limit timeout_ms = 500 ms exceeded");
    expect(r.logs).to.equal("looping\n");
    const s = await run("async function main() { await new Promise(() => {}); }", null, { timeoutMs: 500 });
    expect(s.error).to.match(/timeout_ms = 500 ms/);
    const t = await run("for (;;) {}", null, { timeoutMs: 500 }); // top-level loop
    expect(t.error).to.match(/timeout_ms = 500 ms/);
  });

  it("a memory bomb ends at the memory limit", async () => {
    const r = await run(
      "async function main() { console.log('allocating'); const a = []; for (;;) a.push(new Array(1e5).fill(Math.random())); }",
      null,
      { memoryLimitMb: 32 },
    );
    expect(r.error).to.equal("out of memory: limit memory_limit_mb = 32 MB exceeded");
    expect(r.logs).to.equal("allocating\n");
    const s = await run("async function main() { let s = 'x'; for (;;) s = s + s; }", null, { memoryLimitMb: 32 });
    expect(s.error).to.match(/memory_limit_mb = 32 MB|Invalid string length/);
  });

  it("oversized logs and responses fail naming the limit, even when the action catches the error", async () => {
    let r = await run(
      "async function main() { for (let i = 0; i < 100; i++) { try { console.log('x'.repeat(50)); } catch (e) {} } return 'done'; }",
      null,
      { maxConsoleLogLength: 200 },
    );
    expect(r.error).to.equal("console output too large: limit max_console_log_length = 200 bytes exceeded");
    expect(r.logs).to.equal(`${"x".repeat(50)}\n`.repeat(3));
    r = await run("async function main() { return 'y'.repeat(101); }", null, { maxResponseLength: 100 });
    expect(r.error).to.equal("response too large: limit max_response_length = 100 bytes exceeded");
    r = await run("async function main() { try { Lit.Actions.setResponse({ response: 'y'.repeat(101) }); } catch (e) {} return 'ok'; }", null, { maxResponseLength: 100 });
    expect(r.error).to.match(/max_response_length = 100 bytes/);
    r = await run("async function main() { return 'y'.repeat(100); }", null, { maxResponseLength: 100 });
    expect(r.error).to.equal(null);
  });

  it("too many fetches and too many key requests fail naming the limit", async () => {
    let r = await run(
      "async function main() { for (let i = 0; i < 5; i++) { try { await fetch('https://example.test/' + i); } catch (e) { console.log(e.message); } } return 'done'; }",
      null,
      { maxFetchCount: 3 },
    );
    expect(r.error).to.equal("too many fetches: limit max_fetch_count = 3 exceeded");
    r = await run(
      "async function main() { for (let i = 0; i < 12; i++) await Lit.Actions.getLitActionPrivateKey(); return 'done'; }",
    );
    expect(r.error).to.equal("too many key requests: limit max_get_keys_count = 10 exceeded");
  });

  it("hostile code cannot reach the host", async () => {
    const s = await run(`async function main() {
      const out = [];
      const tries = [
        () => Lit.Actions.setResponse.constructor("return typeof process")(),
        () => (function () { return this; })().process,
        () => Function("return this")().require,
        () => console.log.constructor("return typeof require")(),
        () => fetch.constructor.constructor("return typeof process")(),
        () => Object.getPrototypeOf(Lit.Actions).constructor.constructor("return typeof process")(),
        () => { try { null.f(); } catch (e) { return e.constructor.constructor("return typeof process")(); } },
      ];
      for (const t of tries) { try { out.push(String(t())); } catch (e) { out.push("threw"); } }
      let dyn; try { await import("fs"); dyn = "imported"; } catch (e) { dyn = "threw"; }
      out.push(dyn);
      try { Lit.Actions.getPrivateKey = () => "stolen"; } catch (e) {}
      try { Lit = {}; } catch (e) {}
      out.push(typeof Lit.Actions.getPrivateKey === "function" && Lit.Actions.getPrivateKey !== undefined && String(Lit.Actions.getPrivateKey).includes("op("));
      return out;
    }`);
    expect(s.error).to.equal(null);
    expect(JSON.parse(s.response ?? "")).to.deep.equal([
      "undefined",
      "undefined",
      "undefined",
      "undefined",
      "undefined",
      "undefined",
      "undefined",
      "threw",
      true,
    ]);
  });

  it("nothing leaks across executions (prototype pollution, globals)", async () => {
    const a = await run(`async function main() {
      Object.prototype.polluted = "yes"; Array.prototype.push = function () { return "hijacked"; };
      globalThis.leftover = 1; JSON.parse = () => "evil";
      return "polluted";
    }`);
    expect(a.response).to.equal("polluted");
    const b = await run(`async function main() {
      const arr = []; arr.push(1);
      return { polluted: ({}).polluted, push: arr.length, leftover: typeof leftover, json: JSON.parse("1") };
    }`);
    expect(JSON.parse(b.response ?? "")).to.deep.equal({ push: 1, leftover: "undefined", json: 1 });
  });

  it("twenty executions in a row each start from a fresh global state", async () => {
    // (Speed is measured by `npm run bench:actions`, not asserted here.)
    for (let i = 0; i < 20; i++) {
      const r = await run(`async function main() {
        const seen = typeof globalThis.counter;
        globalThis.counter = ${i};
        return seen + " Hello World!";
      }`);
      expect(r.response).to.equal("undefined Hello World!");
    }
  });

  describe("host budgets (every host callback has a per-run count and byte budget)", () => {
    it("getRandomValues stops at max_random_bytes, even when the action catches the error", async () => {
      const r = await run(
        "async function main() { const a = new Uint8Array(65536); for (;;) { try { crypto.getRandomValues(a); } catch (e) {} } }",
      );
      expect(r.error).to.equal("too many random bytes: limit max_random_bytes = 1048576 bytes exceeded");
    });

    it("getRandomValues stops at max_random_calls", async () => {
      const r = await run("async function main() { const a = new Uint8Array(1); for (;;) { try { crypto.getRandomValues(a); } catch (e) {} } }");
      expect(r.error).to.equal("too many getRandomValues calls: limit max_random_calls = 1024 exceeded");
    });

    it("console stops at max_console_calls, even with room left in max_console_log_length", async () => {
      const r = await run("async function main() { for (;;) { try { console.log(''); } catch (e) {} } }", null, {
        maxConsoleLogLength: 1_000_000,
      });
      expect(r.error).to.equal("too many console calls: limit max_console_calls = 10000 exceeded");
      expect(r.logs).to.equal("\n".repeat(10_000));
    });

    it("key request data stops at max_key_request_bytes", async () => {
      const r = await run(
        "async function main() { try { await Lit.Actions.Encrypt({ pkpId: '0xabc', message: 'm'.repeat(2 * 1024 * 1024) }); } catch (e) {} return 'done'; }",
      );
      expect(r.error).to.equal("key request data too large: limit max_key_request_bytes = 1048576 bytes exceeded");
    });

    it("a setResponse loop with 100 KB runs inside the isolate until the time limit", async () => {
      const r = await run(
        "async function main() { const s = 'x'.repeat(100 * 1024); for (;;) Lit.Actions.setResponse({ response: s }); }",
        null,
        { timeoutMs: 300 },
      );
      expect(r.error).to.equal("execution timed out: limit timeout_ms = 300 ms exceeded");
    });
  });

  describe("nothing outlives its run", () => {
    it("host operations still under way are aborted when the run ends, and the run lasts until they settle", async () => {
      const settled: { at: bigint; aborted: boolean }[] = [];
      const slowHost: SandboxHost = {
        ...host,
        // Host work that takes 300 ms to wind down after its abort (e.g. closing a connection).
        fetch: (_request, options) =>
          new Promise((_resolve, reject) => {
            options.signal.addEventListener("abort", () =>
              setTimeout(() => {
                settled.push({ at: process.hrtime.bigint(), aborted: true });
                reject(new Error("aborted"));
              }, 300),
            );
          }),
      };
      const r = await runInSandbox({
        code: "async function main() { for (let i = 0; i < 5; i++) fetch('https://example.test/' + i).catch(() => {}); return 'started'; }",
        paramsJson: "null",
        headers: {},
        limits: { ...DEFAULT_ACTION_LIMITS, timeoutMs: GENEROUS_MS },
        host: slowHost,
      });
      const returned = process.hrtime.bigint();
      expect(r).to.include({ response: "started", error: null });
      expect(settled).to.have.length(5);
      for (const s of settled) expect(s.at <= returned, "settled before the result").to.equal(true);
      // The billed duration includes the host work the run caused.
      expect(r.durationMs).to.be.at.least(300);
    });
  });
});
