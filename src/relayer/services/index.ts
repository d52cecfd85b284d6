/**
 * The relayer's services, wired to the ports. Services know no HTTP: they take validated-shape
 * inputs, check values (400), authority (401/403) and state (404) against the IndexReader, submit
 * writes through the Writer and return port rows or plain results.
 */
import type { FreshReadsPolicy, RelayerConfig } from "../config";
import { INDEX_AS_IS, type FreshIndex, type IndexReader, type ReplayStore, type SignatureChecker, type Writer } from "../ports";
import { clientConfigOverrides } from "../lit-runtime/limits";
import { AccessControl } from "./access";
import { AccountService } from "./accounts";
import { BillingService } from "./billing";
import { ActionService, type CodeStore } from "./actions";
import { GroupService } from "./groups";
import { type LitActionRuntimeOptions, type LitActionService, litActionServiceFor } from "./lit-action";
import { type BuildInfo, type ChainInfo, type NodeConfigurationSource, NodeInfoService } from "./node-info";
import { ConfiguredPayers, type PayerDirectory, type PayerSettings } from "./payers";
import { Submitter } from "./submit";
import { UsageKeyService } from "./usage-keys";
import { WalletService } from "./wallets";
import { MemoryReplayStore, WalletSignatureVerifier } from "./wallet-signatures";
import { ChainSecuredService } from "./wallet-signatures-flows";

export interface ServiceDeps {
  index: IndexReader;
  writer: Writer;
  /** The deployment's root secret (at least 32 bytes). */
  rootSecret: Uint8Array;
  chain: ChainInfo;
  build: BuildInfo;
  /** Payer addresses: a directory, or settings to derive them from. */
  payers: PayerDirectory | PayerSettings;
  /** Unix seconds (default: the wall clock); usage-key expiration is compared with it. */
  now?: () => number;
  codeStore?: CodeStore;
  nodeConfiguration?: NodeConfigurationSource;
  /** Lit Action runtime: local limits, fetch allow-list, code store and usage recorder (default: in memory). */
  litActions?: LitActionRuntimeOptions;
  /** ERC-1271 checks for contract wallets (default: EOA signatures only). */
  signatureChecker?: SignatureChecker;
  /** Single-use wallet signatures (default: in memory). */
  replayStore?: ReplayStore;
  /** Accept the hosted wallet-signature formats besides the bound one (LEGACY_SIGNATURES; default true). */
  legacySignatures?: boolean;
  /** Credits and charges (default: billing off). */
  billing?: BillingService;
  /** Brings the index to the chain head (chain/fresh-index.ts; default INDEX_AS_IS: the index is taken as current). */
  freshIndex?: FreshIndex;
  /**
   * Which answers wait for the index to reach the chain head (FRESH_READS; default "all"):
   * "signatures" = wallet-signature authority only (admin checks, X-Wallet-Auth), "all" = also
   * every credential of a ChainSecured account and every credential not found, "off" = none.
   */
  freshReads?: FreshReadsPolicy;
}

export interface RelayerServices {
  access: AccessControl;
  accounts: AccountService;
  usageKeys: UsageKeyService;
  groups: GroupService;
  actions: ActionService;
  wallets: WalletService;
  nodeInfo: NodeInfoService;
  payers: PayerDirectory;
  litActions: LitActionService;
  chainSecured: ChainSecuredService;
  billing: BillingService;
}

export function createServices(deps: ServiceDeps): RelayerServices {
  if (deps.rootSecret.length < 32) throw new Error("rootSecret: expected at least 32 bytes");
  const now = deps.now ?? (() => Date.now() / 1000);
  const { index, rootSecret } = deps;
  const billing = deps.billing ?? BillingService.disabled();
  const submitter = new Submitter(deps.writer, billing);
  const policy = deps.freshReads ?? "all";
  const fresh = deps.freshIndex ?? INDEX_AS_IS;
  const access = new AccessControl(index, now, policy === "all" ? deps.freshIndex : undefined);
  const payers = "apiPayers" in deps.payers ? deps.payers : new ConfiguredPayers(rootSecret, deps.payers);
  const nodeInfo = new NodeInfoService({
    chain: deps.chain,
    build: deps.build,
    nodeConfiguration: deps.nodeConfiguration,
    localLimits: clientConfigOverrides(deps.litActions?.limits ?? {}),
  });
  const litActions = litActionServiceFor({
    index,
    rootSecret,
    now,
    nodeInfo,
    codeStore: deps.codeStore,
    options: { ...deps.litActions, billing },
  });
  return {
    access,
    accounts: new AccountService({ access, submitter, rootSecret }),
    usageKeys: new UsageKeyService({ index, submitter, rootSecret }),
    groups: new GroupService({ index, submitter }),
    actions: new ActionService({ index, submitter, codeStore: litActions.codeStore }),
    wallets: new WalletService({ index, submitter, rootSecret }),
    nodeInfo,
    payers,
    litActions,
    billing,
    chainSecured: new ChainSecuredService({
      index,
      submitter,
      rootSecret,
      now,
      fresh: policy === "off" ? INDEX_AS_IS : fresh,
      verifier: new WalletSignatureVerifier({
        chainId: deps.chain.chainId,
        verifyingContract: deps.chain.contractAddress,
        acceptHostedFormats: deps.legacySignatures ?? true,
        now,
        checker: deps.signatureChecker,
        replay: deps.replayStore ?? new MemoryReplayStore(now),
      }),
    }),
  };
}

/** Services for a loaded configuration: chain info, build info and payers come from `config`. */
export function createServicesFromConfig(
  config: RelayerConfig,
  deps: Omit<ServiceDeps, "rootSecret" | "chain" | "build" | "payers"> & Partial<Pick<ServiceDeps, "payers">>,
): RelayerServices {
  return createServices({
    ...deps,
    rootSecret: config.rootSecret,
    chain: {
      name: config.chain.name,
      chainId: config.chain.chainId,
      testnet: config.chain.testnet,
      token: config.chain.token,
      contractAddress: config.chain.diamondAddress,
    },
    build: config.build,
    payers: deps.payers ?? config.payers,
    legacySignatures: deps.legacySignatures ?? config.legacySignatures,
    freshReads: deps.freshReads ?? config.freshReads.policy,
    litActions: { ...config.litActions, ...deps.litActions },
  });
}

export type { Caller } from "./access";
export { ServiceError, type ErrorKind } from "./errors";
export type { CodeStore } from "./actions";
export type { BuildInfo, ChainInfo, NodeConfigurationSource } from "./node-info";
export type { PayerDirectory, PayerSettings } from "./payers";
export type { WriteOptions } from "./submit";
export { BillingService, balanceView, type BalanceView, type Charge, type ExecutionMeter } from "./billing";
