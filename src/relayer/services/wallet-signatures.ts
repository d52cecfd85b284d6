/**
 * The one verifier of wallet signatures (docs/wallet-signatures.md), for the ChainSecured
 * endpoints and the X-Wallet-Auth billing header, in three formats:
 * - bound EIP-712 typed data (domain version "2"; this project's SDK and dashboard): the domain
 *   names the diamond (verifyingContract) and the chain, and ConvertAccount also names the account
 *   (apiKeyHash); see wallet-signatures-typed-data.ts;
 * - the hosted EIP-712 typed data (domain version "1", seed 001) and
 * - the hosted EIP-191 text `{message, signature}` (lines `Address:`, `Chain ID:`, `Issued At:`,
 *   and a first line naming the flow): both kept for existing clients unless the operator turns
 *   them off (LEGACY_SIGNATURES=false: 401 LegacySignaturesDisabled, saying what to sign instead).
 * Checks, each failing with its own code and message: size (at most 4096 bytes), shape, types,
 * primaryType, domain and diamond, |now - issuedAt| <= 300 s, claimed address, the account a bound
 * conversion names, signer (ECDSA recover for EOAs, ERC-1271 isValidSignature when the address has
 * code), and single use (a replay store keyed by the signed digest, kept for the validity window:
 * a repeat is 409).
 */
import { hashMessage, isHexString, recoverAddress } from "ethers";
import type { Address, Hash32, ReplayStore, SignatureChecker } from "../ports";
import { conflict } from "./errors";
import {
  MAX_SIGNED_PAYLOAD_BYTES,
  type TypedDataExpectations,
  type WalletFlow,
  addressOf,
  badValue as bad,
  denied,
  hostedRefusedMessage,
  isRecord,
  parseTypedData,
} from "./wallet-signatures-typed-data";

export {
  BOUND_DOMAIN_VERSION,
  CHAIN_SECURED_DOMAIN_NAME,
  CHAIN_SECURED_DOMAIN_VERSION,
  MAX_SIGNED_PAYLOAD_BYTES,
  WALLET_FLOWS,
  boundTypedData,
  chainSecuredTypedData,
  type BoundTypedData,
  type HostedTypedData,
  type WalletFlow,
} from "./wallet-signatures-typed-data";

/** Largest accepted |now - issuedAt|, in seconds. */
export const SIGNATURE_WINDOW_SECONDS = 300;
/** ERC-1271 magic value of isValidSignature(bytes32,bytes). */
export const ERC1271_MAGIC_VALUE = "0x1626ba7e";

/** The words the first line of a legacy message must contain, per flow. */
const LEGACY_FLOW_PHRASES: Record<WalletFlow, string | null> = {
  CreateWallet: "create a new wallet",
  ConvertAccount: "take admin ownership",
  AddUsageApiKey: "mint a usage api key",
  BillingAuth: null, // X-Wallet-Auth carries typed data only
};

/** What a request carries: typed data (primary) or a legacy message, and the signature. */
export interface SignedRequest {
  typed_data?: unknown;
  message?: unknown;
  signature: unknown;
  /** The address the body names (wallet_address / new_admin_wallet_address), when present. */
  claimedAddress?: unknown;
  /**
   * The account the request acts on (conversion: the master hash of the key sent). A bound
   * signature that names an account (ConvertAccount's apiKeyHash) must name this one.
   */
  account?: Hash32;
}

export interface VerifiedSignature {
  /** The signer, `0x` + 40 lowercase hex. */
  address: Address;
  /** The signed digest (EIP-712 or EIP-191), the replay-store key. */
  digest: Hash32;
  issuedAt: number;
  /** "bound": EIP-712 domain version "2"; "eip712": the hosted typed data; "legacy": the hosted signed text. */
  format: "bound" | "eip712" | "legacy";
  /** "ecdsa" for an EOA, "erc1271" for a contract wallet. */
  scheme: "ecdsa" | "erc1271";
}

function signatureOf(value: unknown): string {
  if (
    typeof value !== "string" ||
    !isHexString(value.trim()) ||
    value.trim().length < 4 ||
    value.trim().length > 2 + 2 * 2048
  )
    throw bad("InvalidSignature", "signature: expected 0x-prefixed hex bytes");
  return value.trim().toLowerCase();
}

function recoverOrNull(digest: Hash32, signature: string): Address | null {
  try {
    return recoverAddress(digest, signature).toLowerCase();
  } catch {
    return null;
  }
}

