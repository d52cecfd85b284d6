/**
 * The one client interface (docs/sdk.md "Transports"): every account operation, with the same
 * request and result shapes whichever way it travels. Two implementations, chosen once when a
 * client is constructed: HttpTransport (transport-http.ts: the relayer's /core/v1 with an API key)
 * and DiamondTransport (transport-diamond.ts: the wallet calls the diamond, ChainSecured).
 * test/sdk/account-operations.spec.ts is the behaviour both must show.
 */
import type { Signer } from "ethers";
import type {
  AddActionRequest,
  AddGroupRequest,
  AddGroupResponse,
  AddUsageApiKeyResponse,
  ApiKeyItem,
  ClientMode,
  ConvertResponse,
  CreateWalletRequest,
  CreateWalletResponse,
  MetadataItem,
  MintedUsageKeyResponse,
  MintedWalletResponse,
  NewChainSecuredAccountRequest,
  NewChainSecuredAccountResponse,
  Pagination,
  SuccessResponse,
  TransferOwnershipResponse,
  UpdateGroupRequest,
  UpdateUsageApiKeyRequest,
  UsageKeyPermissions,
  WalletItem,
} from "./types";

/** The operations on an account's groups, actions, wallets and usage keys. */
export interface AccountOperations {
  /**
   * HTTP: whether the key resolves to an account. Diamond: whether the connected wallet administers
   * the account now (accountExistsAndIsMutable, asked as the wallet).
   */
  accountExists(): Promise<boolean>;

  addUsageApiKey(request: UsageKeyPermissions): Promise<AddUsageApiKeyResponse>;
  updateUsageApiKey(request: UpdateUsageApiKeyRequest): Promise<SuccessResponse>;
  updateUsageApiKeyMetadata(request: { usageApiKey: string; name: string; description: string }): Promise<SuccessResponse>;
  removeUsageApiKey(request: { usageApiKey: string }): Promise<SuccessResponse>;
  listApiKeys(page: Pagination): Promise<ApiKeyItem[]>;

  createWallet(request?: CreateWalletRequest): Promise<CreateWalletResponse>;
  listWallets(page: Pagination): Promise<WalletItem[]>;
  listWalletsInGroup(request: Pagination & { groupId: number }): Promise<WalletItem[]>;

  addGroup(request: AddGroupRequest): Promise<AddGroupResponse>;
  updateGroup(request: UpdateGroupRequest): Promise<SuccessResponse>;
  removeGroup(request: { groupId: number | string }): Promise<SuccessResponse>;
  listGroups(page: Pagination): Promise<MetadataItem[]>;

  addAction(request: AddActionRequest): Promise<SuccessResponse>;
  deleteAction(request: { hashedCid: string }): Promise<SuccessResponse>;
  updateActionMetadata(request: { hashedCid: string; name: string; description: string }): Promise<SuccessResponse>;
  addActionToGroup(request: { groupId: number; actionIpfsCid: string }): Promise<SuccessResponse>;
  removeActionFromGroup(request: { groupId: number; hashedCid: string }): Promise<SuccessResponse>;
  listActions(request: Pagination & { groupId?: number }): Promise<MetadataItem[]>;

  addPkpToGroup(request: { groupId: number; pkpId: string }): Promise<SuccessResponse>;
  removePkpFromGroup(request: { groupId: number; pkpId: string }): Promise<SuccessResponse>;
}

/**
 * Ownership operations: converting an API-mode account (HTTP only) and what only the admin wallet
 * of a ChainSecured account does (diamond only). The transport that cannot carry one throws
 * ModeError naming the mode it needs, before anything is signed or sent.
 */
export interface OwnershipOperations {
  convertToChainSecuredAccount(request: {
    signer: Signer;
    apiKey?: string;
    chainId?: number;
    walletAddress?: string;
  }): Promise<ConvertResponse>;
  newChainSecuredAccount(request: NewChainSecuredAccountRequest): Promise<NewChainSecuredAccountResponse>;
  reclaimAddressAlias(): Promise<SuccessResponse>;
  transferChainSecuredAccountOwnership(request: { newAdminWalletAddress: string }): Promise<TransferOwnershipResponse>;
  mintWalletWithSignature(): Promise<MintedWalletResponse>;
  mintUsageApiKeyWithSignature(): Promise<MintedUsageKeyResponse>;
}

/** A transport: the account and ownership operations, and how billing calls authenticate. */
export interface AccountTransport extends AccountOperations, OwnershipOperations {
  /** "api" for HTTP, "sovereign" for the diamond (the client's `mode`). */
  readonly mode: ClientMode;
  /** Extra headers for the relayer's billing endpoints (X-Wallet-Auth for a wallet session). */
  billingHeaders(): Promise<Record<string, string>>;
}
