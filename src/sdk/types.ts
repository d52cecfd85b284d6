/**
 * Request and response shapes of the SDK. Requests are camelCase; responses keep the relayer's
 * wire names (snake_case), as the hosted Core SDK returns them.
 */
import type { LitActionClientConfig, UsageKeyPermissionsInput } from "../core/api-types";

export type ClientMode = "api" | "sovereign";

export interface Pagination {
  pageNumber: number;
  pageSize: number;
}

export interface NewAccountRequest {
  accountName: string;
  accountDescription: string;
  email?: string;
}
export interface NewAccountResponse {
  api_key: string;
  wallet_address: string;
}

/** A usage key's name and complete permission set. */
export type UsageKeyPermissions = UsageKeyPermissionsInput;

export interface AddUsageApiKeyResponse {
  success: true;
  /** The new key, shown once. */
  usage_api_key: string;
  /** Sovereign mode: the wallet minted with the key and registered to the account. */
  wallet_address?: string;
  derivation_path?: string;
  transaction_hashes?: string[];
}

export interface UpdateUsageApiKeyRequest extends UsageKeyPermissions {
  /** The key text, or its hash (`0x` + 64 hex). */
  usageApiKey: string;
}

export interface ApiKeyItem {
  id: string;
  api_key_hash: string;
  name: string;
  description: string;
  expiration: string;
  balance: number;
  can_create_groups: boolean;
  can_delete_groups: boolean;
  can_create_pkps: boolean;
  can_manage_ipfs_ids_in_groups: number[];
  can_add_pkp_to_groups: number[];
  can_remove_pkp_from_groups: number[];
  can_execute_in_groups: number[];
}

export interface WalletItem {
  id: string;
  name: string;
  description: string;
  wallet_address: string;
}

export interface MetadataItem {
  id: string;
  name: string;
  description: string;
}

export interface CreateWalletRequest {
  name?: string;
  description?: string;
}
export interface CreateWalletResponse {
  wallet_address: string;
  /** Sovereign mode: the derivation registered on-chain (0x hex). */
  derivation_path?: string;
  transaction_hash?: string;
}

export interface AddGroupRequest {
  groupName: string;
  groupDescription: string;
  /** Wallet addresses; the zero address = every wallet. */
  pkpIdsPermitted: string[];
  /** Hashed CIDs (0x hex); "0" = every action. */
  cidHashesPermitted: string[];
}
export interface AddGroupResponse {
  success: true;
  group_id: string;
  transaction_hash?: string;
}

export interface UpdateGroupRequest {
  groupId: number | string;
  name: string;
  description: string;
  pkpIdsPermitted?: string[];
  cidHashesPermitted?: string[];
}

export interface SuccessResponse {
  success: true;
  /** Sovereign mode: the transaction that made the change. */
  transaction_hash?: string;
}

export interface AddActionRequest {
  actionIpfsCid: string;
  name: string;
  description: string;
}

export interface LitActionRequest {
  code?: string;
  ipfsId?: string;
  jsParams?: unknown;
}
export interface LitActionResponse {
  response: unknown;
  logs: string;
  has_error: boolean;
}

export interface NodeChainConfig {
  chain_name: string;
  chain_id: number;
  is_evm: boolean;
  testnet: boolean;
  token: string;
  contract_address: string;
}

export type { LitActionClientConfig };

export interface VersionInfo {
  name: string;
  version: string;
  commit_version: string;
  submodule_versions: [string, string][];
}

export interface StripeConfig {
  publishable_key: string;
  /** This relayer's payment provider: "dev" = local test payments (no real money), "stripe" = cards via Stripe.js. Absent on the hosted service. */
  provider?: "dev" | "stripe";
}
export interface BillingBalance {
  /** Negative = credit (the hosted service's convention). */
  balance_cents: number;
  /** "No credits" or "$X.YY credit". */
  balance_display: string;
}
export interface ConfirmPaymentResponse {
  success: true;
  /** true when an earlier call credited this intent (nothing was added now). */
  already_credited?: boolean;
  credited_cents?: number;
}
export interface PaymentIntent {
  client_secret: string;
  payment_intent_id: string;
}

export interface NewChainSecuredAccountRequest {
  accountName: string;
  accountDescription: string;
}
export interface NewChainSecuredAccountResponse {
  wallet_address: string;
  /** keccak256(abi.encodePacked(wallet)): the account's master hash. */
  api_key_hash: string;
  transaction_hash: string;
}

export interface ConvertResponse {
  success: true;
  wallet_address: string;
  /** The account's preserved master hash. */
  api_key_hash: string;
}

export interface TransferOwnershipResponse {
  previous_admin: string;
  new_admin: string;
  /** The account's master hash. */
  api_key_hash: string;
  transaction_hash: string;
}

export interface MintedWalletResponse {
  wallet_address: string;
  derivation_path: string;
}
export interface MintedUsageKeyResponse extends MintedWalletResponse {
  usage_api_key: string;
}
