/**
 * A relayer as an operator runs it (`node --no-node-snapshot -r ts-node/register/transpile-only
 * src/relayer/main.ts`, configured by environment only), as a child process of the rehearsal, with
 * read access to its SQLite file (DATA_DIR/relayer.sqlite, WAL: a reader does not block it) for
 * the checks: the outbox rows and the index tables.
 */
import fs from "fs";
import path from "path";
import Database from "better-sqlite3";
import { OPEN_RATE_LIMITS_ENV, childEnv, startChild, untilAnswers, type Child, type ChildOutput } from "../lib/local-chain";

const ROOT = path.resolve(__dirname, "..", "..");

export interface RelayerProcess extends Child {
  url: string;
  dataDir: string;
  /** A read-only connection to its SQLite file (opened on first use). */
  db(): Database.Database;
  /** The last block its index applied (index_cursor), or -1 before the first. */
  indexedBlock(): number;
}

/** The settings a rehearsal relayer always has: generous rate limits, quiet logs. */
export const QUIET_RELAYER_ENV: Readonly<Record<string, string>> = {
  HOST: "127.0.0.1",
  LOG_LEVEL: "warn",
  ...OPEN_RATE_LIMITS_ENV,
};

/**
 * Starts the relayer with `env` (HOST, PORT and DATA_DIR required) and waits until `ready` says so
 * (default: GET /ready answers 200), at most `timeoutMs`.
 */
export async function startRelayerProcess(
  name: string,
  env: Record<string, string>,
  opts: { output?: ChildOutput; timeoutMs?: number; ready?: (url: string) => Promise<boolean> } = {},
): Promise<RelayerProcess> {
  const relayerEnv = childEnv({ ...QUIET_RELAYER_ENV, ...env });
  const child = startChild(
    name,
    process.execPath,
    ["--no-node-snapshot", "--require", "ts-node/register/transpile-only", path.join("src", "relayer", "main.ts")],
    { cwd: ROOT, env: relayerEnv, stdout: opts.output, stderr: opts.output },
  );
  const url = `http://${relayerEnv.HOST}:${env.PORT}`;
  const dataDir = env.DATA_DIR;
  const ready = opts.ready ?? (async (u: string) => (await fetch(`${u}/ready`, { signal: AbortSignal.timeout(2000) })).status === 200);
  await untilAnswers(child, `relayer ${name}`, () => ready(url), { timeoutMs: opts.timeoutMs ?? 120_000, intervalMs: 250 });
  let conn: Database.Database | null = null;
  const db = (): Database.Database => {
    if (!conn) {
      const file = path.join(dataDir, "relayer.sqlite");
      if (!fs.existsSync(file)) throw new Error(`relayer ${name}: no database at ${file}`);
      conn = new Database(file, { readonly: true, fileMustExist: true });
    }
    return conn;
  };
  const stop = async (sig?: NodeJS.Signals): Promise<void> => {
    conn?.close();
    conn = null;
    await child.stop(sig);
  };
  const indexedBlock = (): number => {
    const row = db().prepare("SELECT MAX(block) AS block FROM index_cursor").get() as { block: number | bigint | null } | undefined;
    return row?.block === null || row?.block === undefined ? -1 : Number(row.block);
  };
  return { ...child, stop, url, dataDir, db, indexedBlock };
}
