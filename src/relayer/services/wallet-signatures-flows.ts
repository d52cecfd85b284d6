/**
 * The ChainSecured endpoints (http-api.md §3, §4, §6):
 * - createWallet: a wallet signature (CreateWallet) by the CURRENT admin of an account, resolved
 *   through the wallet's alias hash (no account -> 404); returns a fresh PKP bound to that account
 *   (its key context includes the account's master hash), which the client registers itself.
 * - addUsageApiKey: the same with AddUsageApiKey; also returns a fresh usage key text.
 * - convert: the master key of a managed account plus a ConvertAccount signature by the new admin
 *   (a bound one must name this account's master hash); the api payer sends
 *   convertToChainSecuredAccount.
 * - billingAuth: X-Wallet-Auth (BillingAuth) -> the account whose admin signed.
 * A signature is consumed before the work and given back when the work fails.
 * Every admin and alias decision is taken on an index that has reached the chain head as of the
 * request (FreshIndex, docs/finality.md "Answers that follow the chain"): the wallet writes its
 * account, transfers and aliases on-chain itself, so the last poll may not know of them yet.
 */
import { chainSecuredHash, pkpAddress } from "../../core";
import { INDEX_AS_IS, type Address, type FreshIndex, type Hash32, type IndexReader } from "../ports";
import type { Caller } from "./access";
import { ServiceError, conflict, forbidden, notFound } from "./errors";
import { freshApiKey, freshDerivation } from "./randomness";
import type { Submitter, WriteOptions } from "./submit";
import type { SignedRequest, VerifiedSignature, WalletSignatureVerifier } from "./wallet-signatures";
import { PkpKeys } from "./wallet-signatures-keys";

export interface MintedWallet {
  walletAddress: Address;
  /** `0x` + lowercase hex, no padding. */
  derivationPath: string;
  /** The account the wallet's key is bound to. */
  master: Hash32;
}

export interface WalletAccount {
  address: Address;
  master: Hash32;
}

/** A small per-address token bucket for the unauthenticated minting endpoints. */
class AddressLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {}
  take(address: string): void {
    if (this.perSecond <= 0) return;
    const now = this.now();
    const prev = this.buckets.get(address);
    const tokens =
      prev === undefined ? this.burst : Math.min(this.burst, prev.tokens + (now - prev.at) * this.perSecond);
    this.buckets.delete(address);
    if (this.buckets.size > 100_000) this.buckets.delete(this.buckets.keys().next().value as string);
    if (tokens < 1) {
      this.buckets.set(address, { tokens, at: now });
      const wait = Math.max(1, Math.ceil((1 - tokens) / this.perSecond));
      throw new ServiceError(
        "RateLimited",
        "RateLimited",
        `too many mint requests for ${address}; retry in ${wait} s`,
        wait,
      );
    }
    this.buckets.set(address, { tokens: tokens - 1, at: now });
  }
}

export interface ChainSecuredDeps {
  index: IndexReader;
  submitter: Submitter;
  rootSecret: Uint8Array;
  verifier: WalletSignatureVerifier;
  now: () => number;
  /** Mint requests per address: per minute and burst (default 60 / 20; 0 per minute = off). */
  mintLimit?: { perMinute: number; burst: number };
  /** Brings the index to the chain head before admin decisions (default INDEX_AS_IS: the index is taken as current). */
  fresh?: FreshIndex;
}

export class ChainSecuredService {
  private readonly limiter: AddressLimiter;
  private readonly fresh: FreshIndex;
  /** The account-bound PKP keys (use `pkpKeys.signingKey(master, pkpId)` before any use of a PKP key). */
  readonly pkpKeys: PkpKeys;

  constructor(private readonly deps: ChainSecuredDeps) {
    this.pkpKeys = new PkpKeys(deps.index, deps.rootSecret);
    this.fresh = deps.fresh ?? INDEX_AS_IS;
    const limit = deps.mintLimit ?? { perMinute: 60, burst: 20 };
    this.limiter = new AddressLimiter(limit.perMinute / 60, limit.burst, deps.now);
  }

  get verifier(): WalletSignatureVerifier {
    return this.deps.verifier;
  }

  /** POST /create_wallet_with_signature. */
  async createWallet(request: SignedRequest): Promise<MintedWallet> {
    return this.withSignature("CreateWallet", request, async (v) => {
      const account = await this.adminAccount(v.address);
      this.limiter.take(v.address);
      return this.mint(account.master, "create_wallet_with_signature/derivation");
    });
  }

