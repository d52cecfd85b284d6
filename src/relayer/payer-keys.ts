/**
 * The relayer's payer keys and what an operator does with their addresses: the api payer keys are
 * given (PAYER_KEYS) or derived from the root secret (labels `payer` n and `admin-payer`), the
 * admin payer's likewise (ADMIN_PAYER_KEY). Light on purpose (no server code): the Hardhat tasks
 * load it to print and register the payers without starting the relayer (docs/operator.md).
 */
import { Wallet, formatEther } from "ethers";
import { adminPayerPrivateKey, payerPrivateKey } from "../core";
import type { RelayerConfig } from "./config";

/** What the keys derive from: a RelayerConfig or a PayerKeySettings (key-settings.ts) has both. */
export interface PayerKeySource {
  rootSecret: Uint8Array | null;
  payers: RelayerConfig["payers"];
}

/** The api payer keys (given, or `count` derived from the root secret) and the admin payer key. */
export function payerKeysOf(source: PayerKeySource): { payerKeys: string[]; adminPayerKey: string } {
  const secret = (): Uint8Array => {
    if (source.rootSecret === null) throw new Error("payer keys: no root secret and no PAYER_KEYS / ADMIN_PAYER_KEY");
    return source.rootSecret;
  };
  const payerKeys =
    source.payers.keys.length > 0
      ? [...source.payers.keys]
      : Array.from({ length: source.payers.count }, (_, i) => payerPrivateKey(secret(), i));
  return { payerKeys, adminPayerKey: source.payers.adminKey ?? adminPayerPrivateKey(secret()) };
}

/** The checksummed addresses of the api payers and the admin payer. */
export function payerAddressesOf(source: PayerKeySource): { payers: string[]; admin: string } {
  const { payerKeys, adminPayerKey } = payerKeysOf(source);
  return { payers: payerKeys.map((k) => new Wallet(k).address), admin: new Wallet(adminPayerKey).address };
}

/** The Hardhat network name (hardhat.config.ts) of a chain id, for the commands the relayer prints. */
export function hardhatNetworkOf(chainId: bigint | number): string {
  switch (Number(chainId)) {
    case 31337:
      return "localhost";
    case 84532:
      return "baseSepolia";
    case 8453:
      return "base";
    default:
      return "<network>";
  }
}

/** Default --fund of the printed command, in wei (0.05 ETH: hundreds of writes on Base or a local chain). */
export const DEFAULT_FUND_WEI = 50_000_000_000_000_000n;

/** An amount of wei as ETH text for a command line, rounded up to two significant digits (0.05, 0.0012, 20). */
export function ethForCommand(wei: bigint): string {
  if (wei <= 0n) return "0";
  let unit = 1n;
  while (wei / unit >= 100n) unit *= 10n;
  const rounded = ((wei + unit - 1n) / unit) * unit;
  return formatEther(rounded).replace(/\.0$/, "");
}

export interface RegisterCommandInput {
  chainId: bigint | number;
  diamond: string;
  payers: readonly string[];
  /** null: no admin payer to register. */
  admin: string | null;
  /** Amount (wei) each api payer should be brought up to; omitted when null. */
  fundWei: bigint | null;
  /** Amount (wei) the admin payer should be brought up to (printed when it differs from fundWei; --fund covers it otherwise). */
  fundAdminWei?: bigint | null;
}

/**
 * The command that registers (and funds) the relayer's payers, run by the diamond's owner or config
 * operator (tasks/relayer.ts): it names every address, so it needs none of the relayer's secrets.
 */
export function registerPayersCommand(c: RegisterCommandInput): string {
  const parts = [
    "npx hardhat relayer:register-payers",
    `--network ${hardhatNetworkOf(c.chainId)}`,
    `--diamond ${c.diamond}`,
    `--payers ${c.payers.join(",")}`,
  ];
  if (c.admin !== null) parts.push(`--admin ${c.admin}`);
  if (c.fundWei !== null) parts.push(`--fund ${ethForCommand(c.fundWei)}`);
  if (c.fundAdminWei != null && c.fundAdminWei !== c.fundWei) parts.push(`--fund-admin ${ethForCommand(c.fundAdminWei)}`);
  return parts.join(" ");
}
