/**
 * The injected EIP-1193 wallet (window.ethereum): connecting, the chain it is on, switching chains
 * and its events.
 */
import { getAddress } from "ethers";

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown>;
  on?(event: string, listener: (payload: unknown) => void): void;
  removeListener?(event: string, listener: (payload: unknown) => void): void;
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

/** An EIP-1193 / wallet error: 4001 rejected by the user, 4902 unknown chain, ... */
export class WalletError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
    this.name = "WalletError";
  }
}

export const NO_WALLET_MESSAGE =
  "No browser wallet found. Install an EIP-1193 wallet (for example MetaMask or Rabby) and reload this page.";

export function injectedWallet(): Eip1193Provider | null {
  return window.ethereum ?? null;
}

export function requireWallet(): Eip1193Provider {
  const eth = injectedWallet();
  if (eth === null) throw new WalletError(NO_WALLET_MESSAGE, null);
  return eth;
}

function asWalletError(e: unknown): unknown {
  if (typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "number") {
    const { code, message } = e as { code: number; message?: unknown };
    return new WalletError(typeof message === "string" ? message : `wallet error ${code}`, code);
  }
  return e;
}

async function call(eth: Eip1193Provider, method: string, params?: unknown[]): Promise<unknown> {
  try {
    return await eth.request(params === undefined ? { method } : { method, params });
  } catch (e) {
    throw asWalletError(e);
  }
}

/** Asks the wallet to connect (it may show a prompt); returns the selected account, checksummed. */
export async function connectWallet(eth: Eip1193Provider): Promise<string> {
  const accounts = await call(eth, "eth_requestAccounts");
  if (!Array.isArray(accounts) || typeof accounts[0] !== "string") {
    throw new WalletError("the wallet returned no account", null);
  }
  return getAddress(accounts[0]);
}

/** The connected account without prompting, or null. */
export async function connectedAccount(eth: Eip1193Provider): Promise<string | null> {
  const accounts = await call(eth, "eth_accounts");
  return Array.isArray(accounts) && typeof accounts[0] === "string" ? getAddress(accounts[0]) : null;
}

export async function walletChainId(eth: Eip1193Provider): Promise<number> {
  return Number(BigInt(String(await call(eth, "eth_chainId"))));
}

/** wallet_switchEthereumChain; a wallet that does not know the chain answers 4902. */
export async function switchChain(eth: Eip1193Provider, chainId: number): Promise<void> {
  await call(eth, "wallet_switchEthereumChain", [{ chainId: `0x${chainId.toString(16)}` }]);
}

/** Subscribes to a wallet event; returns the unsubscribe function. */
export function onWalletEvent(eth: Eip1193Provider, event: string, listener: (payload: unknown) => void): () => void {
  eth.on?.(event, listener);
  return () => eth.removeListener?.(event, listener);
}
