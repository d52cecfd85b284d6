/**
 * Wallets (PKPs): create (random derivation, address derived from the root secret and the account's
 * master hash, http-api.md §6), list, and list a group's wallets.
 */
import { pkpAddress } from "../../core";
import type { Address, IndexReader, WalletRow } from "../ports";
import { type Caller, ownGroupPage, requireFlag } from "./access";
import { freshDerivation } from "./randomness";
import type { Submitter, WriteOptions } from "./submit";
import * as v from "./values";

export class WalletService {
  constructor(private readonly deps: { index: IndexReader; submitter: Submitter; rootSecret: Uint8Array }) {}

  async create(caller: Caller, options: WriteOptions): Promise<{ walletAddress: Address; derivation: string }> {
    requireFlag(caller, "createPKPs");
    const { rootSecret, submitter } = this.deps;
    const derivation = freshDerivation(rootSecret, "create_wallet/derivation", caller.master, options.idempotencyKey);
    const wallet = pkpAddress(rootSecret, caller.master, derivation);
    await submitter.billedCall(
      "registerWalletDerivation",
      [caller.hash, wallet, derivation, "Wallet", "Wallet"],
      caller.master,
      options,
    );
    return { walletAddress: wallet, derivation };
  }

  async list(caller: Caller, pageNumber: number, pageSize: number): Promise<WalletRow[]> {
    return this.deps.index.listWallets(caller.master, v.page(pageNumber, pageSize));
  }

  /** A group's wallet list; the wildcard entry (zero address) is listed with derivation 0, as listWalletsInGroup does. */
  async listInGroup(caller: Caller, groupIdValue: number, pageNumber: number, pageSize: number): Promise<WalletRow[]> {
    const groupId = v.groupId("group_id", groupIdValue);
    const page = v.page(pageNumber, pageSize);
    return ownGroupPage(groupId, this.deps.index.listWalletsInGroup(caller.master, groupId, page));
  }
}
