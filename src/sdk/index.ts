/**
 * The typed Core SDK: `accountconfig/sdk` (docs/sdk.md).
 *
 *   import { createClient, LitNodeSimpleApiClient, LitApiError, ContractRevertError } from "accountconfig/sdk";
 */
export { LitNodeSimpleApiClient, createClient, createConnection, transportFor, type Connection } from "./client";
export type { ClientOptions, FetchLike, Session } from "./options";
export type { AccountOperations, AccountTransport, OwnershipOperations } from "./transport";
export { HttpTransport } from "./transport-http";
export { DiamondTransport } from "./transport-diamond";
export { ContractRevertError, LitApiError, LitSdkError, LitUsageError, ModeError } from "./errors";
export {
  CHAIN_SECURED_DOMAIN,
  chainSecuredAccountHash,
  chainSecuredDigest,
  chainSecuredTypedData,
  freshIssuedAt,
  signChainSecured,
  walletAuthHeader,
  type ChainSecuredBinding,
  type ChainSecuredPrimaryType,
  type ChainSecuredTypedData,
  type SignedTypedData,
  type TypedDataField,
} from "./typed-data";
/** The hashing helpers of src/core (docs/hashing.md), for apps that name keys, wallets and actions by hash. */
export {
  apiKeyHash,
  apiKeyTextHash,
  chainSecuredHash,
  cidHash,
  cidTextHash,
  isHash32,
  toHash32,
  type Hash32,
} from "../core/hashing";
export type * from "./types";
