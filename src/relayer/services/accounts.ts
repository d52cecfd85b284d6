/**
 * new_account and account_exists (http-api.md §3, §6). A managed account's wallet is a PKP like any
 * other: a random derivation, its key derived from the root secret (never from the API key), and
 * registered to the account as "AMW" / "Account Master Wallet".
 */
import { keccak256, toUtf8Bytes } from "ethers";
import { pkpAddress } from "../../core";
import type { Address, Hex32 } from "../ports";
import type { AccessControl } from "./access";
import type { Submitter, WriteOptions } from "./submit";
import { freshApiKey, freshDerivation } from "./randomness";
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

export class AccountService {
  constructor(private readonly deps: { access: AccessControl; submitter: Submitter; rootSecret: Uint8Array }) {}

  async newAccount(input: NewAccountInput, options: AnonymousWriteOptions): Promise<NewAccountResult> {
    const name = v.name("account_name", input.accountName);
    const description = v.description("account_description", input.accountDescription);
    if (input.email !== undefined) v.text("email", input.email, MAX_EMAIL_BYTES); // accepted, not stored on-chain
    const scope = `anon:${options.clientIp}`;
    const { rootSecret, submitter } = this.deps;
    const apiKey = freshApiKey(rootSecret, "new_account/api-key", scope, options.idempotencyKey);
    const master: Hex32 = keccak256(toUtf8Bytes(apiKey));
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
  accountExists(credentialHash: Hex32): Promise<boolean> {
    return this.deps.access.exists(credentialHash);
  }
}
