/**
 * PKP key material is bound to an account (http-api.md §6): the signing key of a wallet is
 * derived from (root secret, account master hash, derivation), so the same (pkpId, derivation)
 * registered by another account derives another address. Before any use of a PKP key the server
 * calls `PkpKeys.signingKey(master, pkpId)`, which refuses unless the wallet is registered to that
 * account AND the key derived for that account and derivation has exactly that address. A minted
 * response that is replayed or stolen therefore yields no key for another account.
 */
import { pkpAddress, pkpAesKey, pkpPrivateKey } from "../../core";
import type { Address, Hash32, IndexReader } from "../ports";
import { forbidden, notFound } from "./errors";

export interface BoundPkpKey {
  pkpId: Address;
  derivation: string;
  privateKey: string;
  aesKey: Uint8Array;
}

export class PkpKeys {
  constructor(
    private readonly index: IndexReader,
    private readonly rootSecret: Uint8Array,
  ) {}

  /** The keys of `pkpId` for the account `master`; 404 when not its wallet, 403 when not bound to it. */
  async signingKey(master: Hash32, pkpId: Address): Promise<BoundPkpKey> {
    const pkp = pkpId.toLowerCase();
    const row = await this.index.wallet(pkp);
    if (row === null || row.account !== master.toLowerCase())
      throw notFound("PkpDoesNotExist", `wallet ${pkp} is not registered to this account`);
    if (pkpAddress(this.rootSecret, row.account, row.derivation) !== pkp)
      throw forbidden(
        "PkpNotBoundToAccount",
        `wallet ${pkp} was not minted for this account: its key material belongs to another account`,
      );
    return {
      pkpId: pkp,
      derivation: row.derivation,
      privateKey: pkpPrivateKey(this.rootSecret, row.account, row.derivation),
      aesKey: pkpAesKey(this.rootSecret, row.account, row.derivation),
    };
  }
}