  /** POST /add_usage_api_key_with_signature. */
  async addUsageApiKey(request: SignedRequest): Promise<MintedWallet & { usageApiKey: string }> {
    return this.withSignature("AddUsageApiKey", request, async (v) => {
      const account = await this.adminAccount(v.address);
      this.limiter.take(v.address);
      const wallet = this.mint(account.master, "add_usage_api_key_with_signature/derivation");
      const usageApiKey = freshApiKey(this.deps.rootSecret, "add_usage_api_key_with_signature/key", account.master);
      return { ...wallet, usageApiKey };
    });
  }

  /** POST /convert_to_chain_secured_account: master key + ConvertAccount signature by the new admin. */
  async convert(
    caller: Caller,
    newAdmin: string,
    request: Omit<SignedRequest, "claimedAddress" | "account">,
    options: WriteOptions,
  ): Promise<{ walletAddress: Address; apiKeyHash: Hash32 }> {
    if (!caller.account.managed)
      throw conflict("InvalidRequest", "account is already ChainSecured; there is no path back or second conversion");
    if (caller.kind !== "Master")
      throw forbidden(
        "NotMasterAccount",
        "only the account (master) key may convert the account; a usage key was sent",
      );
    // A bound ConvertAccount signature names the account it converts: it must be the caller's.
    const signed = { ...request, claimedAddress: newAdmin, account: caller.master };
    return this.withSignature("ConvertAccount", signed, async (v) => {
      await this.requireAliasFree(v.address);
      await this.deps.submitter.billedCall(
        "convertToChainSecuredAccount",
        [caller.master, v.address],
        caller.master,
        options,
      );
      return { walletAddress: v.address, apiKeyHash: caller.master };
    });
  }

  /**
   * LibAccounts.bindAdminAlias: the new admin's alias keccak256(abi.encodePacked(wallet)) must be free:
   * never bound, or reclaimed by the wallet (a tombstone of no account). A usage key of some account
   * squatting it is 409 too, naming the way out (the wallet calls reclaimAddressAlias() on-chain).
   */
  private async requireAliasFree(wallet: Address): Promise<void> {
    await this.fresh.ensureFresh();
    const binding = await this.deps.index.binding(chainSecuredHash(wallet));
    if (binding === null || (binding.kind === "RemovedUsageKey" && BigInt(binding.master) === 0n)) return;
    if (binding.kind === "Master" || binding.kind === "AdminAlias")
      throw conflict("AccountAlreadyExists", `wallet ${wallet} already owns or owned an account`);
    throw conflict(
      "AccountAlreadyExists",
      `the alias of wallet ${wallet} is held by a usage key of another account; the wallet can take it back ` +
        "by calling reclaimAddressAlias() on the AccountConfig contract, then retry",
    );
  }

  /** X-Wallet-Auth: the account whose current admin signed BillingAuth (its balance is keyed by master). */
  async billingAuth(header: string): Promise<WalletAccount> {
    const v = await this.deps.verifier.verifyWalletAuthHeader(header);
    try {
      return await this.adminAccount(v.address);
    } catch (e) {
      await this.deps.verifier.release(v);
      throw e;
    }
  }

  /**
   * The account the signer administers now (ChainSecured: its alias resolves and it is the admin),
   * read from an index at the chain head: an account just created on-chain is found, and a wallet
   * that just transferred its account away is refused.
   */
  private async adminAccount(address: Address): Promise<WalletAccount> {
    await this.fresh.ensureFresh();
    const binding = await this.deps.index.resolve(chainSecuredHash(address));
    const account = binding === null ? null : await this.deps.index.account(binding.master);
    if (binding === null || account === null)
      throw notFound("AccountDoesNotExist", `no account is administered by wallet ${address}`);
    if (account.admin !== address)
      throw forbidden("NoAccountAccess", `wallet ${address} is no longer the admin of its account`);
    return { address, master: binding.master };
  }

  private mint(master: Hash32, purpose: string): MintedWallet {
    const derivation = freshDerivation(this.deps.rootSecret, purpose, master);
    return {
      walletAddress: pkpAddress(this.deps.rootSecret, master, derivation),
      derivationPath: `0x${BigInt(derivation).toString(16)}`,
      master,
    };
  }

  private async withSignature<T>(
    flow: "CreateWallet" | "ConvertAccount" | "AddUsageApiKey",
    request: SignedRequest,
    work: (v: VerifiedSignature) => Promise<T>,
  ): Promise<T> {
    const checked = await this.deps.verifier.check(flow, request);
    const v = await this.deps.verifier.consume(checked);
    try {
      return await work(v);
    } catch (e) {
      await this.deps.verifier.release(v).catch(() => undefined);
      throw e;
    }
  }
}
