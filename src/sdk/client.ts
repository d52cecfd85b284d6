/**
 * The typed Core SDK client (seed 001; docs/sdk.md). One interface, two transports chosen once at
 * construction: API mode (`mode: "api"`, the default) sends every account operation to the
 * relayer's /core/v1 with an API key (HttpTransport); sovereign / ChainSecured mode
 * (`mode: "sovereign"`) has the connected ethers v6 signer, the account's admin, read the
 * AccountConfig diamond and send the writes (DiamondTransport), with the signature-minting
 * endpoints getting EIP-712 signatures in the bound format (docs/wallet-signatures.md). The
 * relayer-only endpoints (configuration, Lit Actions, billing) are the same in both modes.
 *
 *   const api = createClient("http://127.0.0.1:8080");
 *   const { api_key } = await api.newAccount({ accountName: "My App", accountDescription: "" });
 *
 *   const sovereign = new LitNodeSimpleApiClient({ baseUrl, mode: "sovereign", contractAddress, signer });
 *   await sovereign.newChainSecuredAccount({ accountName: "My App", accountDescription: "" });
 *   const { wallet_address } = await sovereign.createWallet({ name: "w", description: "" });
 */
import type { Signer } from "ethers";
import { DiamondConnection } from "./diamond-connection";
import { LitUsageError } from "./errors";
import type { ClientOptions, Session } from "./options";
import { RelayerHttp } from "./relayer-http";
import type { AccountOperations, AccountTransport, OwnershipOperations } from "./transport";
import { DiamondTransport } from "./transport-diamond";
import { HttpTransport } from "./transport-http";
import type {
  AddActionRequest,
  AddGroupRequest,
  AddGroupResponse,
  AddUsageApiKeyResponse,
  ApiKeyItem,
  BillingBalance,
  ClientMode,
  ConfirmPaymentResponse,
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

export type { ClientOptions, FetchLike } from "./options";

/** The parts a client is made of; each transport gets the ones it needs. */
export interface Connection {
  session: Session;
  relayer: RelayerHttp;
  diamond: DiamondConnection;
}

/** The session, relayer connection and diamond connection described by `options`. */
export function createConnection(options: ClientOptions): Connection {
  const session: Session = { apiKey: options.apiKey, signer: options.signer, adminHash: options.adminHashOverride };
  const relayer = new RelayerHttp(options.baseUrl, session, options.fetch);
  const diamond = new DiamondConnection(session, relayer, options.contractAddress, options.rpcUrl);
  return { session, relayer, diamond };
}

/** The transport of `mode` over `connection`: the one place where the mode is looked at. */
export function transportFor(mode: ClientMode, { session, relayer, diamond }: Connection): AccountTransport {
  switch (mode) {
    case "api":
      return new HttpTransport(relayer, session, diamond);
    case "sovereign":
      return new DiamondTransport(relayer, session, diamond);
    default:
      throw new LitUsageError(`mode: expected "api" or "sovereign", got ${JSON.stringify(mode as unknown)}`);
  }
}

export class LitNodeSimpleApiClient implements AccountOperations, OwnershipOperations {
  readonly baseUrl: string;
  readonly mode: ClientMode;
  private readonly session: Session;
  private readonly relayer: RelayerHttp;
  private readonly diamond: DiamondConnection;
  private readonly transport: AccountTransport;

  constructor(options: ClientOptions) {
    const connection = createConnection(options);
    this.session = connection.session;
    this.relayer = connection.relayer;
    this.diamond = connection.diamond;
    this.transport = transportFor(options.mode ?? "api", connection);
    this.mode = this.transport.mode;
    this.baseUrl = this.relayer.baseUrl;
  }

  // ------------------------------------------------------------------ session

  /** Sets the API key sent as X-Api-Key. */
  setApiKey(apiKey: string | undefined): void {
    this.session.apiKey = apiKey;
  }

  /** Attaches (or replaces) the admin wallet; reads then go through its provider. */
  connectSigner(signer: Signer, adminHashOverride?: string): void {
    this.session.signer = signer;
    this.session.adminHash = adminHashOverride;
  }

  /** Sets the account hash used by sovereign-mode contract calls. */
  setAdminHashOverride(hash: string | undefined): void {
    this.session.adminHash = hash;
  }

  // ------------------------------------------------------------------ account operations (the transport)

  /**
   * API mode: whether the key resolves to an account (GET /account_exists). Sovereign mode: whether
   * the connected wallet administers the account now, asked on-chain as the wallet
   * (accountExistsAndIsMutable answers for its caller): false for a wallet that handed its account on.
   */
  accountExists(): Promise<boolean> {
    return this.transport.accountExists();
  }
  addUsageApiKey(request: UsageKeyPermissions): Promise<AddUsageApiKeyResponse> {
    return this.transport.addUsageApiKey(request);
  }
  updateUsageApiKey(request: UpdateUsageApiKeyRequest): Promise<SuccessResponse> {
    return this.transport.updateUsageApiKey(request);
  }
  updateUsageApiKeyMetadata(request: { usageApiKey: string; name: string; description: string }): Promise<SuccessResponse> {
    return this.transport.updateUsageApiKeyMetadata(request);
  }
  removeUsageApiKey(request: { usageApiKey: string }): Promise<SuccessResponse> {
    return this.transport.removeUsageApiKey(request);
  }
  listApiKeys(page: Pagination): Promise<ApiKeyItem[]> {
    return this.transport.listApiKeys(page);
  }
  /**
   * API mode: GET /create_wallet (the server registers it). Sovereign mode: mint through
   * create_wallet_with_signature, then registerWalletDerivation from the admin wallet.
   */
  createWallet(request: CreateWalletRequest = {}): Promise<CreateWalletResponse> {
    return this.transport.createWallet(request);
  }
  listWallets(page: Pagination): Promise<WalletItem[]> {
    return this.transport.listWallets(page);
  }
  listWalletsInGroup(request: Pagination & { groupId: number }): Promise<WalletItem[]> {
    return this.transport.listWalletsInGroup(request);
  }
  addGroup(request: AddGroupRequest): Promise<AddGroupResponse> {
    return this.transport.addGroup(request);
  }
  updateGroup(request: UpdateGroupRequest): Promise<SuccessResponse> {
    return this.transport.updateGroup(request);
  }
  removeGroup(request: { groupId: number | string }): Promise<SuccessResponse> {
    return this.transport.removeGroup(request);
  }
  listGroups(page: Pagination): Promise<MetadataItem[]> {
    return this.transport.listGroups(page);
  }
  addAction(request: AddActionRequest): Promise<SuccessResponse> {
    return this.transport.addAction(request);
  }
  deleteAction(request: { hashedCid: string }): Promise<SuccessResponse> {
    return this.transport.deleteAction(request);
  }
  updateActionMetadata(request: { hashedCid: string; name: string; description: string }): Promise<SuccessResponse> {
    return this.transport.updateActionMetadata(request);
  }
  addActionToGroup(request: { groupId: number; actionIpfsCid: string }): Promise<SuccessResponse> {
    return this.transport.addActionToGroup(request);
  }
  removeActionFromGroup(request: { groupId: number; hashedCid: string }): Promise<SuccessResponse> {
    return this.transport.removeActionFromGroup(request);
  }
  listActions(request: Pagination & { groupId?: number }): Promise<MetadataItem[]> {
    return this.transport.listActions(request);
  }
  addPkpToGroup(request: { groupId: number; pkpId: string }): Promise<SuccessResponse> {
    return this.transport.addPkpToGroup(request);
  }
  removePkpFromGroup(request: { groupId: number; pkpId: string }): Promise<SuccessResponse> {
    return this.transport.removePkpFromGroup(request);
  }

  // ------------------------------------------------------------------ ChainSecured ownership (the transport)

  /**
   * API mode only: converts the account of `apiKey` (default: the client's key) to ChainSecured,
   * with `signer` proving ownership of the new admin wallet (ConvertAccount). `walletAddress`
   * names a contract wallet (ERC-1271) on whose behalf `signer` signs; default the signer's address.
   * The signature names the diamond and this account (keccak256 of the key), so it converts
   * nothing else if intercepted.
   */
  convertToChainSecuredAccount(request: {
    signer: Signer;
    apiKey?: string;
    chainId?: number;
    walletAddress?: string;
  }): Promise<ConvertResponse> {
    return this.transport.convertToChainSecuredAccount(request);
  }
  /** Sovereign mode: creates an unmanaged account whose admin (and master hash) is the connected wallet. */
  newChainSecuredAccount(request: NewChainSecuredAccountRequest): Promise<NewChainSecuredAccountResponse> {
    return this.transport.newChainSecuredAccount(request);
  }
  /**
   * Sovereign mode only: takes the connected wallet's alias keccak256(abi.encodePacked(wallet)) back
   * from a usage key of another account that squats it (reclaimAddressAlias), so that a conversion or
   * transfer to this wallet can follow. The hash stays reserved for the wallet.
   */
  reclaimAddressAlias(): Promise<SuccessResponse> {
    return this.transport.reclaimAddressAlias();
  }
  /** Sovereign mode only: hands the account to `newAdminWalletAddress` (signed by the current admin). */
  transferChainSecuredAccountOwnership(request: { newAdminWalletAddress: string }): Promise<TransferOwnershipResponse> {
    return this.transport.transferChainSecuredAccountOwnership(request);
  }
  /** Sovereign mode: mints a wallet bound to the signer's account (create_wallet_with_signature), without registering it. */
  mintWalletWithSignature(): Promise<MintedWalletResponse> {
    return this.transport.mintWalletWithSignature();
  }
  /** Sovereign mode: mints a usage key and wallet (add_usage_api_key_with_signature), without attaching them. */
  mintUsageApiKeyWithSignature(): Promise<MintedUsageKeyResponse> {
    return this.transport.mintUsageApiKeyWithSignature();
  }
  /**
   * Whether `apiKeyHash` (master, usage key or admin alias) resolves to an account, whoever asks (the
   * contract's accountExists view, in either mode: needs a signer with a provider, or rpcUrl).
   * Whether the connected wallet may write it: accountExists() in sovereign mode.
   */
  async accountExistsByHash(apiKeyHash: string): Promise<boolean> {
    return (await this.diamond.reader()).accountExists(BigInt(apiKeyHash));
  }

  // ------------------------------------------------------------------ relayer-only endpoints (both modes)

  newAccount(request: NewAccountRequest): Promise<NewAccountResponse> {
    const body = {
      account_name: request.accountName,
      account_description: request.accountDescription,
      ...(request.email === undefined ? {} : { email: request.email }),
    };
    return this.relayer.post("/new_account", body, { auth: false });
  }

  /**
   * The CIDv0 the relayer computes for `code`. With an API key set, the relayer keeps the code for
   * the account (within its code quota) so it can be run by CID later; without, it only caches it
   * for a while.
   */
  getLitActionIpfsId(code: string): Promise<string> {
    return this.relayer.post("/get_lit_action_ipfs_id", code);
  }

  /** Runs a Lit Action with the client's key (a usage key in sovereign mode). */
  litAction(request: LitActionRequest): Promise<LitActionResponse> {
    return this.relayer.post("/lit_action", {
      ...(request.code === undefined ? {} : { code: request.code }),
      ...(request.ipfsId === undefined ? {} : { ipfs_id: request.ipfsId }),
      ...(request.jsParams === undefined ? {} : { js_params: request.jsParams }),
    });
  }

  getNodeChainConfig(): Promise<NodeChainConfig> {
    return this.relayer.get("/get_node_chain_config", { auth: false });
  }
  getChainConfigKeys(): Promise<{ keys: string[] }> {
    return this.relayer.get("/get_chain_config_keys", { auth: false });
  }
  getLitActionClientConfig(): Promise<LitActionClientConfig> {
    return this.relayer.get("/get_lit_action_client_config", { auth: false });
  }
  getApiPayers(): Promise<string[]> {
    return this.relayer.get("/get_api_payers", { auth: false });
  }
  getAdminApiPayer(): Promise<string> {
    return this.relayer.get("/get_admin_api_payer", { auth: false });
  }
  version(): Promise<VersionInfo> {
    return this.relayer.get("/version", { auth: false });
  }

  // ------------------------------------------------------------------ billing (API key, or X-Wallet-Auth in sovereign mode)

  getStripeConfig(): Promise<StripeConfig> {
    return this.relayer.get("/billing/stripe_config", { auth: false });
  }
  async getBillingBalance(): Promise<BillingBalance> {
    return this.relayer.get("/billing/balance", { headers: await this.transport.billingHeaders() });
  }
  async createPaymentIntent(request: { amountCents: number }): Promise<PaymentIntent> {
    const headers = await this.transport.billingHeaders();
    return this.relayer.post("/billing/create_payment_intent", { amount_cents: request.amountCents }, { headers });
  }
  async confirmPayment(request: { paymentIntentId: string }): Promise<ConfirmPaymentResponse> {
    const headers = await this.transport.billingHeaders();
    return this.relayer.post("/billing/confirm_payment", { payment_intent_id: request.paymentIntentId }, { headers });
  }
}

/** Creates an API-mode client (the hosted SDK's default constructor). */
export function createClient(baseUrl: string, options: Omit<ClientOptions, "baseUrl"> = {}): LitNodeSimpleApiClient {
  return new LitNodeSimpleApiClient({ ...options, baseUrl });
}
