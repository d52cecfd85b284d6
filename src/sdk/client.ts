/**
 * The typed Core SDK client (seed 001): API mode (HTTP, an API key in X-Api-Key) and sovereign /
 * ChainSecured mode (the connected ethers v6 signer is the account's admin: reads call the
 * AccountConfig diamond, writes are wallet-signed transactions, and the signature-minting
 * endpoints get EIP-712 signatures in the bound format, naming the diamond: docs/wallet-signatures.md).
 *
 *   const api = createClient("http://127.0.0.1:8080");
 *   const { api_key } = await api.newAccount({ accountName: "My App", accountDescription: "" });
 *
 *   const sovereign = new LitNodeSimpleApiClient({ baseUrl, mode: "sovereign", contractAddress, signer });
 *   await sovereign.newChainSecuredAccount({ accountName: "My App", accountDescription: "" });
 *   const { wallet_address } = await sovereign.createWallet({ name: "w", description: "" });
 */
import {
  type ContractTransactionResponse,
  type Provider,
  type Signer,
  JsonRpcProvider,
  ZeroAddress,
  getAddress,
  isHexString,
  keccak256,
  toUtf8Bytes,
} from "ethers";
import type { IAccountConfig } from "../../typechain-types/contracts/interfaces/IAccountConfig";
import { IAccountConfig__factory } from "../../typechain-types/factories/contracts/interfaces/IAccountConfig__factory";
import { ContractRevertError, LitApiError, LitSdkError, LitUsageError, ModeError } from "./errors";
import {
  type ChainSecuredBinding,
  type ChainSecuredPrimaryType,
  chainSecuredAccountHash,
  signChainSecured,
  walletAuthHeader,
} from "./typed-data";
import type {
  AddActionRequest,
  AddGroupRequest,
  AddGroupResponse,
  AddUsageApiKeyResponse,
  ApiKeyItem,
  BillingBalance,
  ConfirmPaymentResponse,
  ClientMode,
  ConvertResponse,
  CreateWalletRequest,
  CreateWalletResponse,
  LitActionClientConfig,
  LitActionRequest,
  LitActionResponse,
  MetadataItem,
  MintedUsageKeyResponse,
  MintedWalletResponse,
  NewAccountRequest,
  NewAccountResponse,
  NewChainSecuredAccountRequest,
  NewChainSecuredAccountResponse,
  NodeChainConfig,
  Pagination,
  PaymentIntent,
  StripeConfig,
  SuccessResponse,
  TransferOwnershipResponse,
  UpdateGroupRequest,
  UpdateUsageApiKeyRequest,
  UsageKeyPermissions,
  VersionInfo,
  WalletItem,
} from "./types";

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
  /** "api" (default) or "sovereign" (ChainSecured). */
  mode?: ClientMode;
  /** API mode: the account (or usage) key sent as X-Api-Key. Sovereign mode: a usage key for litAction. */
  apiKey?: string;
  /** Sovereign mode: the AccountConfig diamond (default: contract_address of get_node_chain_config). */
  contractAddress?: string;
  /** Sovereign mode: RPC for reads before a signer with a provider is attached. */
  rpcUrl?: string;
  /** Sovereign mode: the admin wallet. */
  signer?: Signer;
  /** Sovereign mode: the account hash used in contract calls (default: keccak256(abi.encodePacked(signer address))). */
  adminHashOverride?: string;
  fetch?: FetchLike;
}

function hashOfKeyRef(value: string): string {
  return /^0x[0-9a-fA-F]{64}$/.test(value) ? value.toLowerCase() : keccak256(toUtf8Bytes(value));
}

function cidHash(cid: string): string {
  return keccak256(toUtf8Bytes(cid));
}

const hex32 = (v: bigint): string => `0x${v.toString(16).padStart(64, "0")}`;

