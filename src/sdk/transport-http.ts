/**
 * The HTTP transport (docs/sdk.md "Transports"): every account operation is one request to the
 * relayer's /core/v1, authenticated by the session's API key (X-Api-Key); the relayer sends the
 * transaction from its payers. Also the conversion of an API-mode account to ChainSecured, signed
 * by the new admin wallet. The ChainSecured admin operations are not available here (ModeError).
 */
import type { Signer } from "ethers";
import { apiKeyTextHash } from "../core/hashing";
import { LitUsageError, ModeError } from "./errors";
import type { Session } from "./options";
import type { RelayerHttp } from "./relayer-http";
import type { AccountTransport } from "./transport";
import type { DiamondConnection } from "./diamond-connection";
import { signChainSecured } from "./typed-data";
import type * as types from "./types";
import { pageQuery, usageKeyBody } from "./wire";

export class HttpTransport implements AccountTransport {
  readonly mode = "api" as const;

  constructor(
    private readonly relayer: RelayerHttp,
    private readonly session: Session,
    /** For the conversion's signature binding (chain and diamond). */
    private readonly diamond: DiamondConnection,
  ) {}

  accountExists(): Promise<boolean> {
    return this.relayer.get("/account_exists");
  }

  addUsageApiKey(request: types.UsageKeyPermissions): Promise<types.AddUsageApiKeyResponse> {
    return this.relayer.post("/add_usage_api_key", usageKeyBody(request));
  }

  updateUsageApiKey(request: types.UpdateUsageApiKeyRequest): Promise<types.SuccessResponse> {
    return this.relayer.post("/update_usage_api_key", { ...usageKeyBody(request), usage_api_key: request.usageApiKey });
  }

  updateUsageApiKeyMetadata(request: { usageApiKey: string; name: string; description: string }): Promise<types.SuccessResponse> {
    return this.relayer.post("/update_usage_api_key_metadata", {
      usage_api_key: request.usageApiKey,
      name: request.name,
      description: request.description,
    });
  }

  removeUsageApiKey(request: { usageApiKey: string }): Promise<types.SuccessResponse> {
    return this.relayer.post("/remove_usage_api_key", { usage_api_key: request.usageApiKey });
  }

  listApiKeys(page: types.Pagination): Promise<types.ApiKeyItem[]> {
    return this.relayer.get(`/list_api_keys?${pageQuery(page)}`);
  }

  /** GET /create_wallet: the relayer mints and registers the wallet (name and description are not sent). */
  createWallet(): Promise<types.CreateWalletResponse> {
    return this.relayer.get("/create_wallet");
  }

  listWallets(page: types.Pagination): Promise<types.WalletItem[]> {
    return this.relayer.get(`/list_wallets?${pageQuery(page)}`);
  }

  listWalletsInGroup(request: types.Pagination & { groupId: number }): Promise<types.WalletItem[]> {
    return this.relayer.get(`/list_wallets_in_group?group_id=${request.groupId}&${pageQuery(request)}`);
  }

  addGroup(request: types.AddGroupRequest): Promise<types.AddGroupResponse> {
    return this.relayer.post("/add_group", {
      group_name: request.groupName,
      group_description: request.groupDescription,
      pkp_ids_permitted: request.pkpIdsPermitted,
      cid_hashes_permitted: request.cidHashesPermitted,
    });
  }

  updateGroup(request: types.UpdateGroupRequest): Promise<types.SuccessResponse> {
    return this.relayer.post("/update_group", {
      group_id: Number(request.groupId),
      name: request.name,
      description: request.description,
      pkp_ids_permitted: request.pkpIdsPermitted ?? [],
      cid_hashes_permitted: request.cidHashesPermitted ?? [],
    });
  }

  removeGroup(request: { groupId: number | string }): Promise<types.SuccessResponse> {
    return this.relayer.post("/remove_group", { group_id: String(request.groupId) });
  }

  listGroups(page: types.Pagination): Promise<types.MetadataItem[]> {
    return this.relayer.get(`/list_groups?${pageQuery(page)}`);
  }

