/**
 * The diamond (wallet) transport (docs/sdk.md "Transports"): for a ChainSecured account the
 * connected wallet is the admin, so views are read from the AccountConfig diamond and writes are
 * transactions the wallet signs and pays for; new key material (wallets, usage keys) is minted by
 * the relayer against a wallet signature and then registered on-chain by the wallet. Results have
 * the relayer's shapes, so code written against one transport runs against the other. Converting
 * an API-mode account is not available here (ModeError).
 */
import { ZeroAddress } from "ethers";
import { apiKeyTextHash, chainSecuredHash, toHash32 } from "../core/hashing";
import { type DiamondConnection, eventIn } from "./diamond-connection";
import { LitSdkError, LitUsageError, ModeError } from "./errors";
import type { Session } from "./options";
import type { RelayerHttp } from "./relayer-http";
import { mintWithSignature } from "./signature-mint";
import type { AccountTransport } from "./transport";
import { walletAuthHeader } from "./typed-data";
import type * as types from "./types";
import {
  addressArg,
  apiKeyItemOf,
  metadataItemOf,
  permissionArgs,
  rawCidHash,
  uintArg,
  usageKeyRefHash,
  walletItemOf,
} from "./wire";

export class DiamondTransport implements AccountTransport {
  readonly mode = "sovereign" as const;

  constructor(
    private readonly relayer: RelayerHttp,
    private readonly session: Session,
    private readonly diamond: DiamondConnection,
  ) {}

  /** Whether the connected wallet administers the account now (accountExistsAndIsMutable answers for its caller). */
  async accountExists(): Promise<boolean> {
    const account = await this.diamond.adminHash();
    return (await this.diamond.readerAsSigner()).accountExistsAndIsMutable(BigInt(account));
  }

  /** Mints a key and wallet (add_usage_api_key_with_signature), registers the wallet, then attaches the key. */
  async addUsageApiKey(request: types.UsageKeyPermissions): Promise<types.AddUsageApiKeyResponse> {
    const account = await this.diamond.adminHash();
    const minted = await mintWithSignature(this.relayer, this.diamond, "AddUsageApiKey");
    const registered = await this.diamond.tx("registerWalletDerivation", (c) =>
      c.registerWalletDerivation(
        account,
        minted.wallet_address,
        BigInt(minted.derivation_path),
        request.name,
        request.description,
      ),
    );
    const usageHash = apiKeyTextHash(minted.usage_api_key);
    const set = await this.diamond.tx("setUsageApiKey", (c) =>
      c.setUsageApiKey(account, usageHash, ...permissionArgs(request, 0n)),
    );
    return {
      success: true,
      usage_api_key: minted.usage_api_key,
      wallet_address: minted.wallet_address,
      derivation_path: minted.derivation_path,
      transaction_hashes: [registered.transaction_hash ?? "", set.transaction_hash ?? ""],
    };
  }

