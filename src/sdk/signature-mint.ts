/**
 * The relayer's signature-minting endpoints (create_wallet_with_signature,
 * add_usage_api_key_with_signature): the admin wallet signs a fresh bound envelope, the relayer
 * derives the key material for the wallet's account (docs/wallet-signatures.md).
 */
import { chainSecuredHash } from "../core/hashing";
import type { DiamondConnection } from "./diamond-connection";
import { LitApiError } from "./errors";
import type { RelayerHttp } from "./relayer-http";
import { type ChainSecuredPrimaryType, signChainSecured } from "./typed-data";
import type { MintedUsageKeyResponse, MintedWalletResponse } from "./types";

const ENDPOINTS = {
  CreateWallet: "/create_wallet_with_signature",
  AddUsageApiKey: "/add_usage_api_key_with_signature",
} as const;

type Minted = { CreateWallet: MintedWalletResponse; AddUsageApiKey: MintedUsageKeyResponse };

/** How long a mint waits for the relayer's index to catch up with the chain, and how often it asks. */
export interface IndexWait {
  ms: number;
  pollMs: number;
}
const DEFAULT_INDEX_WAIT: IndexWait = { ms: 15_000, pollMs: 200 };

/**
 * POSTs a fresh signature to a minting endpoint. The relayer resolves the signer's account from
 * its index, which may lag the chain by a block or two right after newChainSecuredAccount, a
 * conversion or a transfer: when it answers 404/403 but the chain already shows the signer as the
 * admin, the call is retried (with a new signature) for up to `wait.ms`.
 */
export async function mintWithSignature<K extends keyof typeof ENDPOINTS>(
  relayer: RelayerHttp,
  diamond: DiamondConnection,
  primaryType: K & ChainSecuredPrimaryType,
  wait: IndexWait = DEFAULT_INDEX_WAIT,
): Promise<Minted[K]> {
  const path = ENDPOINTS[primaryType];
  const signer = diamond.requireSigner(path.slice(1));
  const binding = await diamond.signatureBinding();
  const deadline = Date.now() + wait.ms;
  for (;;) {
    const signed = await signChainSecured(signer, primaryType, binding);
    try {
      return await relayer.post<Minted[K]>(
        path,
        { wallet_address: signed.typed_data.message.address, ...signed },
        { auth: false },
      );
    } catch (e) {
      const lagging =
        e instanceof LitApiError &&
        (e.errorName === "AccountDoesNotExist" || e.errorName === "NoAccountAccess") &&
        Date.now() < deadline &&
        (await isAdminOnChain(diamond, signed.typed_data.message.address));
      if (!lagging) throw e;
      await new Promise((resolve) => setTimeout(resolve, wait.pollMs));
    }
  }
}

/** Whether `address` is the admin of the account its alias resolves to, on-chain. */
async function isAdminOnChain(diamond: DiamondConnection, address: string): Promise<boolean> {
  try {
    const reader = await diamond.reader();
    const alias = chainSecuredHash(address);
    if (!(await reader.accountExists(alias))) return false;
    return (await reader.getAccount(alias)).adminWalletAddress.toLowerCase() === address.toLowerCase();
  } catch {
    return false;
  }
}
