/**
 * Fails fast, with the variable's name, when a public network is selected without the environment
 * it needs. Runs when hardhat.config.ts loads; reads the --network argument (or HARDHAT_NETWORK).
 */
const REQUIRED: Record<string, string[]> = {
  baseSepolia: ["BASE_SEPOLIA_RPC_URL", "DEPLOYER_PRIVATE_KEY"],
  base: ["BASE_RPC_URL", "DEPLOYER_PRIVATE_KEY"],
};

export function selectedNetwork(argv: readonly string[]): string | undefined {
  const i = argv.indexOf("--network");
  if (i >= 0) return argv[i + 1];
  const inline = argv.find((a) => a.startsWith("--network="));
  return inline ? inline.slice("--network=".length) : process.env.HARDHAT_NETWORK;
}

/** The names of required variables that are missing for `network` (empty when none). */
export function missingNetworkEnv(network: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!network) return [];
  return (REQUIRED[network] ?? []).filter((name) => !(env[name] ?? "").trim());
}

export function requireNetworkEnv(argv: readonly string[]): void {
  const network = selectedNetwork(argv);
  const missing = missingNetworkEnv(network);
  if (missing.length === 0) return;
  console.error(`Error: network "${network}" needs ${missing.join(" and ")} (see .env.example and README "Networks").`);
  process.exit(1);
}
