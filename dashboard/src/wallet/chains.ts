/** Names of a few chains a wallet may be on (for the switch prompt). */
const NAMES: Record<number, string> = {
  1: "Ethereum",
  10: "OP Mainnet",
  137: "Polygon",
  8453: "Base",
  84532: "Base Sepolia",
  11155111: "Sepolia",
  31337: "a local Hardhat chain",
};

export function chainLabel(chainId: number, name?: string): string {
  return `${name ?? NAMES[chainId] ?? "chain"} (chain id ${chainId})`;
}
