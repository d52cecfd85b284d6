/**
 * The child processes of scripts/lib/local-chain.ts, which every benchmark, the rehearsal and the
 * resilience tests start their `hardhat node` (and relayer children) through: a node on a free
 * port that answers before it is handed out, stopped with its whole process group, and no child
 * left running when this process exits.
 */
import { expect } from "chai";
import { execFile } from "child_process";
import fs from "fs";
import path from "path";
import { EDR_PURGE_DELAY_MS, EDR_PURGE_DELAY_VAR, withEdrAllocator } from "../../scripts/lib/edr-allocator";
import { chainIdAt, startChild, startLocalChain, untilAnswers, type Child } from "../../scripts/lib/local-chain";

const ROOT = path.resolve(__dirname, "..", "..");

/** Whether a process with this id is running (signal 0 checks without sending anything). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The environment a process was started with (Linux /proc: what its parent passed, not later changes). */
function startEnvOf(pid: number): Map<string, string> {
  const entries = fs.readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").filter(Boolean);
  return new Map(entries.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/** Polls until `pid` is gone (a killed process is reaped by its parent a moment after the signal). */
async function gone(pid: number, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (running(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe("local chain and child processes (scripts/lib/local-chain.ts)", function () {
  const started: Child[] = [];
  afterEach(async () => {
    for (const c of started.splice(0)) await c.stop("SIGKILL");
  });

  describe("startLocalChain", () => {
    it("hands out a node on a free 127.0.0.1 port that already answers eth_chainId 31337", async () => {
      const node = await startLocalChain();
      started.push(node);
      expect(node.url).to.equal(`http://127.0.0.1:${node.port}`);
      expect(await chainIdAt(node.url)).to.equal("0x7a69");
    });

    it("starts the node with the allocator's purge delay even when this process's environment has none", async () => {
      const before = process.env[EDR_PURGE_DELAY_VAR];
      delete process.env[EDR_PURGE_DELAY_VAR];
      try {
        const node = await startLocalChain();
        started.push(node);
        expect(startEnvOf(node.proc.pid as number).get(EDR_PURGE_DELAY_VAR)).to.equal(EDR_PURGE_DELAY_MS);
      } finally {
        if (before === undefined) delete process.env[EDR_PURGE_DELAY_VAR];
        else process.env[EDR_PURGE_DELAY_VAR] = before;
      }
    });

    it("stop() ends the node: its process group is gone and nothing answers on its port", async () => {
      const node = await startLocalChain();
      started.push(node);
      const pid = node.proc.pid as number;
      await node.stop();
      expect(node.exited()).to.equal(true);
      expect(await gone(pid), "the node's process").to.equal(true);
      expect(() => process.kill(-pid, 0), "its process group").to.throw();
      expect(await chainIdAt(node.url)).to.equal(null);
    });
  });

  describe("the node's allocator setting (scripts/lib/edr-allocator.ts)", () => {
    it("is in this test process's environment: hardhat.config.ts sets it before Hardhat's network loads", () => {
      expect(process.env[EDR_PURGE_DELAY_VAR]).to.match(/^-?\d+$/);
    });

    it("withEdrAllocator adds the purge delay to an environment without one", () => {
      expect(withEdrAllocator({ PATH: "/bin" })).to.deep.equal({ PATH: "/bin", [EDR_PURGE_DELAY_VAR]: EDR_PURGE_DELAY_MS });
    });

    it("withEdrAllocator keeps a purge delay the environment already sets", () => {
      expect(withEdrAllocator({ [EDR_PURGE_DELAY_VAR]: "-1" })[EDR_PURGE_DELAY_VAR]).to.equal("-1");
    });
  });

  describe("startChild", () => {
    it("stop() also ends what the child started (its whole process group)", async () => {
      const child = startChild("shell", "sh", ["-c", "sleep 60 & echo $!; wait"]);
      started.push(child);
      await untilAnswers(child, "the shell", async () => /^\d+\s*$/m.test(child.output()), { timeoutMs: 10_000, intervalMs: 20 });
      const grandchild = Number(child.output().trim());
      expect(running(grandchild), "the shell's sleep before stop()").to.equal(true);
      await child.stop();
      expect(await gone(grandchild), "the shell's sleep after stop()").to.equal(true);
    });

    it("kills a child still running when the process that started it exits without stopping it", async () => {
      const script = [
        `const { startChild } = require(${JSON.stringify(path.join(ROOT, "scripts", "lib", "local-chain"))});`,
        `const c = startChild("sleeper", "sleep", ["60"]);`,
        `console.log(c.proc.pid);`,
        `setTimeout(() => process.exit(0), 100);`,
      ].join("\n");
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ["--require", "ts-node/register/transpile-only", "-e", script], { cwd: ROOT }, (err, stdout) =>
          err ? reject(err) : resolve(stdout),
        ),
      );
      const pid = Number(out.trim());
      expect(pid).to.be.greaterThan(0);
      expect(await gone(pid), "the orphaned sleep").to.equal(true);
    });
  });

  describe("untilAnswers", () => {
    it("rejects with the child's output when the child exits before answering", async () => {
      const child = startChild("failing", "sh", ["-c", "echo boom: address in use; exit 3"]);
      started.push(child);
      const err = await untilAnswers(child, "the failing child", async () => false, { timeoutMs: 10_000, intervalMs: 20 }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).to.match(/^the failing child exited before answering:\n[^]*boom: address in use/);
    });

    it("kills a child that does not answer within the time allowed, and says so", async () => {
      const child = startChild("sleeper", "sleep", ["60"]);
      started.push(child);
      const err = await untilAnswers(child, "the sleeper", async () => false, { timeoutMs: 200, intervalMs: 20 }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).to.match(/^the sleeper did not answer within 200 ms/);
      expect(child.exited()).to.equal(true);
    });

    it("counts a throwing check as not answering yet", async () => {
      const child = startChild("sleeper", "sleep", ["60"]);
      started.push(child);
      let calls = 0;
      await untilAnswers(
        child,
        "the sleeper",
        async () => {
          if (++calls < 3) throw new Error("ECONNREFUSED");
          return true;
        },
        { timeoutMs: 10_000, intervalMs: 10 },
      );
      expect(calls).to.equal(3);
    });
  });
});
