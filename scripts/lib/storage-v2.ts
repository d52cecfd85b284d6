/**
 * The storage version 2 upgrade of the AccountConfig diamond (docs/contract-behaviour.md,
 * "Authority follows the current owner", and AccountConfigInit.initializeV2): version 2 records,
 * per unmanaged account, the wallet its master hash belongs to. For accounts made before version 2
 * that wallet is read here from the diamond's own logs (AccountCreated with managed = false, and
 * AccountConvertedToChainSecured) and handed to the initializer in chunks.
 *
 * Pure helpers plus one log reader over an ethers provider; used by deploy/002_diamond.ts.
 */
import { AbiCoder, Interface, keccak256, toBeHex, toUtf8Bytes, type Provider } from "ethers";
import { chainSecuredHash } from "../../src/core/hashing";

/** One (master, wallet) pair for AccountConfigInit.initializeV2 / recordLegacyMasterWallets. */
export interface LegacyMasterWallet {
  master: string;
  wallet: string;
}

/** Entries per transaction (each costs about 30k gas; 200 stay far below any block gas limit). */
export const LEGACY_CHUNK = 200;

const EVENTS = new Interface([
  "event AccountCreated(uint256 indexed apiKeyHash, address indexed admin, bool managed)",
  "event AccountConvertedToChainSecured(uint256 indexed apiKeyHash, address indexed newAdminWalletAddress)",
]);

/** keccak256(abi.encode(uint256(keccak256(namespace)) - 1)) & ~bytes32(uint256(0xff)) (ERC-7201). */
export function erc7201Slot(namespace: string): string {
  const inner = BigInt(keccak256(toUtf8Bytes(namespace))) - 1n;
  const outer = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256"], [inner])));
  return toBeHex(outer & ~0xffn, 32);
}

/** LibAccountConfig.STORAGE_SLOT; initializedVersion (uint64) is at offset 0 of it. */
export const MAIN_STORAGE_SLOT = erc7201Slot("accountconfig.storage.main");

/** The diamond's storage version (LibAccountConfig.Layout.initializedVersion). */
export async function storageVersion(provider: Provider, diamond: string): Promise<bigint> {
  return BigInt(await provider.getStorage(diamond, MAIN_STORAGE_SLOT)) & 0xffff_ffff_ffff_ffffn;
}

export interface AccountLog {
  name: "AccountCreated" | "AccountConvertedToChainSecured";
  master: bigint;
  wallet: string;
  managed: boolean;
}

/**
 * The pairs to record, from account logs in chain order: the admin of every account created
 * unmanaged and the wallet of every conversion, except a master that is the wallet's own alias
 * (a self-service account: the contract checks it by its alias already).
 */
export function legacyMasterWallets(logs: readonly AccountLog[]): LegacyMasterWallet[] {
  const out = new Map<bigint, LegacyMasterWallet>();
  for (const log of logs) {
    if (log.name === "AccountCreated" && log.managed) continue;
    if (BigInt(chainSecuredHash(log.wallet)) === log.master) continue;
    out.set(log.master, { master: toBeHex(log.master, 32), wallet: log.wallet });
  }
  return [...out.values()];
}

/** Split into chunks of at most `size` entries. */
export function chunks<T>(items: readonly T[], size = LEGACY_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reads AccountCreated / AccountConvertedToChainSecured logs of `diamond` in [fromBlock, toBlock],
 * `span` blocks per eth_getLogs call (public RPCs limit the range of one call).
 */
export async function readAccountLogs(
  provider: Provider,
  diamond: string,
  fromBlock: number,
  toBlock: number,
  span = 10_000,
): Promise<AccountLog[]> {
  const topics = [[EVENTS.getEvent("AccountCreated")!.topicHash, EVENTS.getEvent("AccountConvertedToChainSecured")!.topicHash]];
  const out: AccountLog[] = [];
  for (let start = fromBlock; start <= toBlock; start += span) {
    const end = Math.min(toBlock, start + span - 1);
    const logs = await provider.getLogs({ address: diamond, topics, fromBlock: start, toBlock: end });
    for (const log of logs) {
      const parsed = EVENTS.parseLog(log);
      if (parsed === null) continue;
      if (parsed.name === "AccountCreated") {
        out.push({ name: "AccountCreated", master: parsed.args.apiKeyHash as bigint, wallet: parsed.args.admin as string, managed: parsed.args.managed as boolean });
      } else {
        out.push({
          name: "AccountConvertedToChainSecured",
          master: parsed.args.apiKeyHash as bigint,
          wallet: parsed.args.newAdminWalletAddress as string,
          managed: false,
        });
      }
    }
  }
  return out;
}