export interface WalletSignatureDeps {
  chainId: number;
  /** The diamond the relayer serves: the verifyingContract of bound signatures (null = none, bound refused). */
  verifyingContract?: Address | null;
  /** Accept the hosted formats, typed data version "1" and signed text (LEGACY_SIGNATURES; default true). */
  acceptHostedFormats?: boolean;
  /** Unix seconds. */
  now: () => number;
  /** On-chain checks for contract wallets; absent = EOAs only. */
  checker?: SignatureChecker;
  replay: ReplayStore;
}

export class WalletSignatureVerifier {
  constructor(private readonly deps: WalletSignatureDeps) {}

  get chainId(): number {
    return this.deps.chainId;
  }

  /** Whether the hosted formats are accepted (LEGACY_SIGNATURES). */
  get acceptsHostedFormats(): boolean {
    return this.deps.acceptHostedFormats ?? true;
  }

  /**
   * Verifies a signed request for `flow` and consumes its signature (single use). Throws
   * ServiceError: 400 (size, shape, types), 401 (format turned off, primaryType, domain, diamond,
   * time, address, account, signer), 409 (already used), 503 (chain needed for a contract wallet
   * and unavailable).
   */
  async verify(flow: WalletFlow, request: SignedRequest): Promise<VerifiedSignature> {
    return this.consume(await this.check(flow, request));
  }

  /** Marks a checked signature used; 409 when it already was. */
  async consume(checked: VerifiedSignature): Promise<VerifiedSignature> {
    const claimed = await this.deps.replay.claim(checked.digest, checked.issuedAt + 2 * SIGNATURE_WINDOW_SECONDS);
    if (!claimed) throw conflict("SignatureAlreadyUsed", "signature already used; sign a new message");
    return checked;
  }

  /** Gives a consumed signature back (the work it authorised did not happen). */
  async release(verified: VerifiedSignature): Promise<void> {
    await this.deps.replay.release(verified.digest);
  }

  /** Every check except single use. */
  async check(flow: WalletFlow, request: SignedRequest): Promise<VerifiedSignature> {
    const hasTyped = request.typed_data !== undefined && request.typed_data !== null;
    const hasMessage = request.message !== undefined && request.message !== null;
    if (hasTyped === hasMessage)
      throw bad("InvalidTypedData", "send exactly one of typed_data (EIP-712) or message (legacy signed text)");
    const signature = signatureOf(request.signature);
    const parsed = hasTyped
      ? this.parseTyped(flow, request.typed_data)
      : { ...this.parseLegacy(flow, request.message), account: undefined };
    const skew = Math.abs(Math.floor(this.deps.now()) - parsed.issuedAt);
    if (skew > SIGNATURE_WINDOW_SECONDS) {
      const when = parsed.issuedAt > this.deps.now() ? "in the future" : "too old";
      throw denied(
        "SignatureExpired",
        `issuedAt ${parsed.issuedAt} is ${when}: it must be within ${SIGNATURE_WINDOW_SECONDS} s of server time; sign a new message`,
      );
    }
    if (request.claimedAddress !== undefined && request.claimedAddress !== null) {
      const claimed = addressOf(request.claimedAddress, "wallet address", "InvalidValue");
      if (claimed !== parsed.address)
        throw denied(
          "AddressMismatch",
          `the body's address ${claimed} differs from the signed address ${parsed.address}`,
        );
    }
    if (parsed.account !== undefined && parsed.account !== request.account?.toLowerCase())
      throw denied(
        "WrongAccount",
        `typed_data.message.apiKeyHash: the signature is for account ${parsed.account}, but this request acts on ` +
          `${request.account === undefined ? "no account" : `account ${request.account.toLowerCase()}`}`,
      );
    const scheme = await this.checkSigner(parsed.address, parsed.digest, signature);
    return { address: parsed.address, digest: parsed.digest, issuedAt: parsed.issuedAt, format: parsed.format, scheme };
  }

  private parseTyped(
    flow: WalletFlow,
    raw: unknown,
  ): { address: Address; issuedAt: number; digest: Hash32; format: "bound" | "eip712"; account?: Hash32 } {
    const parsed = parseTypedData(flow, raw, this.expectations());
    return { ...parsed, format: parsed.format === "bound" ? "bound" : "eip712" };
  }

