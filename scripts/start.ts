/**
 * `npm start`: a local chain on 127.0.0.1 (CHAIN_PORT, default 8545) with the AccountConfig
 * diamond deployed, the relayer (/core/v1 on 127.0.0.1:PORT, default 8080) with its api payers
 * registered and funded, a printed summary, and a clean stop on Ctrl-C / SIGTERM / SIGHUP.
 * The relayer keeps its root secret in DATA_DIR (default ./data); its SQLite database is reset on
 * every start because the chain is new.
 *
 * Run as `HARDHAT_NETWORK=localhost node -r ts-node/register/transpile-only scripts/start.ts`
 * (npm start does). Not through `hardhat run`: its launcher process does not forward signals to
 * the script, so a SIGTERM from a supervisor would orphan the chain.
 */
import fs from "fs";
import path from "path";
import hre from "hardhat";
import { ensureDashboardBuilt } from "../dashboard/build";
import { createRelayer, type Relayer } from "../src/relayer/main";
import { setUpRelayerPayers, startLocalChain, type Child } from "./lib/local-chain";
import { startRelayerConfig } from "./lib/start-config";
import { PRICING_ITEMS } from "../src/relayer/billing-setup";

const HOST = "127.0.0.1";
const PORT = Number(process.env.CHAIN_PORT ?? "8545");
const RPC = `http://${HOST}:${PORT}`;
const ROOT = path.resolve(__dirname, "..");

