/**
 * What the relayer's keys come from (config.ts lists the variables): the root secret (ROOT_SECRET
 * or ROOT_SECRET_FILE, created on first start) and the payer keys (PAYER_COUNT, PAYER_KEYS,
 * ADMIN_PAYER_KEY). loadPayerKeySettings reads only these, for the tasks (payer-keys.ts).
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, Reader, type Env } from "./env-reader";

export interface LoadConfigOptions {
  /** Create ROOT_SECRET_FILE when missing (default true). */
  createRootSecret?: boolean;
}

/** The payers as configured (RelayerConfig.payers). */
export interface PayerKeyConfig {
  /** Number of payers derived from the root secret (ignored when keys are given). */
  count: number;
  /** Explicit payer private keys (`0x` + 64 hex), for public networks. */
  keys: string[];
  adminKey: string | null;
}

const PRIVATE_KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/;
const normaliseKey = (k: string): string => `0x${k.replace(/^0x/i, "").toLowerCase()}`;

/** What the relayer's payer keys come from (loadPayerKeySettings). */
export interface PayerKeySettings {
  dataDir: string;
  /** null when PAYER_KEYS and ADMIN_PAYER_KEY are both given (no key derives from it then). */
  rootSecret: Uint8Array | null;
  /** Where the keys come from, for people: "ROOT_SECRET", the secret file's path, or "PAYER_KEYS and ADMIN_PAYER_KEY". */
  source: string;
  payers: PayerKeyConfig;
}

/**
 * Only what the relayer's payer keys derive from (DATA_DIR, ROOT_SECRET / ROOT_SECRET_FILE,
 * PAYER_COUNT, PAYER_KEYS, ADMIN_PAYER_KEY), read exactly as loadConfig reads them: for tools
 * that print or register the payers without starting the relayer (tasks/relayer.ts). The root
 * secret file is not created unless `createRootSecret` is true (default false here).
 */
export function loadPayerKeySettings(env: Env = process.env, options: LoadConfigOptions = {}): PayerKeySettings {
  const problems: string[] = [];
  const read = new Reader(env, problems);
  const dataDir = path.resolve(read.string("DATA_DIR", "./data"));
  const payers = readPayerKeys(read, env, problems);
  const needsSecret = payers.keys.length === 0 || payers.adminKey === null;
  const secret = needsSecret ? readRootSecret(env, dataDir, options.createRootSecret ?? false, problems) : null;
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    dataDir,
    rootSecret: secret?.bytes ?? null,
    source: secret === null ? "PAYER_KEYS and ADMIN_PAYER_KEY" : secret.source === "env" ? "ROOT_SECRET" : secret.source,
    payers,
  };
}

/** PAYER_KEYS, PAYER_COUNT, ADMIN_PAYER_KEY. */
export function readPayerKeys(read: Reader, env: Env, problems: string[]): PayerKeyConfig {
  const payerKeys = read.list("PAYER_KEYS");
  payerKeys.forEach((k, i) => {
    if (!PRIVATE_KEY_RE.test(k)) problems.push(`PAYER_KEYS: entry ${i + 1} is not a 32-byte hex private key`);
  });
  const adminKey = read.optional("ADMIN_PAYER_KEY");
  if (adminKey !== null && !PRIVATE_KEY_RE.test(adminKey))
    problems.push("ADMIN_PAYER_KEY: expected a 32-byte hex private key");
  const payerCount = read.int("PAYER_COUNT", payerKeys.length > 0 ? payerKeys.length : 2, 1, 100);
  if (
    payerKeys.length > 0 &&
    env.PAYER_COUNT !== undefined &&
    env.PAYER_COUNT.trim() !== "" &&
    payerCount !== payerKeys.length
  ) {
    problems.push(`PAYER_COUNT: ${payerCount} does not match the ${payerKeys.length} keys of PAYER_KEYS`);
  }
  return {
    count: payerCount,
    keys: payerKeys.filter((k) => PRIVATE_KEY_RE.test(k)).map(normaliseKey),
    adminKey: adminKey === null || !PRIVATE_KEY_RE.test(adminKey) ? null : normaliseKey(adminKey),
  };
}

/** The root secret from ROOT_SECRET (hex) or ROOT_SECRET_FILE (hex text or raw bytes). */
export function readRootSecret(
  env: Env,
  dataDir: string,
  create: boolean,
  problems: string[],
): { bytes: Uint8Array; source: string } | null {
  const inline = (env.ROOT_SECRET ?? "").trim();
  if (inline !== "") {
    const bytes = parseSecretHex(inline);
    if (bytes === null) {
      problems.push("ROOT_SECRET: expected hex (0x optional) of at least 32 bytes"); // never echo the value
      return null;
    }
    return { bytes, source: "env" };
  }
  const file = path.resolve((env.ROOT_SECRET_FILE ?? "").trim() || path.join(dataDir, "root-secret"));
  try {
    if (!fs.existsSync(file)) {
      if (!create) {
        problems.push(`ROOT_SECRET_FILE: ${file} does not exist`);
        return null;
      }
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      // "wx": never overwrite a secret created concurrently by another process.
      fs.writeFileSync(file, `0x${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    }
    const content = fs.readFileSync(file);
    const bytes =
      parseSecretHex(content.toString("utf8").trim()) ?? (content.length >= 32 ? new Uint8Array(content) : null);
    if (bytes === null) {
      problems.push(`ROOT_SECRET_FILE: ${file} holds fewer than 32 bytes`);
      return null;
    }
    return { bytes, source: file };
  } catch (e) {
    problems.push(`ROOT_SECRET_FILE: cannot read or create ${file}: ${(e as Error).message}`);
    return null;
  }
}

function parseSecretHex(text: string): Uint8Array | null {
  const hex = text.replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0 || hex.length < 64) return null;
  return new Uint8Array(Buffer.from(hex, "hex"));
}