  private parseLegacy(
    flow: WalletFlow,
    raw: unknown,
  ): { address: Address; issuedAt: number; digest: Hash32; format: "legacy" } {
    const phrase = LEGACY_FLOW_PHRASES[flow];
    if (phrase === null) throw bad("InvalidTypedData", "this credential takes typed_data (EIP-712) only");
    if (!this.acceptsHostedFormats)
      throw denied("LegacySignaturesDisabled", hostedRefusedMessage("message (signed text)", flow, this.expectations()));
    if (typeof raw !== "string") throw bad("InvalidTypedData", "message: expected a string");
    if (Buffer.byteLength(raw, "utf8") > MAX_SIGNED_PAYLOAD_BYTES)
      throw bad("TypedDataTooLarge", `message: larger than ${MAX_SIGNED_PAYLOAD_BYTES} bytes`);
    const lines = raw.split("\n").map((l) => l.replace(/\r$/, ""));
    if (!(lines[0] ?? "").toLowerCase().includes(phrase))
      throw denied("WrongPrimaryType", `message: the first line must name this endpoint's flow ("... ${phrase} ...")`);
    const fields = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const m = /^([A-Za-z][A-Za-z ]{0,40}):\s*(.*)$/.exec(line.trim());
      if (m === null) continue;
      const key = (m[1] ?? "").trim().toLowerCase();
      if (fields.has(key)) throw bad("InvalidTypedData", `message: duplicate line "${m[1]}"`);
      fields.set(key, (m[2] ?? "").trim());
    }
    const need = (key: string, label: string): string => {
      const v = fields.get(key);
      if (v === undefined) throw bad("InvalidTypedData", `message: missing line "${label}: ..."`);
      return v;
    };
    const address = addressOf(need("address", "Address"), "message Address");
    const chainText = need("chain id", "Chain ID");
    const issuedText = need("issued at", "Issued At");
    if (!/^[0-9]{1,20}$/.test(chainText)) throw bad("InvalidTypedData", "message Chain ID: expected a decimal u64");
    if (!/^[0-9]{1,15}$/.test(issuedText)) throw bad("InvalidTypedData", "message Issued At: expected unix seconds");
    if (BigInt(chainText) !== BigInt(this.deps.chainId))
      throw denied("WrongChainId", `message Chain ID: expected ${this.deps.chainId} (this node's chain)`);
    return { address, issuedAt: Number(issuedText), digest: hashMessage(raw), format: "legacy" };
  }

  private expectations(): TypedDataExpectations {
    return {
      chainId: this.deps.chainId,
      verifyingContract: this.deps.verifyingContract ?? null,
      acceptHosted: this.acceptsHostedFormats,
    };
  }

  private async checkSigner(address: Address, digest: Hash32, signature: string): Promise<"ecdsa" | "erc1271"> {
    const checker = this.deps.checker;
    if (checker !== undefined && (await checker.hasCode(address))) {
      if (await checker.isValidSignature(address, digest, signature)) return "erc1271";
      // An EOA with delegated code (EIP-7702) still signs with its key; a contract deployed with
      // CREATE/CREATE2 has no key, so ECDSA recovery can never match its address.
      if (recoverOrNull(digest, signature) === address) return "ecdsa";
      throw denied("SignerMismatch", `the contract wallet ${address} did not accept the signature (ERC-1271)`);
    }
    const recovered = recoverOrNull(digest, signature);
    if (recovered === null) throw denied("InvalidSignature", "signature: not a valid 65-byte ECDSA signature");
    if (recovered !== address)
      throw denied("SignerMismatch", `signature: recovered signer ${recovered} is not the signed address ${address}`);
    return "ecdsa";
  }

  /** X-Wallet-Auth: base64 of JSON {typed_data, signature} (BillingAuth); returns the signer. */
  async verifyWalletAuthHeader(header: string): Promise<VerifiedSignature> {
    const text = header.trim();
    if (text.length > 4 * MAX_SIGNED_PAYLOAD_BYTES) throw bad("TypedDataTooLarge", "X-Wallet-Auth: too large");
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(text, "base64").toString("utf8"));
    } catch {
      throw denied("InvalidWalletAuth", "X-Wallet-Auth: expected base64 of JSON {typed_data, signature}");
    }
    if (!isRecord(decoded))
      throw denied("InvalidWalletAuth", "X-Wallet-Auth: expected base64 of JSON {typed_data, signature}");
    return this.verify("BillingAuth", { typed_data: decoded.typed_data, signature: decoded.signature });
  }
}

/** A replay store in memory (tests, and services built without a database). */
export class MemoryReplayStore implements ReplayStore {
  private readonly used = new Map<string, number>();
  constructor(private readonly now: () => number = () => Date.now() / 1000) {}
  async claim(key: Hash32, expiresAt: number): Promise<boolean> {
    const t = this.now();
    for (const [k, e] of this.used) if (e < t) this.used.delete(k);
    if (this.used.has(key)) return false;
    this.used.set(key, expiresAt);
    return true;
  }
  async release(key: Hash32): Promise<void> {
    this.used.delete(key);
  }
}
