/** What a client is constructed with (docs/sdk.md). */
import type { Signer } from "ethers";
import type { ClientMode } from "./types";

/** A fetch implementation (the global one by default). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export interface ClientOptions {
  /** The relayer, e.g. https://api.example.com (without /core/v1). */
  baseUrl: string;
  /**
   * Which transport carries the account operations, chosen once here: "api" (default) = HTTP to the
   * relayer's /core/v1 with an API key; "sovereign" = the diamond, called by the connected wallet
   * (ChainSecured).
   */
  mode?: ClientMode;
  /** API mode: the account (or usage) key sent as X-Api-Key. Sovereign mode: a usage key for litAction. */
  apiKey?: string;
  /** The AccountConfig diamond (default: contract_address of get_node_chain_config). */
  contractAddress?: string;
  /** RPC for reads when no signer with a provider is attached. */
  rpcUrl?: string;
  /** Sovereign mode: the admin wallet. API mode: only for reads through its provider. */
  signer?: Signer;
  /** Sovereign mode: the account hash used in contract calls (default: keccak256(abi.encodePacked(signer address))). */
  adminHashOverride?: string;
  fetch?: FetchLike;
}

/** The mutable part of a client: what setApiKey, connectSigner and setAdminHashOverride change. */
export interface Session {
  apiKey: string | undefined;
  signer: Signer | undefined;
  /** The account hash sovereign-mode contract calls name; undefined = the signer's alias. */
  adminHash: string | undefined;
}