  addAction(request: types.AddActionRequest): Promise<types.SuccessResponse> {
    return this.relayer.post("/add_action", {
      action_ipfs_cid: request.actionIpfsCid,
      name: request.name,
      description: request.description,
    });
  }

  deleteAction(request: { hashedCid: string }): Promise<types.SuccessResponse> {
    return this.relayer.post("/delete_action", { hashed_cid: request.hashedCid });
  }

  updateActionMetadata(request: { hashedCid: string; name: string; description: string }): Promise<types.SuccessResponse> {
    return this.relayer.post("/update_action_metadata", {
      hashed_cid: request.hashedCid,
      name: request.name,
      description: request.description,
    });
  }

  addActionToGroup(request: { groupId: number; actionIpfsCid: string }): Promise<types.SuccessResponse> {
    return this.relayer.post("/add_action_to_group", { group_id: request.groupId, action_ipfs_cid: request.actionIpfsCid });
  }

  removeActionFromGroup(request: { groupId: number; hashedCid: string }): Promise<types.SuccessResponse> {
    return this.relayer.post("/remove_action_from_group", { group_id: request.groupId, hashed_cid: request.hashedCid });
  }

  listActions(request: types.Pagination & { groupId?: number }): Promise<types.MetadataItem[]> {
    const group = request.groupId === undefined ? "" : `group_id=${request.groupId}&`;
    return this.relayer.get(`/list_actions?${group}${pageQuery(request)}`);
  }

  addPkpToGroup(request: { groupId: number; pkpId: string }): Promise<types.SuccessResponse> {
    return this.relayer.post("/add_pkp_to_group", { group_id: request.groupId, pkp_id: request.pkpId });
  }

  removePkpFromGroup(request: { groupId: number; pkpId: string }): Promise<types.SuccessResponse> {
    return this.relayer.post("/remove_pkp_from_group", { group_id: request.groupId, pkp_id: request.pkpId });
  }

  /**
   * Converts the account of `apiKey` (default: the session's key) to ChainSecured, with `signer`
   * proving ownership of the new admin wallet (ConvertAccount, bound to this diamond and to the
   * account's master hash, so an intercepted signature converts nothing else). `walletAddress`
   * names a contract wallet (ERC-1271) on whose behalf `signer` signs.
   */
  async convertToChainSecuredAccount(request: {
    signer: Signer;
    apiKey?: string;
    chainId?: number;
    walletAddress?: string;
  }): Promise<types.ConvertResponse> {
    const apiKey = request.apiKey ?? this.session.apiKey;
    if (apiKey === undefined || apiKey.trim() === "")
      throw new LitUsageError("convertToChainSecuredAccount: the account's master API key is required");
    // The account's master hash, as the relayer hashes the X-Api-Key it is sent (trimmed, as text).
    const binding = await this.diamond.signatureBinding(request.chainId, apiKeyTextHash(apiKey.trim()));
    const signed = await signChainSecured(request.signer, "ConvertAccount", binding, { address: request.walletAddress });
    return this.relayer.post(
      "/convert_to_chain_secured_account",
      { new_admin_wallet_address: signed.typed_data.message.address, ...signed },
      { apiKey },
    );
  }

  newChainSecuredAccount(): Promise<types.NewChainSecuredAccountResponse> {
    return Promise.reject(sovereignOnly("newChainSecuredAccount"));
  }
  reclaimAddressAlias(): Promise<types.SuccessResponse> {
    return Promise.reject(sovereignOnly("reclaimAddressAlias"));
  }
  transferChainSecuredAccountOwnership(): Promise<types.TransferOwnershipResponse> {
    return Promise.reject(sovereignOnly("transferChainSecuredAccountOwnership"));
  }
  mintWalletWithSignature(): Promise<types.MintedWalletResponse> {
    return Promise.reject(sovereignOnly("mintWalletWithSignature"));
  }
  mintUsageApiKeyWithSignature(): Promise<types.MintedUsageKeyResponse> {
    return Promise.reject(sovereignOnly("mintUsageApiKeyWithSignature"));
  }

  /** Billing calls carry the session's API key like every other call. */
  async billingHeaders(): Promise<Record<string, string>> {
    return {};
  }
}

const sovereignOnly = (operation: string) => new ModeError(operation, "api", "sovereign");
