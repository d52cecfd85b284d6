/** Reads about ChainSecured accounts straight from the diamond, through the wallet's provider. */
import type { Provider } from "ethers";
import { IAccountConfig__factory } from "../../../typechain-types/factories/contracts/interfaces/IAccountConfig__factory";
import { chainSecuredAccountHash } from "../../../src/sdk";

export type AdminStatus =
  | { kind: "admin"; accountHash: string; accountName: string }
  | { kind: "none" }
  | { kind: "former"; currentAdmin: string }
  | { kind: "managed" };

/** Whether `address` is the admin of the account its alias hash resolves to. */
export async function adminStatus(provider: Provider, contractAddress: string, address: string): Promise<AdminStatus> {
  const diamond = IAccountConfig__factory.connect(contractAddress, provider);
  const alias = chainSecuredAccountHash(address);
  if (!(await diamond.accountExistsAndIsMutable(alias))) return { kind: "none" };
  const account = await diamond.getAccount(alias);
  if (account.managed) return { kind: "managed" };
  if (account.adminWalletAddress.toLowerCase() !== address.toLowerCase()) {
    return { kind: "former", currentAdmin: account.adminWalletAddress };
  }
  return { kind: "admin", accountHash: alias, accountName: account.name };
}

/** Whether a wallet already owns, or once owned, an account (such a wallet cannot receive one). */
export async function walletHasAccount(provider: Provider, contractAddress: string, address: string): Promise<boolean> {
  const diamond = IAccountConfig__factory.connect(contractAddress, provider);
  return diamond.accountExistsAndIsMutable(chainSecuredAccountHash(address));
}
