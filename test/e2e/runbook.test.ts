/**
 * Runs the README runbook "Run your own relayer" (local chain) as written: every line between the
 * runbook:localhost markers, in order, as child processes (`bash -c`), in one environment that
 * carries each line's `export`s to the next, the lines ending in `&` (the chain, the relayer)
 * started in the background in their own process group and stopped by id at the end. Only the
 * settings block is replaced: free ports, a temporary DATA_DIR and a fresh Postgres schema.
 *
 * It checks what the runbook says you see: the payers printed and not registered; /health
 * `payers: false` and, from the test itself, /ready 503 and a write answered 503
 * PayersNotRegistered; the log line naming the addresses and the command; then, after
 * relayer:register-payers, health ok and the first write applied.
 *
 * The runbook deploys with hardhat-deploy into deployments/localhost of this repository (as
 * `npm start` does); an existing deployments/localhost is moved aside and put back afterwards.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { freePort, startChild, type Child } from "../../scripts/lib/local-chain";
import { createPgSchema, postgresAvailable, PG_URL, type PgSchema } from "../relayer/resilience/support";

const ROOT = path.resolve(__dirname, "..", "..");
const README = path.join(ROOT, "README.md");
const DEPLOYMENTS = path.join(ROOT, "deployments", "localhost");

/** The bash lines of the fenced blocks between `<!-- name:start -->` and `<!-- name:end -->`. */
export function markedLines(text: string, name: string): string[] {
  const start = text.indexOf(`<!-- ${name}:start -->`);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (start < 0 || end < start) throw new Error(`README.md: no ${name} block`);
  return text
    .slice(start, end)
    .split("\n")
    .filter((l) => !l.startsWith("<!--") && !l.startsWith("```"))
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

interface Ran {
  line: string;
  stdout: string;
  stderr: string;
}

/** Runs one line with `env`; resolves with its output and the environment it leaves (its exports). */
function runLine(line: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ran & { env: NodeJS.ProcessEnv }> {
  const envFile = path.join(os.tmpdir(), `runbook-env-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const script = `set -e -o pipefail\n${line}\nenv -0 > ${JSON.stringify(envFile)}\n`;
  return new Promise((resolve, reject) => {
    const proc = spawn("bash", ["-c", script], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    proc.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-20_000)));
    const timer = setTimeout(() => {
      if (proc.pid !== undefined) process.kill(-proc.pid, "SIGKILL");
    }, timeoutMs);
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`runbook line failed (${signal ?? `exit ${code}`}): ${line}\n--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`));
        return;
      }
      const next: NodeJS.ProcessEnv = {};
      for (const entry of fs.readFileSync(envFile, "utf8").split("\0")) {
        const i = entry.indexOf("=");
        if (i > 0) next[entry.slice(0, i)] = entry.slice(i + 1);
      }
      fs.rmSync(envFile, { force: true });
      resolve({ line, stdout, stderr, env: next });
    });
  });
}

/** The variables a runbook must not inherit from the test's environment (it sets what it needs). */
const INHERITED_OUT = [
  "HARDHAT_NETWORK",
  "LOCALHOST_RPC_URL",
  "RPC_URL",
  "RPC_URLS",
  "CHAIN_ID",
  "DIAMOND_ADDRESS",
  "START_BLOCK",
  "ROOT_SECRET",
  "ROOT_SECRET_FILE",
  "PAYER_KEYS",
  "PAYER_COUNT",
  "ADMIN_PAYER_KEY",
  "BILLING_PROVIDER",
  "NODE_OPTIONS",
];

describe("README runbook: run your own relayer (local chain, Postgres, child processes)", function () {
  this.timeout(900_000);
  const background: Child[] = [];
  let schema: PgSchema | null = null;
  let dataDir = "";
  let backup: string | null = null;

  after(async () => {
    for (const c of background.reverse()) await c.stop();
    await schema?.drop().catch(() => undefined);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(DEPLOYMENTS, { recursive: true, force: true });
    if (backup !== null) fs.renameSync(backup, DEPLOYMENTS);
  });

  it("sees the payers refused first (health false, 503 PayersNotRegistered, the fix named), and a healthy relayer and a first write after relayer:register-payers", async function () {
    if (!(await postgresAvailable())) {
      console.log(`      (skipped: the runbook runs the relayer on Postgres and none answers at ${PG_URL})`);
      this.skip();
    }
    const readme = fs.readFileSync(README, "utf8");
    const settings = markedLines(readme, "runbook:settings");
    const lines = markedLines(readme, "runbook:localhost");
    // The settings the test replaces are exactly those the README sets.
    const names = settings.flatMap((l) => [...l.matchAll(/([A-Z_]+)=/g)].map((m) => m[1])).sort();
    expect(names).to.deep.equal(["CHAIN_PORT", "DATABASE_URL", "DATA_DIR", "PORT"]);

    schema = await createPgSchema(`runbook_${process.pid}_${Date.now().toString(36)}`);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "runbook-"));
    if (fs.existsSync(DEPLOYMENTS)) {
      backup = `${DEPLOYMENTS}.runbook-backup-${process.pid}`;
      fs.renameSync(DEPLOYMENTS, backup);
    }
    const chainPort = await freePort();
    let relayerPort = await freePort();
    while (relayerPort === chainPort) relayerPort = await freePort();
    let env: NodeJS.ProcessEnv = { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" };
    for (const k of INHERITED_OUT) delete env[k];
    Object.assign(env, {
      CHAIN_PORT: String(chainPort),
      PORT: String(relayerPort),
      DATA_DIR: path.join(dataDir, "data"),
      DATABASE_URL: schema.databaseUrl,
    });
    const base = `http://127.0.0.1:${relayerPort}`;

    const ran: Ran[] = [];
    let checkedRefusal = false;
    for (const line of lines) {
      if (line.endsWith("&")) {
        const command = line.slice(0, -1).trim();
        background.push(startChild("runbook", "bash", ["-c", `exec ${command}`], { cwd: ROOT, env: { ...env }, detached: true }));
        continue;
      }
      if (/relayer:register-payers/.test(line)) {
        // Before the fix, from the test: /ready 503 and a write refused by name, nothing sent.
        expect((await fetch(`${base}/ready`)).status).to.equal(503);
        const w = await fetch(`${base}/core/v1/new_account`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ account_name: "too early", account_description: "" }),
        });
        expect(w.status).to.equal(503);
        expect(((await w.json()) as { code: string }).code).to.equal("PayersNotRegistered");
        checkedRefusal = true;
      }
      const r = await runLine(line, env, 300_000);
      env = r.env;
      ran.push(r);
    }
    expect(checkedRefusal, "the runbook registers the payers").to.equal(true);

    const output = (re: RegExp, nth = 0): string => {
      const found = ran.filter((r) => re.test(r.line));
      expect(found.length, `a runbook line matching ${re}`).to.be.greaterThan(nth);
      return found[nth].stdout;
    };
    const json = <T>(text: string): T => JSON.parse(text.trim().split("\n").filter((l) => l.trim() !== "").at(-1) as string) as T;

    // 2. The payers, derived from the new root secret, not registered yet.
    const payers = json<{ source: string; payers: string[]; admin: string; diamond: string; onChain: { registered: boolean } }>(
      output(/relayer:payers/),
    );
    expect(payers.source).to.equal(path.join(dataDir, "data", "root-secret"));
    expect(payers.payers).to.have.length(2);
    expect(payers.diamond.toLowerCase()).to.equal(String(env.DIAMOND_ADDRESS).toLowerCase());
    expect(payers.onChain.registered).to.equal(false);
    // 4. Health says payers false; the log names every address and the command.
    expect(json(output(/^curl -s http:\/\/127\.0\.0\.1:\$PORT\/health$/))).to.deep.equal({
      status: "unavailable",
      components: { http: true, chain: true, writer: true, payers: false },
    });
    const logLine = output(/^grep /);
    expect(logLine).to.include("PayersNotRegistered");
    for (const a of [...payers.payers, payers.admin]) expect(logLine).to.include(a);
    expect(logLine).to.include(`npx hardhat relayer:register-payers --network localhost --diamond ${payers.diamond}`);
    // 5. Registered and funded.
    const registered = json<{ submitted: boolean; apiPayers: string[]; adminApiPayer: string }>(output(/relayer:register-payers/));
    expect(registered.submitted).to.equal(true);
    expect(registered.apiPayers).to.include.members(payers.payers);
    expect(registered.adminApiPayer).to.equal(payers.admin);
    // 6. Healthy, and the first write applied.
    expect(json(output(/^until curl -sf/))).to.deep.equal({
      status: "ok",
      components: { http: true, chain: true, writer: true, payers: true },
    });
    const created = json<{ api_key: string; wallet_address: string }>(output(/new_account/));
    expect(created.api_key).to.match(/^[A-Za-z0-9+/]{43}=$/);
    const exists = await fetch(`${base}/core/v1/account_exists`, { headers: { "x-api-key": created.api_key } });
    expect(await exists.json()).to.equal(true);
  });
});
