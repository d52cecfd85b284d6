/** loadConfig: defaults, validation naming the variable, the root secret file. */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, loadConfig, loadPayerKeySettings } from "../../../src/relayer/config";
import { payerAddressesOf, payerKeysOf } from "../../../src/relayer/payer-keys";
import { buildApp } from "../../../src/relayer/http";
import { applyEnvFile } from "../../../src/relayer/env-file";
import { createServicesFromConfig } from "../../../src/relayer/services";
import { LIT_ACTION_DEFAULTS } from "../../../src/relayer/services/node-info";
import { FakeChain } from "./fakes";
import { bearer, newAccount } from "./support";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "relayer-config-"));
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: tempDir(), ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("relayer config", () => {
  it("has defaults for a local chain and creates the root secret file with mode 0600", () => {
    const dir = tempDir();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c).to.deep.include({
      host: "127.0.0.1",
      port: 8080,
      trustProxy: false,
      databaseUrl: null,
      logLevel: "info",
      corsOrigins: [],
      bodyLimitBytes: 10 * 1024 * 1024,
    });
    expect(c.dataDir).to.equal(path.resolve(dir));
    expect(c.chain).to.deep.equal({
      rpcUrl: "http://127.0.0.1:8545",
      rpcUrls: ["http://127.0.0.1:8545"],
      rpcTimeoutMs: 15_000,
      confirmationDepth: null,
      reorgWindow: null,
      writeConfirmations: 0,
      maxFeePerGasWei: null,
      chainId: 31337,
      diamondAddress: null,
      name: "localhost",
      testnet: true,
      token: "ETH",
      batchMaxCalls: 32,
      batchMaxInFlight: null,
      batchMaxBytes: 98_304,
      startBlock: 0,
      payerCheckIntervalMs: 60_000,
      payerMinBalanceWei: null,
    });
    expect(c.payers).to.deep.equal({ count: 2, keys: [], adminKey: null });
    expect(c.rateLimits.perKey).to.deep.equal({ perSecond: 10, burst: 120 });
    expect(c.rateLimits.newAccount.burst).to.equal(5);
    const file = path.join(dir, "root-secret");
    expect(c.rootSecretSource).to.equal(file);
    expect(c.rootSecret.length).to.equal(32);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    // The same secret on the next start.
    expect(Buffer.from(loadConfig({ DATA_DIR: dir }).rootSecret).equals(Buffer.from(c.rootSecret))).to.equal(true);
    expect(c.build.version).to.match(/^\d+\.\d+\.\d+/);
  });

  it("reads every variable", () => {
    const dir = tempDir();
    const c = loadConfig({
      HOST: "0.0.0.0",
      PORT: "9000",
      TRUST_PROXY: "true",
      DATA_DIR: dir,
      DATABASE_URL: "postgres://u:p@db/relayer",
      RPC_URL: "https://sepolia.base.org",
      RPC_URLS: "https://a.example/rpc, https://b.example/rpc",
      RPC_TIMEOUT_MS: "5000",
      CONFIRMATION_DEPTH: "6",
      REORG_WINDOW: "50",
      WRITE_CONFIRMATIONS: "2",
      MAX_FEE_PER_GAS_GWEI: "0.25",
      CHAIN_ID: "84532",
      DIAMOND_ADDRESS: "5FbDB2315678afecb367f032d93F642f64180aa3",
      CHAIN_TOKEN: "ETH",
      BATCH_MAX_CALLS: "8",
      BATCH_MAX_IN_FLIGHT: "3",
      BATCH_MAX_BYTES: "65536",
      START_BLOCK: "12345678",
      PAYER_CHECK_INTERVAL_MS: "30000",
      PAYER_MIN_BALANCE_ETH: "0.0025",
      ROOT_SECRET: `0x${"ab".repeat(32)}`,
      PAYER_KEYS: `0x${"11".repeat(32)}, ${"22".repeat(32)}`,
      ADMIN_PAYER_KEY: `0x${"33".repeat(32)}`,
      CORS_ORIGINS: "https://a.example, http://localhost:3000",
      RATE_LIMIT_KEY_PER_MINUTE: "60",
      RATE_LIMIT_KEY_BURST: "10",
      RATE_LIMIT_IP_PER_MINUTE: "0",
      RATE_LIMIT_NEW_ACCOUNT_PER_HOUR: "3600",
      LOG_LEVEL: "WARN",
      RELEASE_COMMIT: "deadbeef",
    });
    expect(c).to.deep.include({
      host: "0.0.0.0",
      port: 9000,
      trustProxy: true,
      databaseUrl: "postgres://u:p@db/relayer",
      logLevel: "warn",
      rootSecretSource: "env",
    });
    expect(c.chain).to.deep.equal({
      rpcUrl: "https://a.example/rpc",
      rpcUrls: ["https://a.example/rpc", "https://b.example/rpc"],
      rpcTimeoutMs: 5000,
      confirmationDepth: 6,
      reorgWindow: 50,
      writeConfirmations: 2,
      maxFeePerGasWei: 250_000_000n,
      chainId: 84532,
      diamondAddress: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      name: "base-sepolia",
      testnet: true,
      token: "ETH",
      batchMaxCalls: 8,
      batchMaxInFlight: 3,
      batchMaxBytes: 65_536,
      startBlock: 12_345_678,
      payerCheckIntervalMs: 30_000,
      payerMinBalanceWei: 2_500_000_000_000_000n,
    });
    expect(Buffer.from(c.rootSecret).toString("hex")).to.equal("ab".repeat(32));
    expect(c.payers).to.deep.equal({
      count: 2,
      keys: [`0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`],
      adminKey: `0x${"33".repeat(32)}`,
    });
    expect(c.corsOrigins).to.deep.equal(["https://a.example", "http://localhost:3000"]);
    expect(c.rateLimits.perKey).to.deep.equal({ perSecond: 1, burst: 10 });
    expect(c.rateLimits.perIp.perSecond).to.equal(0);
    expect(c.rateLimits.newAccount.perSecond).to.equal(1);
    expect(c.build.commit).to.equal("deadbeef");
    expect(fs.existsSync(path.join(dir, "root-secret"))).to.equal(false);
    expect(loadConfig({ DATA_DIR: dir, CHAIN_ID: "8453", ROOT_SECRET: "ab".repeat(32) }).chain).to.include({
      name: "base",
      testnet: false,
    });
  });

  it("names each invalid variable, without echoing secrets", () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: "http" }, "PORT"],
      [{ PORT: "70000" }, "PORT"],
      [{ CHAIN_ID: "-1" }, "CHAIN_ID"],
      [{ RPC_URL: "localhost:8545" }, "RPC_URL"],
      [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
      [{ DIAMOND_ADDRESS: "0x1234" }, "DIAMOND_ADDRESS"],
      [{ ROOT_SECRET: "abcd" }, "ROOT_SECRET"],
      [{ ROOT_SECRET: "zz".repeat(32) }, "ROOT_SECRET"],
      [{ PAYER_KEYS: "0x1234" }, "PAYER_KEYS"],
      [{ PAYER_COUNT: "0" }, "PAYER_COUNT"],
      [{ PAYER_KEYS: "11".repeat(32), PAYER_COUNT: "3" }, "PAYER_COUNT"],
      [{ ADMIN_PAYER_KEY: "nope" }, "ADMIN_PAYER_KEY"],
      [{ START_BLOCK: "-1" }, "START_BLOCK"],
      [{ PAYER_CHECK_INTERVAL_MS: "10" }, "PAYER_CHECK_INTERVAL_MS"],
      [{ PAYER_MIN_BALANCE_ETH: "0.1.2" }, "PAYER_MIN_BALANCE_ETH"],
      [{ PAYER_MIN_BALANCE_ETH: `0.${"1".repeat(19)}` }, "PAYER_MIN_BALANCE_ETH"],
      [{ CORS_ORIGINS: "https://a.example/path" }, "CORS_ORIGINS"],
      [{ RATE_LIMIT_KEY_PER_MINUTE: "fast" }, "RATE_LIMIT_KEY_PER_MINUTE"],
      [{ RATE_LIMIT_IP_BURST: "0" }, "RATE_LIMIT_IP_BURST"],
      [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
      [{ TRUST_PROXY: "maybe" }, "TRUST_PROXY"],
      [{ BATCH_MAX_CALLS: "0" }, "BATCH_MAX_CALLS"],
      [{ BATCH_MAX_CALLS: "1000" }, "BATCH_MAX_CALLS"],
      [{ BATCH_MAX_IN_FLIGHT: "none" }, "BATCH_MAX_IN_FLIGHT"],
      [{ BATCH_MAX_BYTES: "512" }, "BATCH_MAX_BYTES"],
      [{ BATCH_MAX_BYTES: "131072" }, "BATCH_MAX_BYTES"],
      [{ RPC_URLS: "https://a.example, ws://b.example" }, "RPC_URLS"],
      [{ RPC_URLS: "https://a.example, https://a.example" }, "RPC_URLS"],
      [{ RPC_TIMEOUT_MS: "10" }, "RPC_TIMEOUT_MS"],
      [{ CONFIRMATION_DEPTH: "-1" }, "CONFIRMATION_DEPTH"],
      [{ REORG_WINDOW: "0" }, "REORG_WINDOW"],
      [{ CONFIRMATION_DEPTH: "20", REORG_WINDOW: "10" }, "REORG_WINDOW"],
      [{ CHAIN_ID: "8453", REORG_WINDOW: "10" }, "REORG_WINDOW"],
      [{ WRITE_CONFIRMATIONS: "two" }, "WRITE_CONFIRMATIONS"],
      [{ MAX_FEE_PER_GAS_GWEI: "0" }, "MAX_FEE_PER_GAS_GWEI"],
      [{ MAX_FEE_PER_GAS_GWEI: "1.0000000001" }, "MAX_FEE_PER_GAS_GWEI"],
    ];
    for (const [env, variable] of cases) {
      const problems = problemsOf(env);
      expect(problems, JSON.stringify(env)).to.have.length(1);
      expect(problems[0].startsWith(`${variable}:`), problems[0]).to.equal(true);
    }
    const secret = "zz".repeat(32);
    expect(problemsOf({ ROOT_SECRET: secret }).join()).to.not.contain(secret);
    expect(problemsOf({ PORT: "x", LOG_LEVEL: "y" })).to.have.length(2);
  });

  it("reads ROOT_SECRET_FILE (hex or raw bytes) and refuses a short one", () => {
    const dir = tempDir();
    const hexFile = path.join(dir, "hex");
    fs.writeFileSync(hexFile, `${"cd".repeat(32)}\n`);
    expect(Buffer.from(loadConfig({ DATA_DIR: dir, ROOT_SECRET_FILE: hexFile }).rootSecret).toString("hex")).to.equal(
      "cd".repeat(32),
    );
    const rawFile = path.join(dir, "raw");
    fs.writeFileSync(rawFile, Buffer.alloc(32, 0xee));
    expect(Buffer.from(loadConfig({ DATA_DIR: dir, ROOT_SECRET_FILE: rawFile }).rootSecret).toString("hex")).to.equal(
      "ee".repeat(32),
    );
    const short = path.join(dir, "short");
    fs.writeFileSync(short, "abcd");
    expect(problemsOf({ ROOT_SECRET_FILE: short })[0]).to.match(/^ROOT_SECRET_FILE:/);
    expect(problemsOf({ ROOT_SECRET_FILE: path.join(dir, "missing", "deeper", "s") })).to.deep.equal([]); // created
    expect(() =>
      loadConfig({ DATA_DIR: dir, ROOT_SECRET_FILE: path.join(dir, "absent") }, { createRootSecret: false }),
    ).to.throw(ConfigError, /ROOT_SECRET_FILE/);
  });

  it("payer key settings alone (for the tasks) give the relayer's own payer addresses, and create no secret unless asked", () => {
    const dir = tempDir();
    expect(() => loadPayerKeySettings({ DATA_DIR: dir })).to.throw(ConfigError, /ROOT_SECRET_FILE: .* does not exist/);
    expect(fs.existsSync(path.join(dir, "root-secret"))).to.equal(false);
    const created = loadPayerKeySettings({ DATA_DIR: dir, PAYER_COUNT: "3" }, { createRootSecret: true });
    expect(created.source).to.equal(path.join(dir, "root-secret"));
    expect(fs.statSync(created.source).mode & 0o777).to.equal(0o600);
    // Unrelated variables, even invalid ones, do not matter to it.
    const settings = loadPayerKeySettings({ DATA_DIR: dir, PAYER_COUNT: "3", PORT: "http" });
    const relayer = loadConfig({ DATA_DIR: dir, PAYER_COUNT: "3" });
    expect(payerKeysOf(settings)).to.deep.equal(payerKeysOf(relayer));
    expect(payerAddressesOf(settings).payers).to.have.length(3);
    // Given keys need no secret at all.
    const keys = loadPayerKeySettings({ DATA_DIR: tempDir(), PAYER_KEYS: "11".repeat(32), ADMIN_PAYER_KEY: "33".repeat(32) });
    expect(keys.rootSecret).to.equal(null);
    expect(keys.source).to.equal("PAYER_KEYS and ADMIN_PAYER_KEY");
    expect(loadPayerKeySettings({ DATA_DIR: dir, ROOT_SECRET: "ab".repeat(32) }).source).to.equal("ROOT_SECRET");
  });

  it("takes LIT_ACTION_* limits within 0 < value <= 10 x default (memory from 8 MB), as on-chain entries, naming the bound", () => {
    const limits: [string, number, number][] = [
      // variable, smallest accepted, largest accepted (10 x default)
      ["LIT_ACTION_TIMEOUT_MS", 1, 9_000_000],
      ["LIT_ACTION_MEMORY_LIMIT_MB", 8, 640],
      ["LIT_ACTION_MAX_CODE_LENGTH", 1, 167_772_160],
      ["LIT_ACTION_MAX_RESPONSE_LENGTH", 1, 1_024_000],
      ["LIT_ACTION_MAX_CONSOLE_LOG_LENGTH", 1, 1_024_000],
      ["LIT_ACTION_MAX_FETCH_COUNT", 1, 500],
      ["LIT_ACTION_MAX_KEY_REQUESTS", 1, 100],
      ["LIT_ACTION_MAX_PARAMS_BYTES", 1, 655_360],
      ["LIT_ACTION_FETCH_TIMEOUT_MS", 1, 300_000],
      ["LIT_ACTION_MAX_FETCH_RESPONSE_BYTES", 1, 104_857_600],
    ];
    for (const [name, min, max] of limits) {
      expect(problemsOf({ [name]: String(min) }), `${name}=${min}`).to.deep.equal([]);
      expect(problemsOf({ [name]: String(max) }), `${name}=${max}`).to.deep.equal([]);
      for (const bad of [min - 1, max + 1]) {
        expect(problemsOf({ [name]: String(bad) }), `${name}=${bad}`).to.deep.equal([`${name}: expected an integer ${min}..${max}, got "${bad}"`]);
      }
    }
    // The cases the bound used to let through: 300 x the fetch timeout's default, and 0.
    expect(problemsOf({ LIT_ACTION_FETCH_TIMEOUT_MS: "9000000" })).to.have.length(1);
    expect(problemsOf({ LIT_ACTION_MAX_FETCH_COUNT: "0", LIT_ACTION_MAX_KEY_REQUESTS: "0" })).to.have.length(2);
  });

  it("get_lit_action_client_config reports the limits enforced: LIT_ACTION_* over valid on-chain entries over defaults", async () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      DIAMOND_ADDRESS: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      LIT_ACTION_TIMEOUT_MS: "5000",
      LIT_ACTION_MAX_CODE_LENGTH: "100",
      LIT_ACTION_MAX_FETCH_COUNT: "3",
    });
    const chain = new FakeChain();
    const onChain = { timeout_ms: "60000", max_get_keys_count: "20", memory_limit_mb: "4", max_response_length: "0" };
    const services = createServicesFromConfig(config, { index: chain, writer: chain, nodeConfiguration: async () => onChain });
    const app = await buildApp({ services, config });
    const reported = (await app.inject({ method: "GET", url: "/core/v1/get_lit_action_client_config" })).json() as Record<string, number>;
    expect(reported).to.deep.equal({
      ...LIT_ACTION_DEFAULTS,
      timeout_ms: 5000, // local wins over the chain's 60000
      async_timeout_ms: 5000, // one wall-clock limit for the whole run
      max_code_length: 100,
      max_fetch_count: 3,
      max_get_keys_count: 20, // the chain's
      // memory_limit_mb 4 (below 8 MB) and max_response_length 0 are out of bounds: defaults stay
    });
    // ... and the execution enforces what is reported.
    const { key } = await newAccount(app);
    const r = await app.inject({ method: "POST", url: "/core/v1/lit_action", headers: bearer(key), payload: { code: `// ${"x".repeat(120)}` } });
    expect(r.statusCode, r.body).to.equal(400);
    expect((r.json() as { error: string }).error).to.contain("max_code_length = 100 bytes");
    await app.close();
  });

  it("npm run relayer reads .env beside package.json; variables already set (the shell's) win", () => {
    const file = path.join(tempDir(), ".env");
    fs.writeFileSync(file, '# comment\nPORT=9999\nLOG_LEVEL="debug"\nexport CHAIN_ID=8453\n');
    const env: NodeJS.ProcessEnv = { PORT: "7000" };
    expect(applyEnvFile(env, file).sort()).to.deep.equal(["CHAIN_ID", "LOG_LEVEL"]);
    expect(env).to.deep.equal({ PORT: "7000", LOG_LEVEL: "debug", CHAIN_ID: "8453" });
    expect(applyEnvFile(env, path.join(tempDir(), "absent.env"))).to.deep.equal([]);
    const c = loadConfig({ DATA_DIR: tempDir(), ...env });
    expect([c.port, c.logLevel, c.chain.chainId]).to.deep.equal([7000, "debug", 8453]);
  });

  it("builds services and an app from a loaded configuration", async () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      DIAMOND_ADDRESS: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      CHAIN_ID: "84532",
      LOG_LEVEL: "silent",
    });
    const chain = new FakeChain();
    const app = await buildApp({ services: createServicesFromConfig(config, { index: chain, writer: chain }), config });
    const r = await app.inject({ method: "GET", url: "/core/v1/get_node_chain_config" });
    expect(r.json()).to.deep.equal({
      chain_name: "base-sepolia",
      chain_id: 84532,
      is_evm: true,
      testnet: true,
      token: "ETH",
      contract_address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    });
    expect((await app.inject({ method: "GET", url: "/core/v1/get_api_payers" })).json()).to.have.length(2);
    await app.close();
  });

  it("LEGACY_SIGNATURES: the hosted wallet-signature formats are accepted unless it is false", () => {
    const dir = tempDir();
    expect(loadConfig({ DATA_DIR: dir }).legacySignatures).to.equal(true);
    expect(loadConfig({ DATA_DIR: dir, LEGACY_SIGNATURES: "false" }).legacySignatures).to.equal(false);
    expect(loadConfig({ DATA_DIR: dir, LEGACY_SIGNATURES: "true" }).legacySignatures).to.equal(true);
    const problems = problemsOf({ LEGACY_SIGNATURES: "sometimes" });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^LEGACY_SIGNATURES: expected true or false/);
  });
});
