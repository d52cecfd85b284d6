/**
 * new_account and account_exists (http-api.md §3, §6). A managed account's wallet is a PKP like any
 * other: a random derivation, its key derived from the root secret (never from the API key), and
 * registered to the account as "AMW" / "Account Master Wallet".
 *
 * new_account is unauthenticated, and a replay under the same Idempotency-Key answers the same
 * secret key (that is what makes a lost answer recoverable). Its scope is only the client's IP,
 * which many callers can share (a NAT, a proxy without TRUST_PROXY), so the key itself must be the
 * secret: new_account accepts only an Idempotency-Key that cannot be guessed (a UUID v4, or at
 * least 128 bits in hex or base64), else 400 (docs/relayer-untrusted-input.md, "new_account replays").
 */
import { apiKeyTextHash, pkpAddress } from "../../core";
import type { Address, Hash32 } from "../ports";
import type { AccessControl } from "./access";
import type { Submitter, WriteOptions } from "./submit";
import { freshApiKey, freshDerivation } from "./randomness";
import { invalidValue } from "./errors";
import * as v from "./values";

export interface NewAccountInput {
  accountName: string;
  accountDescription: string;
  email?: string;
}

export interface NewAccountResult {
  /** Shown once; only its hash is stored. */
  apiKey: string;
  walletAddress: Address;
}

export interface AnonymousWriteOptions extends WriteOptions {
  /** The client's IP: new_account's idempotency scope is "anon:<ip>". */
  clientIp: string;
}

const MAX_EMAIL_BYTES = 320;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ANY_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Distinct characters below this mark a constant or patterned key, never a random one. */
const MIN_DISTINCT_CHARACTERS = 8;

/**
 * Why `key` is not an unguessable new_account Idempotency-Key, or null: a UUID v4 (122 random
 * bits), or at least 128 bits of hex (32 digits) or base64 / base64url (22 characters), with at
 * least 8 distinct characters (random text of that length has them with overwhelming probability).
 */
export function guessableIdempotencyKey(key: string): string | null {
  const what =
    "new_account needs an Idempotency-Key that cannot be guessed: a random UUID v4 " +
    "(crypto.randomUUID()), or at least 128 random bits as 32 hex digits or 22 base64url characters";
  if (!UUID_V4.test(key)) {
    if (ANY_UUID.test(key)) return `${what}; a UUID of another version (time- or name-based) can be guessed`;
    let bits: number;
    // Hex (dashes as separators only) carries 4 bits a digit, base64 / base64url 6 a character.
    if (/^[0-9a-fA-F-]+$/.test(key)) bits = key.replace(/-/g, "").length * 4;
    else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(key)) bits = key.replace(/=+$/, "").length * 6;
    else return what;
    if (bits < 128) return `${what}; this one holds at most ${bits} bits`;
  }
  if (new Set(key.replace(/[-=]/g, "").toLowerCase()).size < MIN_DISTINCT_CHARACTERS) return `${what}; this one is not random`;
  return null;
}

export class AccountService {
  constructor(private readonly deps: { access: AccessControl; submitter: Submitter; rootSecret: Uint8Array }) {}

  async newAccount(input: NewAccountInput, options: AnonymousWriteOptions): Promise<NewAccountResult> {
    const name = v.name("account_name", input.accountName);
    const description = v.description("account_description", input.accountDescription);
    if (input.email !== undefined) v.text("email", input.email, MAX_EMAIL_BYTES); // accepted, not stored on-chain
    if (options.idempotencyKey !== undefined) {
      const problem = guessableIdempotencyKey(options.idempotencyKey);
      if (problem !== null) throw invalidValue("Idempotency-Key", problem);
    }
    const scope = `anon:${options.clientIp}`;
    const { rootSecret, submitter } = this.deps;
    const apiKey = freshApiKey(rootSecret, "new_account/api-key", scope, options.idempotencyKey);
    const master: Hash32 = apiKeyTextHash(apiKey);
    const derivation = freshDerivation(rootSecret, "new_account/derivation", scope, options.idempotencyKey);
    const wallet = pkpAddress(rootSecret, master, derivation);
    await submitter.call("newAccount", [master, true, name, description, wallet], scope, options, "newAccount");
    await submitter.call(
      "registerWalletDerivation",
      [master, wallet, derivation, "AMW", "Account Master Wallet"],
      scope,
      options,
      "registerWalletDerivation",
    );
    return { apiKey, walletAddress: wallet };
  }

  /** Whether the credential resolves to an account, in either mode (false for unknown or removed keys). */
  accountExists(credentialHash: Hash32): Promise<boolean> {
    return this.deps.access.exists(credentialHash);
  }
}
