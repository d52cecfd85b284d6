/**
 * A signer that shows a transaction preview before the wallet is asked to sign: it wraps the
 * wallet's signer, estimates gas (a revert stops here, decoded, and nothing is sent), asks the
 * dashboard to approve the decoded call, and only then forwards the transaction to the wallet.
 * The SDK's sovereign mode uses it like any ethers v6 signer.
 */
import {
  AbstractSigner,
  type Provider,
  type Signer,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
  resolveAddress,
} from "ethers";
import { type TxPreview, decodeCall } from "./tx-preview";

/** The person closed the preview without confirming: nothing was sent. */
export class TransactionCancelledError extends Error {
  constructor(functionName: string) {
    super(`${functionName}: cancelled in the transaction preview; nothing was sent`);
    this.name = "TransactionCancelledError";
  }
}

export interface PreviewHooks {
  /** Shows the preview; resolves true to send, false to cancel. */
  approve(preview: TxPreview): Promise<boolean>;
  /** Progress for the status line ("Estimating gas", "Confirm in your wallet", ...). */
  phase(text: string): void;
}

export class PreviewSigner extends AbstractSigner<Provider | null> {
  constructor(
    readonly inner: Signer,
    private readonly hooks: PreviewHooks,
  ) {
    super(inner.provider);
  }

  getAddress(): Promise<string> {
    return this.inner.getAddress();
  }

  connect(): Signer {
    throw new Error("PreviewSigner: connect is not supported; wrap the wallet's signer instead");
  }

  signTransaction(tx: TransactionRequest): Promise<string> {
    return this.inner.signTransaction(tx);
  }

  signMessage(message: string | Uint8Array): Promise<string> {
    this.hooks.phase("Sign the message in your wallet");
    return this.inner.signMessage(message);
  }

  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    this.hooks.phase(`Sign the ${Object.keys(types)[0] ?? "typed data"} message in your wallet`);
    return this.inner.signTypedData(domain, types, value);
  }

  async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const provider = this.inner.provider;
    if (provider === null) throw new Error("PreviewSigner: the wallet's signer has no provider");
    const from = await this.getAddress();
    const to = tx.to == null ? "" : await resolveAddress(tx.to, provider);
    const data = typeof tx.data === "string" ? tx.data : "0x";
    const call = decodeCall(data);
    this.hooks.phase(`Estimating gas for ${call.functionName}`);
    // A revert surfaces here (the SDK decodes the custom error) before the wallet sees anything.
    const gas = await provider.estimateGas({ ...tx, from });
    const fees = await provider.getFeeData().catch(() => null);
    const preview: TxPreview = {
      ...call,
      from,
      to,
      gas,
      gasPriceWei: fees?.maxFeePerGas ?? fees?.gasPrice ?? null,
    };
    this.hooks.phase(`Review the ${call.functionName} transaction`);
    if (!(await this.hooks.approve(preview))) throw new TransactionCancelledError(call.functionName);
    this.hooks.phase(`Confirm ${call.functionName} in your wallet`);
    const response = await this.inner.sendTransaction({ ...tx, from, gasLimit: gas + gas / 5n });
    this.hooks.phase(`Waiting for ${call.functionName} to be confirmed on-chain (transaction ${response.hash.slice(0, 10)}…)`);
    return response;
  }
}
