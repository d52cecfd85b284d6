/**
 * Runs `hardhat deploy --network baseSepolia` as a child process, exactly as an operator would
 * (the project's hardhat.config.ts, deploy/ scripts and the baseSepolia network entry), with the
 * environment the rehearsal gives it, and returns its exit code and output. Also reads back the
 * diamondCut transactions the deploy prints when the diamond's owner is not a configured signer
 * (a contract wallet), so that the rehearsal can submit them from that wallet.
 */
import { spawn } from "child_process";
import fs from "fs";
import path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const HARDHAT_BIN = path.join(ROOT, "node_modules", ".bin", "hardhat");

export interface DeployEnv {
  /** BASE_SEPOLIA_RPC_URL: the fault proxy (or the node) the deploy talks to. */
  rpcUrl: string;
  /** DEPLOYER_PRIVATE_KEY (not a Hardhat dev key). */
  deployerKey: string;
  /** DEPLOYMENTS_DIR: a temporary directory, never the repository's deployments/. */
  deploymentsDir: string;
  /** DIAMOND_OWNER, ADMIN_API_PAYER, API_PAYERS, ACCOUNTCONFIG_FACET_OVERRIDES, ... */
  extra?: Record<string, string>;
}

export interface DeployRun {
  code: number | null;
  output: string;
  ms: number;
}

/** One `hardhat deploy --network baseSepolia`; killed (by its process group id) after `timeoutMs`. */
export function runBaseSepoliaDeploy(env: DeployEnv, timeoutMs = 300_000): Promise<DeployRun> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HARDHAT_DISABLE_TELEMETRY_PROMPT: "true",
    BASE_SEPOLIA_RPC_URL: env.rpcUrl,
    DEPLOYER_PRIVATE_KEY: env.deployerKey,
    DEPLOYMENTS_DIR: env.deploymentsDir,
    ...env.extra,
  };
  delete childEnv.HARDHAT_NETWORK;
  const started = Date.now();
  return new Promise((resolve) => {
    const proc = spawn(HARDHAT_BIN, ["deploy", "--network", "baseSepolia"], {
      cwd: ROOT,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    proc.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    proc.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    const timer = setTimeout(() => {
      output += `\n[rehearsal] hardhat deploy did not finish within ${timeoutMs} ms: killed`;
      if (proc.pid !== undefined) {
        try {
          process.kill(-proc.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }, timeoutMs);
    proc.once("error", (err) => {
      output += `\n[rehearsal] spawn error: ${err.message}`;
    });
    proc.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

export interface CutTransaction {
  to: string;
  data: string;
}

/**
 * The diamondCut transactions a deploy printed for a contract-wallet owner (deploy/002_diamond.ts:
 * "submit these N diamondCut transaction(s), in order, from the owner", then N "to:" / "data:"
 * pairs). Empty when the output holds none; throws when it announces N but lists fewer.
 */
export function printedCuts(output: string): CutTransaction[] {
  const m = /submit these (\d+) diamondCut transaction\(s\)/.exec(output);
  if (!m) return [];
  const count = Number(m[1]);
  const pairs = /^to: (0x[0-9a-fA-F]{40})\r?\ndata: (0x[0-9a-fA-F]*)\s*$/gm;
  pairs.lastIndex = m.index;
  const out: CutTransaction[] = [];
  for (let p = pairs.exec(output); p && out.length < count; p = pairs.exec(output)) out.push({ to: p[1], data: p[2] });
  if (out.length !== count) throw new Error(`the deploy announced ${count} diamondCut transaction(s) but printed ${out.length}`);
  return out;
}

/** The diamond address the deploy saved (DEPLOYMENTS_DIR/baseSepolia/AccountConfig.json), or null. */
export function savedDiamond(deploymentsDir: string): string | null {
  const file = path.join(deploymentsDir, "baseSepolia", "AccountConfig.json");
  if (!fs.existsSync(file)) return null;
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { address: string }).address;
}
