/**
 * The EIP-712 envelopes of the ChainSecured flows (http-api.md §4, seed 001): domain
 * {name "Lit ChainSecured", version "1", chainId}, struct [address address, issuedAt uint256],
 * primaryType per flow. Each signature is single-use on the server, so the signer here never
 * reuses an issuedAt for the same wallet and flow (the next one is at least one second later).
 */
import { type Signer, TypedDataEncoder, getAddress, solidityPackedKeccak256 } from "ethers";

export type ChainSecuredPrimaryType = "CreateWallet" | "ConvertAccount" | "AddUsageApiKey" | "BillingAuth";

export interface TypedDataField {
  name: string;
  type: string;
}

export interface ChainSecuredTypedData {
  types: Record<string, TypedDataField[]>;
  primaryType: ChainSecuredPrimaryType;
  domain: { name: string; version: string; chainId: number };
  message: { address: string; issuedAt: number };
}

export interface SignedTypedData {
  typed_data: ChainSecuredTypedData;
  signature: string;
}

export const CHAIN_SECURED_DOMAIN = { name: "Lit ChainSecured", version: "1" } as const;

const STRUCT: TypedDataField[] = [
  { name: "address", type: "address" },
  { name: "issuedAt", type: "uint256" },
];
const DOMAIN_TYPE: TypedDataField[] = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
];

/** The canonical envelope (types include EIP712Domain, as eth_signTypedData_v4 expects). */
export function chainSecuredTypedData(
  primaryType: ChainSecuredPrimaryType,
  address: string,
  chainId: number,
  issuedAt: number,
): ChainSecuredTypedData {
  return {
    types: { EIP712Domain: DOMAIN_TYPE.map((f) => ({ ...f })), [primaryType]: STRUCT.map((f) => ({ ...f })) },
    primaryType,
    domain: { ...CHAIN_SECURED_DOMAIN, chainId },
    message: { address: getAddress(address), issuedAt },
  };
}

/** The EIP-712 digest of an envelope (what an ERC-1271 wallet is asked about). */
export function chainSecuredDigest(data: ChainSecuredTypedData): string {
  return TypedDataEncoder.hash(data.domain, { [data.primaryType]: STRUCT }, data.message);
}

/** keccak256(abi.encodePacked(address)): a wallet's account hash (alias); the master of accounts it created. */
export function chainSecuredAccountHash(address: string): string {
  return solidityPackedKeccak256(["address"], [getAddress(address)]);
}

const lastIssuedAt = new Map<string, number>();

/** A fresh issuedAt for (address, flow): now, or one second after the previous one. */
export function freshIssuedAt(primaryType: ChainSecuredPrimaryType, address: string, nowSeconds?: number): number {
  const key = `${primaryType}:${address.toLowerCase()}`;
  const now = Math.floor(nowSeconds ?? Date.now() / 1000);
  const issuedAt = Math.max(now, (lastIssuedAt.get(key) ?? 0) + 1);
  lastIssuedAt.set(key, issuedAt);
  return issuedAt;
}

/**
 * Signs a ChainSecured envelope with `signer` (eth_signTypedData_v4). `address` defaults to the
 * signer's; pass a contract wallet's address to sign on its behalf (ERC-1271: the wallet's owner signs).
 */
export async function signChainSecured(
  signer: Signer,
  primaryType: ChainSecuredPrimaryType,
  chainId: number,
  options: { address?: string; issuedAt?: number } = {},
): Promise<SignedTypedData> {
  const address = options.address ?? (await signer.getAddress());
  const issuedAt = options.issuedAt ?? freshIssuedAt(primaryType, address);
  const typed = chainSecuredTypedData(primaryType, address, chainId, issuedAt);
  const signature = await signer.signTypedData(typed.domain, { [primaryType]: STRUCT }, typed.message);
  return { typed_data: typed, signature };
}

/** The X-Wallet-Auth header value: base64 of JSON {typed_data, signature} (BillingAuth). */
export async function walletAuthHeader(
  signer: Signer,
  chainId: number,
  options: { address?: string } = {},
): Promise<string> {
  const signed = await signChainSecured(signer, "BillingAuth", chainId, options);
  return btoa(JSON.stringify(signed)); // ASCII JSON: btoa is exact
}
