/**
 * The EIP-712 envelopes of the ChainSecured flows, in the bound format only (docs/wallet-signatures.md):
 * domain {name "Lit ChainSecured", version "2", chainId, verifyingContract: the AccountConfig
 * diamond}, struct [address address, issuedAt uint256] per primaryType, except ConvertAccount:
 * [address address, apiKeyHash bytes32, issuedAt uint256] with the converted account's master hash.
 * A signature made here is therefore valid for one diamond and, for a conversion, one account.
 * (Relayers also accept the hosted format without verifyingContract for older clients; this SDK
 * never produces it.) Each signature is single-use on the server, so the signer here never reuses
 * an issuedAt for the same wallet and flow (the next one is at least one second later).
 */
import { type Signer, TypedDataEncoder, getAddress } from "ethers";
import { type Hash32, chainSecuredHash, isHash32 } from "../core/hashing";
import { LitUsageError } from "./errors";

export type ChainSecuredPrimaryType = "CreateWallet" | "ConvertAccount" | "AddUsageApiKey" | "BillingAuth";

export interface TypedDataField {
  name: string;
  type: string;
}

/** What a signature is bound to: the chain and the diamond, and for ConvertAccount the account. */
export interface ChainSecuredBinding {
  chainId: number;
  /** The AccountConfig diamond (`contract_address` of get_node_chain_config). */
  verifyingContract: string;
  /** ConvertAccount only (required there): the master hash of the account being converted, keccak256(utf8(api key)). */
  apiKeyHash?: Hash32;
}

export interface ChainSecuredTypedData {
  types: Record<string, TypedDataField[]>;
  primaryType: ChainSecuredPrimaryType;
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  message: { address: string; apiKeyHash?: string; issuedAt: number };
}

export interface SignedTypedData {
  typed_data: ChainSecuredTypedData;
  signature: string;
}

/** Name and version of the bound domain (version "1" is the hosted format, which this SDK does not sign). */
export const CHAIN_SECURED_DOMAIN = { name: "Lit ChainSecured", version: "2" } as const;

const DOMAIN_TYPE: TypedDataField[] = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
];
const STRUCT: TypedDataField[] = [
  { name: "address", type: "address" },
  { name: "issuedAt", type: "uint256" },
];
const CONVERT_STRUCT: TypedDataField[] = [
  { name: "address", type: "address" },
  { name: "apiKeyHash", type: "bytes32" },
  { name: "issuedAt", type: "uint256" },
];

const structOf = (primaryType: ChainSecuredPrimaryType): TypedDataField[] =>
  (primaryType === "ConvertAccount" ? CONVERT_STRUCT : STRUCT).map((f) => ({ ...f }));

function checkedBinding(primaryType: ChainSecuredPrimaryType, binding: ChainSecuredBinding): ChainSecuredBinding {
  if (typeof binding !== "object" || binding === null)
    throw new LitUsageError("signature binding: expected {chainId, verifyingContract[, apiKeyHash]}");
  if (!Number.isSafeInteger(binding.chainId) || binding.chainId <= 0)
    throw new LitUsageError(`signature binding: chainId must be a positive integer, got ${String(binding.chainId)}`);
  let verifyingContract: string;
  try {
    verifyingContract = getAddress(binding.verifyingContract);
  } catch {
    throw new LitUsageError(`signature binding: verifyingContract is not an address: ${String(binding.verifyingContract)}`);
  }
  if (primaryType === "ConvertAccount") {
    if (typeof binding.apiKeyHash !== "string" || !isHash32(binding.apiKeyHash))
      throw new LitUsageError("signature binding: ConvertAccount needs apiKeyHash, the converted account's 0x 32-byte master hash");
    return { chainId: binding.chainId, verifyingContract, apiKeyHash: binding.apiKeyHash.toLowerCase() };
  }
  if (binding.apiKeyHash !== undefined)
    throw new LitUsageError(`signature binding: apiKeyHash belongs to ConvertAccount only, not ${primaryType}`);
  return { chainId: binding.chainId, verifyingContract };
}

/** The canonical bound envelope (types include EIP712Domain, as eth_signTypedData_v4 expects). */
export function chainSecuredTypedData(
  primaryType: ChainSecuredPrimaryType,
  address: string,
  binding: ChainSecuredBinding,
  issuedAt: number,
): ChainSecuredTypedData {
  const b = checkedBinding(primaryType, binding);
  return {
    types: { EIP712Domain: DOMAIN_TYPE.map((f) => ({ ...f })), [primaryType]: structOf(primaryType) },
    primaryType,
    domain: { ...CHAIN_SECURED_DOMAIN, chainId: b.chainId, verifyingContract: b.verifyingContract },
    message:
      b.apiKeyHash === undefined
        ? { address: getAddress(address), issuedAt }
        : { address: getAddress(address), apiKeyHash: b.apiKeyHash, issuedAt },
  };
}

/** The EIP-712 digest of an envelope (what an ERC-1271 wallet is asked about). */
export function chainSecuredDigest(data: ChainSecuredTypedData): string {
  return TypedDataEncoder.hash(data.domain, { [data.primaryType]: structOf(data.primaryType) }, data.message);
}

/**
 * keccak256(abi.encodePacked(address)): a wallet's account hash (alias); the master of accounts it created.
 * @deprecated The same function as `chainSecuredHash` (src/core/hashing, also exported by the SDK); kept for existing apps.
 */
export const chainSecuredAccountHash: (address: string) => Hash32 = chainSecuredHash;

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
 * Signs a bound ChainSecured envelope with `signer` (eth_signTypedData_v4). `address` defaults to
 * the signer's; pass a contract wallet's address to sign on its behalf (ERC-1271: the wallet's owner signs).
 */
export async function signChainSecured(
  signer: Signer,
  primaryType: ChainSecuredPrimaryType,
  binding: ChainSecuredBinding,
  options: { address?: string; issuedAt?: number } = {},
): Promise<SignedTypedData> {
  const address = options.address ?? (await signer.getAddress());
  checkedBinding(primaryType, binding); // a bad binding throws before an issuedAt is taken
  const issuedAt = options.issuedAt ?? freshIssuedAt(primaryType, address);
  const typed = chainSecuredTypedData(primaryType, address, binding, issuedAt);
  const signature = await signer.signTypedData(typed.domain, { [primaryType]: structOf(primaryType) }, typed.message);
  return { typed_data: typed, signature };
}

/** The X-Wallet-Auth header value: base64 of JSON {typed_data, signature} (BillingAuth, bound). */
export async function walletAuthHeader(
  signer: Signer,
  binding: ChainSecuredBinding,
  options: { address?: string } = {},
): Promise<string> {
  const signed = await signChainSecured(signer, "BillingAuth", binding, options);
  return btoa(JSON.stringify(signed)); // ASCII JSON: btoa is exact
}
