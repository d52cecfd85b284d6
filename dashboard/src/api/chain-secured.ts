/** Reads about ChainSecured accounts straight from the diamond, through the wallet's provider. */
import type { Provider } from "ethers";
import { IAccountConfig__factory } from "../../../typechain-types/factories/contracts/interfaces/IAccountConfig__factory";
import { chainSecuredHash } from "../../../src/sdk";

export type AdminStatus =
  | { kind: "admin"; accountHash: string; accountName: string }
  | { kind: "none" }
  | { kind: "former"; currentAdmin: string }
  | { kind: "managed" };

/** Whether `address` is the admin of the account its alias hash resolves to. */
export async function adminStatus(provider: Provider, contractAddress: string, address: string): Promise<AdminStatus> {
  const diamond = IAccountConfig__factory.connect(contractAddress, provider);
  const alias = chainSecuredHash(address);
  // accountExists, not accountExistsAndIsMutable: the latter answers for msg.sender (a provider
  // read has none), and "former" needs plain existence.
  if (!(await diamond.accountExists(alias))) return { kind: "none" };
  const account = await diamond.getAccount(alias);
  if (account.managed) return { kind: "managed" };
  if (account.adminWalletAddress.toLowerCase() !== address.toLowerCase()) {
    return { kind: "former", currentAdmin: account.adminWalletAddress };
  }
  return { kind: "admin", accountHash: alias, accountName: account.name };
}

/**
 * Why a wallet cannot receive an account, or null when it can: "account" when it owns, or once
 * owned, an account; "squatted" when a usage key of another account holds its address hash (the
 * wallet itself can free it with reclaimAddressAlias()).
 */
export async function newAdminBlocker(
  provider: Provider,
  contractAddress: string,
  address: string,
): Promise<"account" | "squatted" | null> {
  const diamond = IAccountConfig__factory.connect(contractAddress, provider);
  const [, kind] = await diamond.resolveApiKeyHash(chainSecuredHash(address));
  if (kind === HASH_KIND_MASTER || kind === HASH_KIND_ADMIN_ALIAS) return "account";
  if (kind === HASH_KIND_USAGE_KEY) return "squatted";
  return null;
}

/** HashKind values of resolveApiKeyHash. */
const HASH_KIND_MASTER = 1n;
const HASH_KIND_USAGE_KEY = 2n;
const HASH_KIND_ADMIN_ALIAS = 3n;
