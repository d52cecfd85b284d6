/**
 * An EIP-1193 wallet injected into the page (window.ethereum) for the browser tests. Every request
 * goes to Node through page.exposeFunction, where an ethers Wallet holding a Hardhat dev key
 * answers: accounts, chain id and switching, EIP-712 and personal_sign signatures, and
 * eth_sendTransaction (signed locally, sent to the in-process Hardhat chain). Other methods
 * (eth_call, eth_estimateGas, receipts, blocks, ...) are proxied to the chain. The wallet can start
 * on a wrong chain id to exercise the dashboard's switch prompt.
 */
import { type Provider, type TransactionRequest, Wallet, getBytes } from "ethers";
import type { Page } from "playwright-core";

/** The part of hardhat's network.provider used here. */
export interface Eip1193Like {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

interface Reply {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
  events?: [string, unknown][];
}

/** Runs in the page before its scripts: window.ethereum forwarding to the Node wallet. */
const PAGE_SHIM = `(() => {
  const listeners = new Map();
  const emit = (event, payload) => {
    for (const fn of [...(listeners.get(event) || [])]) {
      try { fn(payload); } catch (e) { console.error("wallet listener failed", e); }
    }
  };
  const ethereum = {
    isTestWallet: true,
    async request({ method, params }) {
      const reply = JSON.parse(await window.__testWalletRequest(method, JSON.stringify(params === undefined ? [] : params)));
      for (const [event, payload] of reply.events || []) setTimeout(() => emit(event, payload), 0);
      if (reply.error) {
        const err = new Error(reply.error.message);
        err.code = reply.error.code;
        if (reply.error.data !== undefined) err.data = reply.error.data;
        throw err;
      }
      return reply.result;
    },
    on(event, fn) { listeners.set(event, [...(listeners.get(event) || []), fn]); return ethereum; },
    removeListener(event, fn) { listeners.set(event, (listeners.get(event) || []).filter((f) => f !== fn)); return ethereum; },
  };
  window.ethereum = ethereum;
  window.__testWalletEmit = emit;
})();`;

const hex = (n: number) => `0x${n.toString(16)}`;

export class TestWallet {
  private wallet: Wallet;
  private chainId: number;
  private connected = false;
  /** Every method the page asked for, in order. */
  readonly calls: string[] = [];
  /** The primaryType of every typed-data signature. */
  readonly signedTypes: string[] = [];
  /** Every typed-data signature request: its domain and message, in order. */
  readonly signedTypedData: { primaryType: string; domain: Record<string, unknown>; message: Record<string, unknown> }[] = [];
  private page: Page | null = null;

  constructor(
    private readonly chain: Eip1193Like,
    private readonly ethersProvider: Provider,
    readonly realChainId: number,
    privateKey: string,
    options: { startChainId?: number } = {},
  ) {
    this.wallet = new Wallet(privateKey, ethersProvider);
    this.chainId = options.startChainId ?? realChainId;
  }

  get address(): string {
    return this.wallet.address;
  }

  get reportedChainId(): number {
    return this.chainId;
  }

  /** Installs window.ethereum in every document the page loads from now on. */
  async attach(page: Page): Promise<void> {
    this.page = page;
    await page.exposeFunction("__testWalletRequest", (method: string, paramsJson: string) =>
      this.handle(method, JSON.parse(paramsJson) as unknown[]).then((r) => JSON.stringify(r)),
    );
    await page.addInitScript(PAGE_SHIM);
  }

  /** Switches the wallet to another key (as choosing another account in a wallet) and tells the page. */
  async useKey(privateKey: string, options: { startChainId?: number; emit?: boolean } = {}): Promise<void> {
    this.wallet = new Wallet(privateKey, this.ethersProvider);
    if (options.startChainId !== undefined) this.chainId = options.startChainId;
    if (options.emit !== false && this.page !== null && this.connected) {
      await this.page.evaluate(
        (a) => (window as unknown as { __testWalletEmit(e: string, p: unknown): void }).__testWalletEmit("accountsChanged", [a]),
        this.wallet.address.toLowerCase(),
      );
    }
  }

  /** Forgets the connection (the next eth_accounts is empty until eth_requestAccounts). */
  disconnect(): void {
    this.connected = false;
  }

  private async handle(method: string, params: unknown[]): Promise<Reply> {
    this.calls.push(method);
    try {
      return await this.answer(method, params);
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown; data?: unknown };
      return {
        error: {
          code: typeof err.code === "number" ? err.code : -32603,
          message: typeof err.message === "string" ? err.message : String(e),
          ...(err.data === undefined ? {} : { data: err.data }),
        },
      };
    }
  }

  private async answer(method: string, params: unknown[]): Promise<Reply> {
    const me = this.wallet.address.toLowerCase();
    switch (method) {
      case "eth_requestAccounts":
        this.connected = true;
        return { result: [me] };
      case "eth_accounts":
        return { result: this.connected ? [me] : [] };
      case "eth_chainId":
        return { result: hex(this.chainId) };
      case "net_version":
        return { result: String(this.chainId) };
      case "wallet_switchEthereumChain": {
        const wanted = Number(BigInt(String((params[0] as { chainId?: unknown } | undefined)?.chainId)));
        if (wanted !== this.realChainId) {
          return { error: { code: 4902, message: `Unrecognized chain ID ${hex(wanted)}; try adding the chain first` } };
        }
        const changed = wanted !== this.chainId;
        this.chainId = wanted;
        return { result: null, events: changed ? [["chainChanged", hex(wanted)]] : [] };
      }
      case "eth_signTypedData_v4": {
        this.requireAccount(params[0]);
        const typed = JSON.parse(String(params[1])) as {
          domain: Record<string, unknown>;
          types: Record<string, { name: string; type: string }[]>;
          primaryType: string;
          message: Record<string, unknown>;
        };
        const types = { ...typed.types };
        delete types.EIP712Domain;
        this.signedTypes.push(typed.primaryType);
        this.signedTypedData.push({ primaryType: typed.primaryType, domain: typed.domain, message: typed.message });
        return { result: await this.wallet.signTypedData(typed.domain, types, typed.message) };
      }
      case "personal_sign": {
        this.requireAccount(params[1]);
        return { result: await this.wallet.signMessage(getBytes(String(params[0]))) };
      }
      case "eth_sendTransaction": {
        const tx = params[0] as Record<string, string | undefined>;
        this.requireAccount(tx.from);
        if (this.chainId !== this.realChainId) {
          return { error: { code: -32000, message: `test wallet is on chain ${this.chainId}, not ${this.realChainId}` } };
        }
        const request: TransactionRequest = {
          to: tx.to,
          data: tx.data,
          value: tx.value === undefined ? 0n : BigInt(tx.value),
          ...(tx.gas === undefined ? {} : { gasLimit: BigInt(tx.gas) }),
          chainId: this.realChainId,
        };
        const sent = await this.wallet.sendTransaction(request);
        return { result: sent.hash };
      }
      default:
        return { result: await this.chain.request({ method, params }) };
    }
  }

  private requireAccount(address: unknown): void {
    if (!this.connected) throw Object.assign(new Error("test wallet: not connected"), { code: 4100 });
    if (typeof address === "string" && address.toLowerCase() !== this.wallet.address.toLowerCase()) {
      throw Object.assign(new Error(`test wallet: ${address} is not the selected account`), { code: 4100 });
    }
  }
}
