/**
 * The typed Core SDK: `accountconfig/sdk`.
 *
 *   import { createClient, LitNodeSimpleApiClient, LitApiError, ContractRevertError } from "accountconfig/sdk";
 */
export { LitNodeSimpleApiClient, createClient, type ClientOptions, type FetchLike } from "./client";
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
export type * from "./types";
