/**
 * The AccountConfig diamond as the SDK reaches it: its address (given, or the relayer's
 * get_node_chain_config), read-only views through the signer's provider (or rpcUrl), views asked as
 * the wallet, and transactions sent by the wallet whose reverts become ContractRevertError. Also
 * what a wallet signature is bound to (chain and diamond, docs/wallet-signatures.md).
 */
import {
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  type LogDescription,
  type Provider,
  type Signer,
  JsonRpcProvider,
  ZeroAddress,
} from "ethers";
import type { IAccountConfig } from "../../typechain-types/contracts/interfaces/IAccountConfig";
import { IAccountConfig__factory } from "../../typechain-types/factories/contracts/interfaces/IAccountConfig__factory";
import { type Hash32, chainSecuredHash } from "../core/hashing";
import { ContractRevertError, LitUsageError } from "./errors";
import type { Session } from "./options";
import type { RelayerHttp } from "./relayer-http";
import { decodeRevert } from "./revert";
import type { ChainSecuredBinding } from "./typed-data";
import type { NodeChainConfig, SuccessResponse } from "./types";

export class DiamondConnection {
  private chainIdCache: number | undefined;
  private fallbackProvider: Provider | undefined;

  constructor(
    private readonly session: Session,
    private readonly relayer: RelayerHttp,
    private contractAddress: string | undefined,
    private readonly rpcUrl: string | undefined,
  ) {}

  /** The connected wallet; `operation` names what needed it in the error when there is none. */
  requireSigner(operation: string): Signer {
    if (this.session.signer === undefined)
      throw new LitUsageError(`${operation}: connect a signer first (connectSigner)`);
    return this.session.signer;
  }

  /** The account hash contract calls name: the override, or the connected wallet's alias. */
  async adminHash(): Promise<Hash32> {
    if (this.session.adminHash !== undefined) return this.session.adminHash;
    return chainSecuredHash(await this.requireSigner("a sovereign-mode call").getAddress());
  }

  async address(): Promise<string> {
    this.contractAddress ??= (await this.relayer.get<NodeChainConfig>("/get_node_chain_config", { auth: false }))
      .contract_address;
    if (!this.contractAddress || this.contractAddress === ZeroAddress)
      throw new LitUsageError("contractAddress: not configured and not reported by get_node_chain_config");
    return this.contractAddress;
  }

  async chainId(): Promise<number> {
    this.chainIdCache ??= Number(
      (await this.relayer.get<NodeChainConfig>("/get_node_chain_config", { auth: false })).chain_id,
    );
    return this.chainIdCache;
  }

  /** What a wallet signature is bound to: this chain and diamond, and for a conversion the account. */
  async signatureBinding(chainId?: number, apiKeyHash?: Hash32): Promise<ChainSecuredBinding> {
    return {
      chainId: chainId ?? (await this.chainId()),
      verifyingContract: await this.address(),
      ...(apiKeyHash === undefined ? {} : { apiKeyHash }),
    };
  }

  /** Views whose answer does not depend on the caller. */
  async reader(): Promise<IAccountConfig> {
    const signer = this.session.signer;
    if (signer?.provider == null && this.rpcUrl !== undefined) this.fallbackProvider ??= new JsonRpcProvider(this.rpcUrl);
    const provider: Provider | null = signer?.provider ?? this.fallbackProvider ?? null;
    if (provider === null) throw new LitUsageError("contract reads need a signer with a provider or rpcUrl");
    return IAccountConfig__factory.connect(await this.address(), provider);
  }

  /** Views whose answer depends on the caller (msg.sender = the connected wallet). */
  async readerAsSigner(): Promise<IAccountConfig> {
    const signer = this.requireSigner("a read as the wallet");
    if (signer.provider == null) throw new LitUsageError("reads as the wallet need a signer with a provider");
    return IAccountConfig__factory.connect(await this.address(), signer);
  }

  async writer(): Promise<IAccountConfig> {
    return IAccountConfig__factory.connect(await this.address(), this.requireSigner("a contract write"));
  }

  /** One transaction through the wallet; a revert becomes ContractRevertError. */
  async tx(
    method: string,
    call: (contract: IAccountConfig) => Promise<ContractTransactionResponse>,
  ): Promise<SuccessResponse> {
    const receipt = await this.send(method, call);
    return { success: true, transaction_hash: receipt.hash };
  }

  /** One transaction through the wallet, returning its (successful) receipt. */
  async send(
    method: string,
    call: (contract: IAccountConfig) => Promise<ContractTransactionResponse>,
  ): Promise<ContractTransactionReceipt> {
    const contract = await this.writer();
    try {
      const response = await call(contract);
      const receipt = await response.wait();
      if (receipt === null || receipt.status !== 1) throw new ContractRevertError("Unknown", [], null, method);
      return receipt;
    } catch (e) {
      throw decodeRevert(e, method);
    }
  }
}

const EVENTS = IAccountConfig__factory.createInterface();

/** The first log of `receipt` that is the diamond's event `name`, decoded; null when there is none. */
export function eventIn(receipt: ContractTransactionReceipt, name: string): LogDescription | null {
  for (const log of receipt.logs) {
    let parsed: LogDescription | null = null;
    try {
      parsed = EVENTS.parseLog(log);
    } catch {
      parsed = null;
    }
    if (parsed?.name === name) return parsed;
  }
  return null;
}