async function rpcAnswers(): Promise<boolean> {
  try {
    const res = await fetch(RPC, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (hre.network.name !== "localhost") throw new Error("run with HARDHAT_NETWORK=localhost (npm start does)");
  if (await rpcAnswers()) {
    throw new Error(`something already answers on ${RPC}: stop it or set CHAIN_PORT to a free port`);
  }
  let stopping = false;
  let relayer: Relayer | undefined;
  let node: Child | undefined;
  // The chain starts (scripts/lib/local-chain; stdout in chain.log) while the rest below runs.
  const chainReady = startLocalChain({
    host: HOST,
    port: PORT,
    stdout: { file: path.join(ROOT, "chain.log") },
    stderr: "inherit",
    detached: false,
    timeoutMs: 60_000,
    onSpawn: (child) => {
      node = child;
      child.proc.on("exit", (code) => {
        if (!stopping) {
          console.error(`hardhat node exited unexpectedly (code ${code}); see chain.log`);
          process.exit(1);
        }
      });
    },
  });
  chainReady.catch(() => undefined); // awaited below
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping the relayer and the local chain ...");
    const stopChain = () => void (node ? node.stop() : Promise.resolve()).finally(() => process.exit(code));
    (relayer ? relayer.close() : Promise.resolve()).catch((err) => console.error(err)).finally(stopChain);
  };
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
  process.on("SIGHUP", () => stop(0));

  try {
    // The dashboard (/dashboard/) is built when missing or older than its sources; without it the
    // API still starts and /dashboard/ says how to build it.
    await ensureDashboardBuilt().then(
      ({ built }) => built && console.log("built the dashboard into dashboard/dist"),
      (err: unknown) => console.error(`dashboard build failed (/dashboard/ will answer 503): ${err instanceof Error ? err.message : err}`),
    );
    await chainReady;
    // The chain is new: forget deployments recorded by an earlier run.
    fs.rmSync(path.join(ROOT, "deployments", "localhost"), { recursive: true, force: true });
    await hre.deployments.run(["AccountConfig"], { resetMemory: true, writeDeploymentsToFiles: true });
    relayer = await startRelayer((await hre.deployments.get("AccountConfig")).address);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    stop(1);
    return;
  }

  const diamond = await hre.deployments.get("AccountConfig");
  const named = await hre.getNamedAccounts();
  // The relayer replaced the dev api payers (#4, #5) with its own: do not label them payers.
  const payerList = relayer ? [] : await (await hre.ethers.getContractAt("IAccountConfig", diamond.address)).api_payers();
  const roles = new Map<string, string[]>();
  for (const [role, address] of Object.entries(named)) {
    if (role.startsWith("apiPayer") && !payerList.includes(address)) continue;
    roles.set(address, [...(roles.get(address) ?? []), role]);
  }
  const signers = await hre.ethers.getSigners();
  const chainId = (await hre.ethers.provider.getNetwork()).chainId;
  console.log("");
  console.log("AccountConfig local chain is running");
  console.log(`  RPC URL           ${RPC}`);
  console.log(`  chain id          ${chainId}`);
  console.log(`  diamond address   ${diamond.address}`);
  console.log(`  deployment files  deployments/localhost/ (combined ABI in AccountConfig.json)`);
  console.log("  dev accounts (well-known Hardhat test keys: never use them on a public network):");
  for (const [i, signer] of signers.slice(0, 10).entries()) {
    const balance = hre.ethers.formatEther(await hre.ethers.provider.getBalance(signer.address));
    const role = (roles.get(signer.address) ?? []).join(", ");
    console.log(`    #${i} ${signer.address}  ${balance} ETH${role ? `  (${role})` : ""}`);
  }
  if (relayer) {
    console.log(`  relayer           ${relayer.url}/core/v1  (data in ${relayer.config.dataDir})`);
    console.log(`  API docs          ${relayer.url}/core/v1/swagger-ui/`);
    console.log(`  dashboard         ${relayer.url}/dashboard/`);
    console.log(`  api payers        ${relayer.chain.payers.join(", ")} (derived from the root secret)`);
    const b = relayer.config.billing;
    console.log(
      b.provider === "none"
        ? "  billing           off (BILLING_PROVIDER=none)"
        : `  billing           ${b.provider}${b.provider === "dev" ? " (local test payments, no real money)" : ""}; ` +
            `${b.prices.writeCents} cent(s) per write, ${b.prices.executionSecondCents} per action second, ` +
            `new accounts start with ${b.startingCreditCents} cents`,
    );
  }
  console.log("");
  console.log(`Try: curl -s -X POST ${relayer?.url ?? "http://127.0.0.1:8080"}/core/v1/new_account -H 'content-type: application/json' -d '{"account_name":"Demo","account_description":""}'`);
  console.log("     npx hardhat account:new-chainsecured --name Demo --from 6 --network localhost");
  console.log("Press Ctrl-C to stop.");
  await new Promise(() => undefined); // keep running until a signal arrives
}

/**
 * Start the relayer against the local chain: its derived api payers become the diamond's payer
 * list (set by the owner, dev account 0) and are funded from dev accounts.
 */
async function startRelayer(diamondAddress: string): Promise<Relayer> {
  // Development defaults (billing "dev", generous rate limits) unless the environment sets them.
  const config = startRelayerConfig(process.env, { rpcUrl: RPC, diamondAddress });
  fs.mkdirSync(config.dataDir, { recursive: true });
  for (const f of ["relayer.sqlite", "relayer.sqlite-wal", "relayer.sqlite-shm"]) {
    fs.rmSync(path.join(config.dataDir, f), { force: true });
  }
  const [owner] = await hre.ethers.getSigners();
  const diamond = await hre.ethers.getContractAt("IAccountConfig", diamondAddress);
  await setUpRelayerPayers(owner, diamondAddress, config, { rebalanceAmount: hre.ethers.parseEther("10") });
  // Publish the relayer's prices (US cents) as the diamond's pricing items.
  await (await diamond.connect(owner).setPricing(PRICING_ITEMS.managementWrite, config.billing.prices.writeCents)).wait();
  await (await diamond.connect(owner).setPricing(PRICING_ITEMS.executionSecond, config.billing.prices.executionSecondCents)).wait();
  const relayer = await createRelayer(config, { listen: true });
  await relayer.chain.indexer.syncTo(await hre.ethers.provider.getBlockNumber());
  return relayer;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
