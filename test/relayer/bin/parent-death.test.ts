/**
 * The relayer bin (src/relayer/bin/accountconfig-relayer.js) runs the relayer in a child Node.
 * When the bin dies, however (SIGKILL: systemd KillMode=process, a container runtime, `kill -9`),
 * the child must not live on as an orphan holding the port and the payers' nonces: it watches its
 * IPC channel to the bin (src/relayer/parent-watch.ts). Real processes: the bin, its child; the
 * relayer runs without a chain (its RPC URL refuses connections), which is enough to listen.
 */
import { expect } from "chai";
import fs from "fs";
import net from "net";
import os from "os";
import path from "path";
import { freePort, startChild, type Child } from "../../../scripts/lib/local-chain";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const BIN = path.join(ROOT, "src", "relayer", "bin", "accountconfig-relayer.js");

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it is true; throws after `limitMs` (a bound, not a speed claim). */
async function eventually(what: string, check: () => boolean | Promise<boolean>, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`still waiting after ${limitMs} ms: ${what}`);
    await sleep(100);
  }
}

/** True while `pid` is a live process (a zombie, dead but not yet reaped, counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The process ids of `pid`'s children (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

describe("relayer bin: the relayer child and its parent", function () {
  this.timeout(180_000);
  let bin: Child | undefined;
  let relayerPid: number | undefined;
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-bin-"));
  });
  afterEach(async () => {
    // The orphan of a failed test is killed by its id; the bin's process group as well.
    if (relayerPid !== undefined && alive(relayerPid)) process.kill(relayerPid, "SIGKILL");
    await bin?.stop("SIGKILL");
    bin = undefined;
    relayerPid = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts the bin; resolves with the relayer child's pid and port once the relayer listens. */
  async function startBin(): Promise<{ pid: number; port: number }> {
    const [port, deadRpc] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: dataDir,
      ROOT_SECRET: "ab".repeat(32),
      RPC_URL: `http://127.0.0.1:${deadRpc}`, // nothing listens: the relayer starts without a chain
      CHAIN_ID: "31337",
      DIAMOND_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      LOG_LEVEL: "silent",
      INIT_CWD: dataDir,
    };
    delete env.HARDHAT_NETWORK;
    const started = startChild("relayer bin", process.execPath, [BIN], { cwd: ROOT, env });
    bin = started;
    const binPid = started.proc.pid as number;
    await eventually(
      "the relayer child listening",
      async () => {
        if (started.exited()) throw new Error(`the bin exited:\n${started.output()}`);
        relayerPid = childrenOf(binPid)[0];
        return relayerPid !== undefined && (await listening(port));
      },
      120_000,
    );
    return { pid: relayerPid as number, port };
  }

  it("the relayer child exits when the bin is killed with SIGKILL, and frees its port", async () => {
    const { pid, port } = await startBin();
    process.kill(bin?.proc.pid as number, "SIGKILL"); // the bin only, by its id
    await eventually("the relayer child gone after the bin's SIGKILL", () => !alive(pid), 30_000);
    expect(await listening(port)).to.equal(false);
  });

  it("SIGTERM to the bin still stops the relayer cleanly: the bin exits 0", async () => {
    const { pid } = await startBin();
    const started = bin as Child;
    const code = new Promise<number | null>((resolve) => started.proc.once("exit", (c) => resolve(c)));
    process.kill(started.proc.pid as number, "SIGTERM");
    expect(await code).to.equal(0);
    expect(alive(pid)).to.equal(false);
  });
});