  /** Replaces the key's permissions and keeps its balance (setUsageApiKey writes both). */
  async updateUsageApiKey(request: types.UpdateUsageApiKeyRequest): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const usageHash = usageKeyRefHash("usageApiKey", request.usageApiKey);
    const existing = await (await this.diamond.reader()).getUsageApiKey(account, usageHash);
    return this.diamond.tx("setUsageApiKey", (c) =>
      c.setUsageApiKey(account, usageHash, ...permissionArgs(request, existing.balance)),
    );
  }

  async updateUsageApiKeyMetadata(request: {
    usageApiKey: string;
    name: string;
    description: string;
  }): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const usageHash = usageKeyRefHash("usageApiKey", request.usageApiKey);
    return this.diamond.tx("updateUsageApiKeyMetadata", (c) =>
      c.updateUsageApiKeyMetadata(account, usageHash, request.name, request.description),
    );
  }

  async removeUsageApiKey(request: { usageApiKey: string }): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const usageHash = usageKeyRefHash("usageApiKey", request.usageApiKey);
    return this.diamond.tx("removeUsageApiKey", (c) => c.removeUsageApiKey(account, usageHash));
  }

  async listApiKeys(page: types.Pagination): Promise<types.ApiKeyItem[]> {
    const account = await this.diamond.adminHash();
    const rows = await (await this.diamond.reader()).listApiKeys(account, page.pageNumber, page.pageSize);
    return rows.map(apiKeyItemOf);
  }

  /** Mints a wallet (create_wallet_with_signature), then registers its derivation from the admin wallet. */
  async createWallet(request: types.CreateWalletRequest = {}): Promise<types.CreateWalletResponse> {
    const account = await this.diamond.adminHash();
    const minted = await mintWithSignature(this.relayer, this.diamond, "CreateWallet");
    const registered = await this.diamond.tx("registerWalletDerivation", (c) =>
      c.registerWalletDerivation(
        account,
        minted.wallet_address,
        BigInt(minted.derivation_path),
        request.name ?? "Wallet",
        request.description ?? "",
      ),
    );
    return { ...minted, transaction_hash: registered.transaction_hash };
  }

  async listWallets(page: types.Pagination): Promise<types.WalletItem[]> {
    const account = await this.diamond.adminHash();
    const rows = await (await this.diamond.reader()).listPkps(account, page.pageNumber, page.pageSize);
    return rows.map(walletItemOf);
  }

  async listWalletsInGroup(request: types.Pagination & { groupId: number }): Promise<types.WalletItem[]> {
    const account = await this.diamond.adminHash();
    const group = uintArg("groupId", request.groupId);
    const reader = await this.diamond.reader();
    return (await reader.listWalletsInGroup(account, group, request.pageNumber, request.pageSize)).map(walletItemOf);
  }

  /** Adds the group; its id comes from the GroupAdded event of the receipt. */
  async addGroup(request: types.AddGroupRequest): Promise<types.AddGroupResponse> {
    const account = await this.diamond.adminHash();
    const cids = request.cidHashesPermitted.map((h, i) => uintArg(`cidHashesPermitted[${i}]`, h));
    const pkps = request.pkpIdsPermitted.map((p, i) => addressArg(`pkpIdsPermitted[${i}]`, p));
    const receipt = await this.diamond.send("addGroup", (c) =>
      c.addGroup(account, request.groupName, request.groupDescription, cids, pkps),
    );
    const event = eventIn(receipt, "GroupAdded");
    if (event === null) throw new LitSdkError("addGroup: no GroupAdded event in the receipt");
    return { success: true, group_id: (event.args.groupId as bigint).toString(), transaction_hash: receipt.hash };
  }

  async updateGroup(request: types.UpdateGroupRequest): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const group = uintArg("groupId", request.groupId);
    const cids = (request.cidHashesPermitted ?? []).map((h, i) => uintArg(`cidHashesPermitted[${i}]`, h));
    const pkps = (request.pkpIdsPermitted ?? []).map((p, i) => addressArg(`pkpIdsPermitted[${i}]`, p));
    return this.diamond.tx("updateGroup", (c) =>
      c.updateGroup(account, group, request.name, request.description, cids, pkps),
    );
  }

  async removeGroup(request: { groupId: number | string }): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const group = uintArg("groupId", request.groupId);
    return this.diamond.tx("removeGroup", (c) => c.removeGroup(account, group));
  }

  async listGroups(page: types.Pagination): Promise<types.MetadataItem[]> {
    const account = await this.diamond.adminHash();
    const rows = await (await this.diamond.reader()).listGroups(account, page.pageNumber, page.pageSize);
    return rows.map(metadataItemOf);
  }

  async addAction(request: types.AddActionRequest): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const cid = rawCidHash("actionIpfsCid", request.actionIpfsCid);
    return this.diamond.tx("addAction", (c) => c.addAction(account, request.name, request.description, cid));
  }

  async deleteAction(request: { hashedCid: string }): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const cid = uintArg("hashedCid", request.hashedCid);
    return this.diamond.tx("removeAction", (c) => c.removeAction(account, cid));
  }

  async updateActionMetadata(request: { hashedCid: string; name: string; description: string }): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const cid = uintArg("hashedCid", request.hashedCid);
    return this.diamond.tx("updateActionMetadata", (c) =>
      c.updateActionMetadata(account, cid, 0n, request.name, request.description),
    );
  }

  async addActionToGroup(request: { groupId: number; actionIpfsCid: string }): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const group = uintArg("groupId", request.groupId);
    const cid = rawCidHash("actionIpfsCid", request.actionIpfsCid);
    return this.diamond.tx("addActionToGroup", (c) => c.addActionToGroup(account, group, cid));
  }

  async removeActionFromGroup(request: { groupId: number; hashedCid: string }): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const group = uintArg("groupId", request.groupId);
    const cid = uintArg("hashedCid", request.hashedCid);
    return this.diamond.tx("removeActionFromGroup", (c) => c.removeActionFromGroup(account, group, cid));
  }

  /** Every action of the account, or (groupId other than 0) the actions of one group. */
  async listActions(request: types.Pagination & { groupId?: number }): Promise<types.MetadataItem[]> {
    const group = request.groupId === undefined ? 0n : uintArg("groupId", request.groupId);
    const account = await this.diamond.adminHash();
    const reader = await this.diamond.reader();
    const rows =
      group === 0n
        ? await reader.listActions(account, request.pageNumber, request.pageSize)
        : await reader.listActionsInGroup(account, group, request.pageNumber, request.pageSize);
    return rows.map(metadataItemOf);
  }

  async addPkpToGroup(request: { groupId: number; pkpId: string }): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const group = uintArg("groupId", request.groupId);
    const pkp = addressArg("pkpId", request.pkpId);
    return this.diamond.tx("addPkpToGroup", (c) => c.addPkpToGroup(account, group, pkp));
  }

  async removePkpFromGroup(request: { groupId: number; pkpId: string }): Promise<types.SuccessResponse> {
    const account = await this.diamond.adminHash();
    const group = uintArg("groupId", request.groupId);
    const pkp = addressArg("pkpId", request.pkpId);
    return this.diamond.tx("removePkpFromGroup", (c) => c.removePkpFromGroup(account, group, pkp));
  }

  convertToChainSecuredAccount(): Promise<types.ConvertResponse> {
    return Promise.reject(new ModeError("convertToChainSecuredAccount", "sovereign", "api"));
  }

  /** Creates an unmanaged account whose admin (and master hash) is the connected wallet. */
  async newChainSecuredAccount(request: types.NewChainSecuredAccountRequest): Promise<types.NewChainSecuredAccountResponse> {
    const address = await this.diamond.requireSigner("newChainSecuredAccount").getAddress();
    const r = await this.diamond.tx("newChainSecuredAccount", (c) =>
      c.newChainSecuredAccount(request.accountName, request.accountDescription),
    );
    const master = chainSecuredHash(address);
    this.session.adminHash ??= master;
    return { wallet_address: address.toLowerCase(), api_key_hash: master, transaction_hash: r.transaction_hash ?? "" };
  }

  /**
   * Takes the wallet's alias keccak256(abi.encodePacked(wallet)) back from a usage key of another
   * account that squats it, so that a conversion or transfer to this wallet can follow.
   */
  reclaimAddressAlias(): Promise<types.SuccessResponse> {
    return this.diamond.tx("reclaimAddressAlias", (c) => c.reclaimAddressAlias());
  }

  /** Hands the account to `newAdminWalletAddress` (sent by the current admin). */
  async transferChainSecuredAccountOwnership(request: {
    newAdminWalletAddress: string;
  }): Promise<types.TransferOwnershipResponse> {
    const next = addressArg("newAdminWalletAddress", request.newAdminWalletAddress);
    if (next === ZeroAddress) throw new LitUsageError("newAdminWalletAddress: the zero address");
    const account = await this.diamond.adminHash();
    const receipt = await this.diamond.send("transferChainSecuredAccountOwnership", (c) =>
      c.transferChainSecuredAccountOwnership(account, next),
    );
    const event = eventIn(receipt, "ChainSecuredAccountOwnershipTransferred");
    if (event === null)
      throw new LitSdkError("transferChainSecuredAccountOwnership: no ChainSecuredAccountOwnershipTransferred event");
    const [hash, previous, nextAdmin] = event.args as unknown as [bigint, string, string];
    return {
      api_key_hash: toHash32(hash),
      previous_admin: previous.toLowerCase(),
      new_admin: nextAdmin.toLowerCase(),
      transaction_hash: receipt.hash,
    };
  }

  /** Mints a wallet bound to the signer's account, without registering it. */
  mintWalletWithSignature(): Promise<types.MintedWalletResponse> {
    return mintWithSignature(this.relayer, this.diamond, "CreateWallet");
  }

  /** Mints a usage key and wallet, without attaching them. */
  mintUsageApiKeyWithSignature(): Promise<types.MintedUsageKeyResponse> {
    return mintWithSignature(this.relayer, this.diamond, "AddUsageApiKey");
  }

  /** A fresh X-Wallet-Auth (BillingAuth, bound) when a wallet is connected; else the API key is used. */
  async billingHeaders(): Promise<Record<string, string>> {
    if (this.session.signer === undefined) return {};
    return { "x-wallet-auth": await walletAuthHeader(this.session.signer, await this.diamond.signatureBinding()) };
  }
}
