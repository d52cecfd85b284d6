/**
 * The optional `.env` file beside package.json (see .env.example), read by `npm run relayer` as
 * hardhat.config.ts reads it for every Hardhat command: a variable already set in the environment
 * (the shell's) wins over the file's.
 */
import fs from "fs";
import path from "path";
import { parseEnv } from "util";

/** The repository's .env (this file is src/relayer/env-file.ts). */
export const DEFAULT_ENV_FILE = path.resolve(__dirname, "..", "..", ".env");

/**
 * Sets in `env` each variable of `file` that `env` does not have yet; returns their names (none
 * when there is no such file). A file that cannot be read or parsed is an error naming it.
 */
export function applyEnvFile(env: NodeJS.ProcessEnv, file: string = DEFAULT_ENV_FILE): string[] {
  if (!fs.existsSync(file)) return [];
  let entries: Record<string, string>;
  try {
    entries = parseEnv(fs.readFileSync(file, "utf8")) as Record<string, string>;
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const applied: string[] = [];
  for (const [name, value] of Object.entries(entries)) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    applied.push(name);
  }
  return applied;
}
