/**
 * `npm start` must not rate-limit a developer's own test suites (issue 13 item 14): its relayer
 * configuration (scripts/lib/start-config.ts) lets dozens of accounts a minute be created from
 * 127.0.0.1, while the production defaults (loadConfig without those variables) stay strict.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { expect } from "chai";
import { startRelayerConfig } from "../../../scripts/lib/start-config";
import { loadConfig, type RelayerConfig } from "../../../src/relayer/config";
import { errorBody, makeApp, post } from "../http/support";

const CHAIN = { rpcUrl: "http://127.0.0.1:8545", diamondAddress: "0x5fbdb2315678afecb367f032d93f642f64180aa3" };
const BODY = { account_name: "suite", account_description: "" };

describe("relayer hardening: development rate limits of npm start", () => {
  let dataDir: string;
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "start-limits-"));
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  /** Statuses of `count` new_account requests from 127.0.0.1, one per second, under `rateLimits`. */
  async function newAccounts(rateLimits: RelayerConfig["rateLimits"], count: number): Promise<number[]> {
    const clock = { now: 1_750_000_000 };
    const { app } = await makeApp({ config: { rateLimits }, limiterNow: () => clock.now });
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const r = await post(app, "/new_account", BODY);
      statuses.push(r.statusCode);
      if (r.statusCode === 429) expect(errorBody(r).code).to.equal("RateLimited");
      clock.now += 1;
    }
    return statuses;
  }

  it("lets a test suite create 60 accounts in one minute from one address", async () => {
    const config = startRelayerConfig({ DATA_DIR: dataDir }, CHAIN);
    const statuses = await newAccounts(config.rateLimits, 60);
    expect(statuses.filter((s) => s !== 200), JSON.stringify(statuses)).to.deep.equal([]);
  });

  it("keeps an explicit RATE_LIMIT_NEW_ACCOUNT_* of the environment", async () => {
    const config = startRelayerConfig(
      { DATA_DIR: dataDir, RATE_LIMIT_NEW_ACCOUNT_PER_HOUR: "20", RATE_LIMIT_NEW_ACCOUNT_BURST: "5" },
      CHAIN,
    );
    expect(config.rateLimits.newAccount).to.deep.equal({ perSecond: 20 / 3600, burst: 5 });
  });

  it("keeps the production defaults strict: 5 at once, then 429", async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const statuses = await newAccounts(config.rateLimits, 8);
    expect(statuses.slice(0, 5)).to.deep.equal([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).to.deep.equal([429, 429, 429]);
  });
});