export class LitNodeSimpleApiClient {
  readonly baseUrl: string;
  readonly mode: ClientMode;
  private apiKey: string | undefined;
  private signer: Signer | undefined;
  private adminHash: string | undefined;
  private contractAddress: string | undefined;
  private readonly rpcUrl: string | undefined;
  private readonly fetchImpl: FetchLike;
  private chainIdCache: number | undefined;
  private fallbackProvider: Provider | undefined;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.mode = options.mode ?? "api";
    this.apiKey = options.apiKey;
    this.signer = options.signer;
    this.adminHash = options.adminHashOverride;
    this.contractAddress = options.contractAddress;
    this.rpcUrl = options.rpcUrl;
    const f = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
    if (f === undefined) throw new LitUsageError("no fetch available: pass options.fetch");
    // Called as a plain function: browsers throw "Illegal invocation" when window.fetch is called
    // with another `this` (as `this.fetchImpl(...)` would).
    this.fetchImpl = (url, init) => f(url, init);
  }

  // ------------------------------------------------------------------ session

  /** Sets the API key sent as X-Api-Key. */
  setApiKey(apiKey: string | undefined): void {
    this.apiKey = apiKey;
  }

  /** Attaches (or replaces) the admin wallet; reads then go through its provider. */
  connectSigner(signer: Signer, adminHashOverride?: string): void {
    this.signer = signer;
    this.adminHash = adminHashOverride;
  }

  /** Sets the account hash used by sovereign-mode contract calls. */
  setAdminHashOverride(hash: string | undefined): void {
    this.adminHash = hash;
  }

  // ------------------------------------------------------------------ API mode and shared endpoints

  newAccount(request: NewAccountRequest): Promise<NewAccountResponse> {
    return this.http("POST", "/new_account", {
      body: {
        account_name: request.accountName,
        account_description: request.accountDescription,
        ...(request.email === undefined ? {} : { email: request.email }),
      },
      auth: false,
    });
  }

  /**
   * API mode: whether the key resolves to an account (GET /account_exists). Sovereign mode: whether
   * the connected wallet administers the account now, asked on-chain as the wallet
   * (accountExistsAndIsMutable answers for its caller): false for a wallet that handed its account on.
   */
  async accountExists(): Promise<boolean> {
    if (this.mode === "sovereign") {
      const hash = await this.resolveAdminHash();
      return (await this.readerAsSigner()).accountExistsAndIsMutable(BigInt(hash));
    }
    return this.http("GET", "/account_exists");
  }

  async addUsageApiKey(request: UsageKeyPermissions): Promise<AddUsageApiKeyResponse> {
    if (this.mode === "sovereign") return this.sovereignAddUsageApiKey(request);
    return this.http("POST", "/add_usage_api_key", { body: usageKeyBody(request) });
  }

  async updateUsageApiKey(request: UpdateUsageApiKeyRequest): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      const usageHash = hashOfKeyRef(request.usageApiKey);
      const existing = await (await this.reader()).getUsageApiKey(account, usageHash);
      return this.tx("setUsageApiKey", (c) =>
        c.setUsageApiKey(account, usageHash, ...permissionArgs(request, existing.balance)),
      );
    }
    return this.http("POST", "/update_usage_api_key", {
      body: { ...usageKeyBody(request), usage_api_key: request.usageApiKey },
    });
  }

  async updateUsageApiKeyMetadata(request: {
    usageApiKey: string;
    name: string;
    description: string;
  }): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("updateUsageApiKeyMetadata", (c) =>
        c.updateUsageApiKeyMetadata(account, hashOfKeyRef(request.usageApiKey), request.name, request.description),
      );
    }
    return this.http("POST", "/update_usage_api_key_metadata", {
      body: { usage_api_key: request.usageApiKey, name: request.name, description: request.description },
    });
  }

  async removeUsageApiKey(request: { usageApiKey: string }): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("removeUsageApiKey", (c) => c.removeUsageApiKey(account, hashOfKeyRef(request.usageApiKey)));
    }
    return this.http("POST", "/remove_usage_api_key", { body: { usage_api_key: request.usageApiKey } });
  }

  async listApiKeys(page: Pagination): Promise<ApiKeyItem[]> {
    if (this.mode === "sovereign") {
      const rows = await (
        await this.reader()
      ).listApiKeys(await this.resolveAdminHash(), page.pageNumber, page.pageSize);
      return rows.map((k) => ({
        id: hex32(k.metadata.id),
        api_key_hash: hex32(k.apiKeyHash),
        name: k.metadata.name,
        description: k.metadata.description,
        expiration: k.expiration.toString(),
        balance: Number(k.balance),
        can_create_groups: k.createGroups,
        can_delete_groups: k.deleteGroups,
        can_create_pkps: k.createPKPs,
        can_manage_ipfs_ids_in_groups: k.manageIPFSIdsInGroups.map(Number),
        can_add_pkp_to_groups: k.addPkpToGroups.map(Number),
        can_remove_pkp_from_groups: k.removePkpFromGroups.map(Number),
        can_execute_in_groups: k.executeInGroups.map(Number),
      }));
    }
    return this.http("GET", `/list_api_keys?${pageQuery(page)}`);
  }

  /**
   * API mode: GET /create_wallet (the server registers it). Sovereign mode: mint through
   * create_wallet_with_signature, then registerWalletDerivation from the admin wallet.
   */
  async createWallet(request: CreateWalletRequest = {}): Promise<CreateWalletResponse> {
    if (this.mode === "api") return this.http("GET", "/create_wallet");
    const account = await this.resolveAdminHash();
    const minted = await this.mintWithSignature("CreateWallet", "/create_wallet_with_signature");
    const registered = await this.tx("registerWalletDerivation", (c) =>
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

  async listWallets(page: Pagination): Promise<WalletItem[]> {
    if (this.mode === "sovereign") {
      const rows = await (await this.reader()).listPkps(await this.resolveAdminHash(), page.pageNumber, page.pageSize);
      return rows.map((w) => ({
        id: w.id.toString(),
        name: w.name,
        description: w.description,
        wallet_address: w.pkpId.toLowerCase(),
      }));
    }
    return this.http("GET", `/list_wallets?${pageQuery(page)}`);
  }

  async listWalletsInGroup(request: Pagination & { groupId: number }): Promise<WalletItem[]> {
    if (this.mode === "sovereign") {
      const rows = await (
        await this.reader()
      ).listWalletsInGroup(await this.resolveAdminHash(), request.groupId, request.pageNumber, request.pageSize);
      return rows.map((w) => ({
        id: w.id.toString(),
        name: w.name,
        description: w.description,
        wallet_address: w.pkpId.toLowerCase(),
      }));
    }
    return this.http("GET", `/list_wallets_in_group?group_id=${request.groupId}&${pageQuery(request)}`);
  }

  async addGroup(request: AddGroupRequest): Promise<AddGroupResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      const contract = await this.writer();
      const receipt = await this.send("addGroup", () =>
        contract.addGroup(
          account,
          request.groupName,
          request.groupDescription,
          request.cidHashesPermitted.map((h) => BigInt(h)),
          request.pkpIdsPermitted.map((p) => getAddress(p)),
        ),
      );
      const event = receipt.logs
        .map((log) => {
          try {
            return contract.interface.parseLog(log);
          } catch {
            return null;
          }
        })
        .find((e) => e?.name === "GroupAdded");
      if (!event) throw new LitSdkError("addGroup: no GroupAdded event in the receipt");
      return { success: true, group_id: (event.args.groupId as bigint).toString(), transaction_hash: receipt.hash };
    }
    return this.http("POST", "/add_group", {
      body: {
        group_name: request.groupName,
        group_description: request.groupDescription,
        pkp_ids_permitted: request.pkpIdsPermitted,
        cid_hashes_permitted: request.cidHashesPermitted,
      },
    });
  }

  async updateGroup(request: UpdateGroupRequest): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("updateGroup", (c) =>
        c.updateGroup(
          account,
          BigInt(request.groupId),
          request.name,
          request.description,
          (request.cidHashesPermitted ?? []).map((h) => BigInt(h)),
          (request.pkpIdsPermitted ?? []).map((p) => getAddress(p)),
        ),
      );
    }
    return this.http("POST", "/update_group", {
      body: {
        group_id: Number(request.groupId),
        name: request.name,
        description: request.description,
        pkp_ids_permitted: request.pkpIdsPermitted ?? [],
        cid_hashes_permitted: request.cidHashesPermitted ?? [],
      },
    });
  }

  async removeGroup(request: { groupId: number | string }): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("removeGroup", (c) => c.removeGroup(account, BigInt(request.groupId)));
    }
    return this.http("POST", "/remove_group", { body: { group_id: String(request.groupId) } });
  }

  async listGroups(page: Pagination): Promise<MetadataItem[]> {
    if (this.mode === "sovereign") {
      const rows = await (
        await this.reader()
      ).listGroups(await this.resolveAdminHash(), page.pageNumber, page.pageSize);
      return rows.map((g) => ({ id: hex32(g.id), name: g.name, description: g.description }));
    }
    return this.http("GET", `/list_groups?${pageQuery(page)}`);
  }

  async addAction(request: AddActionRequest): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("addAction", (c) =>
        c.addAction(account, request.name, request.description, cidHash(request.actionIpfsCid)),
      );
    }
    return this.http("POST", "/add_action", {
      body: { action_ipfs_cid: request.actionIpfsCid, name: request.name, description: request.description },
    });
  }

  async deleteAction(request: { hashedCid: string }): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("removeAction", (c) => c.removeAction(account, BigInt(request.hashedCid)));
    }
    return this.http("POST", "/delete_action", { body: { hashed_cid: request.hashedCid } });
  }

  async updateActionMetadata(request: {
    hashedCid: string;
    name: string;
    description: string;
  }): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("updateActionMetadata", (c) =>
        c.updateActionMetadata(account, BigInt(request.hashedCid), 0n, request.name, request.description),
      );
    }
    return this.http("POST", "/update_action_metadata", {
      body: { hashed_cid: request.hashedCid, name: request.name, description: request.description },
    });
  }

  async addActionToGroup(request: { groupId: number; actionIpfsCid: string }): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("addActionToGroup", (c) =>
        c.addActionToGroup(account, request.groupId, cidHash(request.actionIpfsCid)),
      );
    }
    return this.http("POST", "/add_action_to_group", {
      body: { group_id: request.groupId, action_ipfs_cid: request.actionIpfsCid },
    });
  }

  async removeActionFromGroup(request: { groupId: number; hashedCid: string }): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("removeActionFromGroup", (c) =>
        c.removeActionFromGroup(account, request.groupId, BigInt(request.hashedCid)),
      );
    }
    return this.http("POST", "/remove_action_from_group", {
      body: { group_id: request.groupId, hashed_cid: request.hashedCid },
    });
  }

  async listActions(request: Pagination & { groupId?: number }): Promise<MetadataItem[]> {
    if (this.mode === "sovereign") {
      const reader = await this.reader();
      const account = await this.resolveAdminHash();
      const rows =
        request.groupId === undefined || request.groupId === 0
          ? await reader.listActions(account, request.pageNumber, request.pageSize)
          : await reader.listActionsInGroup(account, request.groupId, request.pageNumber, request.pageSize);
      return rows.map((a) => ({ id: hex32(a.id), name: a.name, description: a.description }));
    }
    const group = request.groupId === undefined ? "" : `group_id=${request.groupId}&`;
    return this.http("GET", `/list_actions?${group}${pageQuery(request)}`);
  }

  async addPkpToGroup(request: { groupId: number; pkpId: string }): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("addPkpToGroup", (c) => c.addPkpToGroup(account, request.groupId, getAddress(request.pkpId)));
    }
    return this.http("POST", "/add_pkp_to_group", { body: { group_id: request.groupId, pkp_id: request.pkpId } });
  }

  async removePkpFromGroup(request: { groupId: number; pkpId: string }): Promise<SuccessResponse> {
    if (this.mode === "sovereign") {
      const account = await this.resolveAdminHash();
      return this.tx("removePkpFromGroup", (c) =>
        c.removePkpFromGroup(account, request.groupId, getAddress(request.pkpId)),
      );
    }
    return this.http("POST", "/remove_pkp_from_group", { body: { group_id: request.groupId, pkp_id: request.pkpId } });
  }

  /**
   * The CIDv0 the relayer computes for `code`. With an API key set, the relayer keeps the code for
   * the account (within its code quota) so it can be run by CID later; without, it only caches it
   * for a while.
   */
  getLitActionIpfsId(code: string): Promise<string> {
    return this.http("POST", "/get_lit_action_ipfs_id", { body: code });
  }

  /** Runs a Lit Action with the client's key (a usage key in sovereign mode). */
  litAction(request: LitActionRequest): Promise<LitActionResponse> {
    return this.http("POST", "/lit_action", {
      body: {
        ...(request.code === undefined ? {} : { code: request.code }),
        ...(request.ipfsId === undefined ? {} : { ipfs_id: request.ipfsId }),
        ...(request.jsParams === undefined ? {} : { js_params: request.jsParams }),
      },
    });
  }

  getNodeChainConfig(): Promise<NodeChainConfig> {
    return this.http("GET", "/get_node_chain_config", { auth: false });
  }
  getChainConfigKeys(): Promise<{ keys: string[] }> {
    return this.http("GET", "/get_chain_config_keys", { auth: false });
  }
  getLitActionClientConfig(): Promise<LitActionClientConfig> {
    return this.http("GET", "/get_lit_action_client_config", { auth: false });
  }
  getApiPayers(): Promise<string[]> {
    return this.http("GET", "/get_api_payers", { auth: false });
  }
  getAdminApiPayer(): Promise<string> {
    return this.http("GET", "/get_admin_api_payer", { auth: false });
  }
  version(): Promise<VersionInfo> {
    return this.http("GET", "/version", { auth: false });
  }

  // ------------------------------------------------------------------ billing (API key, or X-Wallet-Auth in sovereign mode)

  getStripeConfig(): Promise<StripeConfig> {
    return this.http("GET", "/billing/stripe_config", { auth: false });
  }
  async getBillingBalance(): Promise<BillingBalance> {
    return this.http("GET", "/billing/balance", { headers: await this.billingHeaders() });
  }
  async createPaymentIntent(request: { amountCents: number }): Promise<PaymentIntent> {
    return this.http("POST", "/billing/create_payment_intent", {
      body: { amount_cents: request.amountCents },
      headers: await this.billingHeaders(),
    });
  }
  async confirmPayment(request: { paymentIntentId: string }): Promise<ConfirmPaymentResponse> {
    return this.http("POST", "/billing/confirm_payment", {
      body: { payment_intent_id: request.paymentIntentId },
      headers: await this.billingHeaders(),
    });
  }

  // ------------------------------------------------------------------ ChainSecured

  /**
   * API mode only: converts the account of `apiKey` (default: the client's key) to ChainSecured,
   * with `signer` proving ownership of the new admin wallet (ConvertAccount). `walletAddress`
   * names a contract wallet (ERC-1271) on whose behalf `signer` signs; default the signer's address.
   * The signature names the diamond and this account (keccak256 of the key), so it converts
   * nothing else if intercepted.
   */
  async convertToChainSecuredAccount(request: {
    signer: Signer;
    apiKey?: string;
    chainId?: number;
    walletAddress?: string;
  }): Promise<ConvertResponse> {
    this.requireMode("convertToChainSecuredAccount", "api");
    const apiKey = request.apiKey ?? this.apiKey;
    if (apiKey === undefined)
      throw new LitUsageError("convertToChainSecuredAccount: the account's master API key is required");
    // The account's master hash, as the relayer hashes X-Api-Key.
    const binding = await this.signatureBinding(request.chainId, keccak256(toUtf8Bytes(apiKey)));
    const signed = await signChainSecured(request.signer, "ConvertAccount", binding, {
      address: request.walletAddress,
    });
    return this.http("POST", "/convert_to_chain_secured_account", {
      apiKey,
      body: { new_admin_wallet_address: signed.typed_data.message.address, ...signed },
    });
  }

  /** Sovereign mode: creates an unmanaged account whose admin (and master hash) is the connected wallet. */
  async newChainSecuredAccount(request: NewChainSecuredAccountRequest): Promise<NewChainSecuredAccountResponse> {
    this.requireMode("newChainSecuredAccount", "sovereign");
    const address = await this.requireSigner("newChainSecuredAccount").getAddress();
    const r = await this.tx("newChainSecuredAccount", (c) =>
      c.newChainSecuredAccount(request.accountName, request.accountDescription),
    );
    const master = chainSecuredAccountHash(address);
    this.adminHash ??= master;
    return { wallet_address: address.toLowerCase(), api_key_hash: master, transaction_hash: r.transaction_hash ?? "" };
  }

  /**
   * Whether `apiKeyHash` (master, usage key or admin alias) resolves to an account, whoever asks (the
   * contract's accountExists view). Whether the connected wallet may write it: accountExists() in
   * sovereign mode.
   */
  async accountExistsByHash(apiKeyHash: string): Promise<boolean> {
    return (await this.reader()).accountExists(BigInt(apiKeyHash));
  }

  /**
   * Sovereign mode only: takes the connected wallet's alias keccak256(abi.encodePacked(wallet)) back
   * from a usage key of another account that squats it (reclaimAddressAlias), so that a conversion or
   * transfer to this wallet can follow. The hash stays reserved for the wallet.
   */
  async reclaimAddressAlias(): Promise<SuccessResponse> {
    this.requireMode("reclaimAddressAlias", "sovereign");
    return this.tx("reclaimAddressAlias", (c) => c.reclaimAddressAlias());
  }

  /** Sovereign mode only: hands the account to `newAdminWalletAddress` (signed by the current admin). */
  async transferChainSecuredAccountOwnership(request: {
    newAdminWalletAddress: string;
  }): Promise<TransferOwnershipResponse> {
    this.requireMode("transferChainSecuredAccountOwnership", "sovereign");
    let next: string;
    try {
      next = getAddress(request.newAdminWalletAddress);
    } catch {
      throw new LitUsageError(`newAdminWalletAddress: not an address: ${request.newAdminWalletAddress}`);
    }
    if (next === ZeroAddress) throw new LitUsageError("newAdminWalletAddress: the zero address");
    const account = await this.resolveAdminHash();
    const contract = await this.writer();
    const receipt = await this.send("transferChainSecuredAccountOwnership", () =>
      contract.transferChainSecuredAccountOwnership(account, next),
    );
    for (const log of receipt.logs) {
      let parsed: ReturnType<typeof contract.interface.parseLog> = null;
      try {
        parsed = contract.interface.parseLog(log);
      } catch {
        parsed = null;
      }
      if (parsed?.name === "ChainSecuredAccountOwnershipTransferred") {
        const args = parsed.args as unknown as [bigint, string, string];
        return {
          api_key_hash: hex32(args[0]),
          previous_admin: args[1].toLowerCase(),
          new_admin: args[2].toLowerCase(),
          transaction_hash: receipt.hash,
        };
      }
    }
    throw new LitSdkError("transferChainSecuredAccountOwnership: no ChainSecuredAccountOwnershipTransferred event");
  }

  /** Sovereign mode: mints a wallet bound to the signer's account (create_wallet_with_signature), without registering it. */
  async mintWalletWithSignature(): Promise<MintedWalletResponse> {
    this.requireMode("mintWalletWithSignature", "sovereign");
    return this.mintWithSignature("CreateWallet", "/create_wallet_with_signature");
  }

  /** Sovereign mode: mints a usage key and wallet (add_usage_api_key_with_signature), without attaching them. */
  async mintUsageApiKeyWithSignature(): Promise<MintedUsageKeyResponse> {
    this.requireMode("mintUsageApiKeyWithSignature", "sovereign");
    return this.mintWithSignature("AddUsageApiKey", "/add_usage_api_key_with_signature");
  }

  // ------------------------------------------------------------------ internals

  private async sovereignAddUsageApiKey(request: UsageKeyPermissions): Promise<AddUsageApiKeyResponse> {
    const account = await this.resolveAdminHash();
    const minted = await this.mintWithSignature<MintedUsageKeyResponse>(
      "AddUsageApiKey",
      "/add_usage_api_key_with_signature",
    );
    const registered = await this.tx("registerWalletDerivation", (c) =>
      c.registerWalletDerivation(
        account,
        minted.wallet_address,
        BigInt(minted.derivation_path),
        request.name,
        request.description,
      ),
    );
    const usageHash = keccak256(toUtf8Bytes(minted.usage_api_key));
    const set = await this.tx("setUsageApiKey", (c) =>
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

  /**
   * POSTs a fresh signature to a minting endpoint. The relayer resolves the signer's account from
   * its index, which may lag the chain by a block or two right after newChainSecuredAccount,
   * a conversion or a transfer: when it answers 404/403 but the chain already shows the signer as
   * the admin, the call is retried (with a new signature) for up to `indexWaitMs`.
   */
  private async mintWithSignature<T extends MintedWalletResponse>(
    primaryType: ChainSecuredPrimaryType,
    path: string,
    indexWaitMs = 15_000,
  ): Promise<T> {
    const signer = this.requireSigner(path.slice(1));
    const binding = await this.signatureBinding();
    const deadline = Date.now() + indexWaitMs;
    for (;;) {
      const signed = await signChainSecured(signer, primaryType, binding);
      try {
        return await this.http<T>("POST", path, {
          auth: false,
          body: { wallet_address: signed.typed_data.message.address, ...signed },
        });
      } catch (e) {
        const lagging =
          e instanceof LitApiError &&
          (e.errorName === "AccountDoesNotExist" || e.errorName === "NoAccountAccess") &&
          Date.now() < deadline &&
          (await this.isAdminOnChain(signed.typed_data.message.address));
        if (!lagging) throw e;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Whether `address` is the admin of the account its alias resolves to, on-chain. */
  private async isAdminOnChain(address: string): Promise<boolean> {
    try {
      const reader = await this.reader();
      const alias = chainSecuredAccountHash(address);
      if (!(await reader.accountExists(alias))) return false;
      return (await reader.getAccount(alias)).adminWalletAddress.toLowerCase() === address.toLowerCase();
    } catch {
      return false;
    }
  }

  private async billingHeaders(): Promise<Record<string, string>> {
    if (this.mode === "sovereign" && this.signer !== undefined) {
      return { "x-wallet-auth": await walletAuthHeader(this.signer, await this.signatureBinding()) };
    }
    return {};
  }

  private requireMode(operation: string, required: ClientMode): void {
    if (this.mode !== required) throw new ModeError(operation, this.mode, required);
  }

  private requireSigner(operation: string): Signer {
    if (this.signer === undefined) throw new LitUsageError(`${operation}: connect a signer first (connectSigner)`);
    return this.signer;
  }

  private async chainId(): Promise<number> {
    this.chainIdCache ??= Number((await this.getNodeChainConfig()).chain_id);
    return this.chainIdCache;
  }

  /** What a wallet signature is bound to: this chain and diamond, and for a conversion the account. */
  private async signatureBinding(chainId?: number, apiKeyHash?: string): Promise<ChainSecuredBinding> {
    return {
      chainId: chainId ?? (await this.chainId()),
      verifyingContract: await this.diamondAddress(),
      ...(apiKeyHash === undefined ? {} : { apiKeyHash }),
    };
  }

  private async resolveAdminHash(): Promise<string> {
    if (this.adminHash !== undefined) return this.adminHash;
    if (this.mode !== "sovereign") throw new ModeError("contract access", this.mode, "sovereign");
    return chainSecuredAccountHash(await this.requireSigner("a sovereign-mode call").getAddress());
  }

  private async diamondAddress(): Promise<string> {
    this.contractAddress ??= (await this.getNodeChainConfig()).contract_address;
    if (!this.contractAddress || this.contractAddress === ZeroAddress)
      throw new LitUsageError("contractAddress: not configured and not reported by get_node_chain_config");
    return this.contractAddress;
  }

  private async reader(): Promise<IAccountConfig> {
    if (this.signer?.provider == null && this.rpcUrl !== undefined)
      this.fallbackProvider ??= new JsonRpcProvider(this.rpcUrl);
    const provider: Provider | null = this.signer?.provider ?? this.fallbackProvider ?? null;
    if (provider === null) throw new LitUsageError("contract reads need a signer with a provider or rpcUrl");
    return IAccountConfig__factory.connect(await this.diamondAddress(), provider);
  }

  /** Reads whose answer depends on the caller (msg.sender = the connected wallet). */
  private async readerAsSigner(): Promise<IAccountConfig> {
    const signer = this.requireSigner("a read as the wallet");
    if (signer.provider == null) throw new LitUsageError("reads as the wallet need a signer with a provider");
    return IAccountConfig__factory.connect(await this.diamondAddress(), signer);
  }

  private async writer(): Promise<IAccountConfig> {
    this.requireMode("contract write", "sovereign");
    return IAccountConfig__factory.connect(await this.diamondAddress(), this.requireSigner("a contract write"));
  }

  /** One transaction through the signer; a revert becomes ContractRevertError. */
  private async tx(
    method: string,
    call: (contract: IAccountConfig) => Promise<ContractTransactionResponse>,
  ): Promise<SuccessResponse> {
    const contract = await this.writer();
    const receipt = await this.send(method, () => call(contract));
    return { success: true, transaction_hash: receipt.hash };
  }

  private async send(method: string, call: () => Promise<ContractTransactionResponse>) {
    try {
      const response = await call();
      const receipt = await response.wait();
      if (receipt === null || receipt.status !== 1) throw new ContractRevertError("Unknown", [], null, method);
      return receipt;
    } catch (e) {
      throw decodeRevert(e, method);
    }
  }

  private async http<T>(
    method: "GET" | "POST",
    path: string,
    opts: { body?: unknown; auth?: boolean; apiKey?: string; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json", ...(opts.headers ?? {}) };
    const key = opts.apiKey ?? this.apiKey;
    if (opts.auth !== false && key !== undefined && headers["x-wallet-auth"] === undefined) headers["x-api-key"] = key;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    const res = await this.fetchImpl(`${this.baseUrl}/core/v1${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.status < 200 || res.status >= 300) {
      const e = (typeof json === "object" && json !== null ? json : {}) as {
        error?: unknown;
        code?: unknown;
        request_id?: unknown;
      };
      const retry = res.headers.get("retry-after");
      throw new LitApiError(
        res.status,
        typeof e.code === "string" ? e.code : `Http${res.status}`,
        typeof e.error === "string" ? e.error : text.slice(0, 200),
        typeof e.request_id === "string" ? e.request_id : res.headers.get("x-request-id"),
        retry === null ? null : Number(retry),
      );
    }
    if (json === undefined)
      throw new LitApiError(res.status, "InvalidResponse", "response is not JSON", res.headers.get("x-request-id"));
    return json as T;
  }
}

/** Creates an API-mode client (the hosted SDK's default constructor). */
export function createClient(baseUrl: string, options: Omit<ClientOptions, "baseUrl"> = {}): LitNodeSimpleApiClient {
  return new LitNodeSimpleApiClient({ ...options, baseUrl });
}

function pageQuery(page: Pagination): string {
  return `page_number=${page.pageNumber}&page_size=${page.pageSize}`;
}

function usageKeyBody(p: UsageKeyPermissions): Record<string, unknown> {
  return {
    name: p.name,
    description: p.description,
    can_create_groups: p.canCreateGroups,
    can_delete_groups: p.canDeleteGroups,
    can_create_pkps: p.canCreatePkps,
    manage_ipfs_ids_in_groups: p.manageIpfsIdsInGroups,
    add_pkp_to_groups: p.addPkpToGroups,
    remove_pkp_from_groups: p.removePkpFromGroups,
    execute_in_groups: p.executeInGroups,
    ...(p.expiration === undefined ? {} : { expiration: p.expiration }),
  };
}

type PermissionArgs = [
  bigint,
  bigint,
  string,
  string,
  boolean,
  boolean,
  boolean,
  bigint[],
  bigint[],
  bigint[],
  bigint[],
];

function permissionArgs(p: UsageKeyPermissions, balance: bigint): PermissionArgs {
  const ids = (xs: number[]) => xs.map((x) => BigInt(x));
  return [
    BigInt(p.expiration ?? 0),
    balance,
    p.name,
    p.description,
    p.canCreateGroups,
    p.canDeleteGroups,
    p.canCreatePkps,
    ids(p.manageIpfsIdsInGroups),
    ids(p.addPkpToGroups),
    ids(p.removePkpFromGroups),
    ids(p.executeInGroups),
  ];
}

const DIAMOND_INTERFACE = IAccountConfig__factory.createInterface();

/** The revert data inside an ethers / provider error, if any. */
function revertData(e: unknown): string | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [e];
  while (queue.length > 0) {
    const o = queue.shift();
    if (typeof o !== "object" || o === null || seen.has(o)) continue;
    seen.add(o);
    const rec = o as Record<string, unknown>;
    if (typeof rec.data === "string" && isHexString(rec.data) && rec.data.length >= 10) return rec.data;
    for (const k of ["error", "info", "cause", "data", "revert"]) queue.push(rec[k]);
  }
  return null;
}

function decodeRevert(e: unknown, method: string): Error {
  if (e instanceof LitSdkError) return e;
  const data = revertData(e);
  if (data !== null) {
    try {
      const parsed = DIAMOND_INTERFACE.parseError(data);
      if (parsed !== null) return new ContractRevertError(parsed.name, [...parsed.args], data, method);
    } catch {
      // not one of the diamond's errors
    }
    return new ContractRevertError("Unknown", [], data, method);
  }
  const rec = e as { code?: unknown; revert?: { name?: unknown; args?: unknown } } | null;
  if (rec?.code === "CALL_EXCEPTION") {
    const name = typeof rec.revert?.name === "string" ? rec.revert.name : "Unknown";
    const args = Array.isArray(rec.revert?.args) ? [...(rec.revert.args as unknown[])] : [];
    return new ContractRevertError(name, args, null, method);
  }
  return e instanceof Error ? e : new LitSdkError(String(e));
}
