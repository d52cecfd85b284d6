/**
 * The relayer configuration of `npm start` (scripts/start.ts): the environment, with the local
 * chain's settings forced and development defaults for what the environment leaves unset.
 */
import { loadConfig, type Env, type RelayerConfig } from "../../src/relayer/config";

/** Defaults `npm start` uses unless the environment sets them. */
export const START_DEFAULTS: Readonly<Record<string, string>> = {
  // Billing: the dev provider (local test payments, no real money).
  BILLING_PROVIDER: "dev",
  // Rate limits for a developer's own test suites against 127.0.0.1: the hosted service's public
  // suites create dozens of accounts a minute (production defaults: 20 an hour, 5 at once, which
  // stay the defaults of `npm run relayer` and of any deployment).
  RATE_LIMIT_NEW_ACCOUNT_PER_HOUR: "6000",
  RATE_LIMIT_NEW_ACCOUNT_BURST: "100",
  RATE_LIMIT_IP_PER_MINUTE: "12000",
  RATE_LIMIT_IP_BURST: "2400",
  RATE_LIMIT_KEY_PER_MINUTE: "6000",
  RATE_LIMIT_KEY_BURST: "1200",
};

/** The configuration `npm start` gives its relayer for the local chain at `rpcUrl`. */
export function startRelayerConfig(env: Env, chain: { rpcUrl: string; diamondAddress: string }): RelayerConfig {
  return loadConfig({
    ...START_DEFAULTS,
    ...env,
    RPC_URL: chain.rpcUrl,
    CHAIN_ID: "31337",
    DIAMOND_ADDRESS: chain.diamondAddress,
  });
}
