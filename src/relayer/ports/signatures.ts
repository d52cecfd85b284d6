/**
 * What the wallet-signature verifier needs: on-chain ERC-1271 checks and single-use claims of a
 * signed digest.
 */
import type { Address, Hash32 } from "./values";

/** On-chain signature checks for contract wallets (ERC-1271), used by the wallet-signature verifier. */
export interface SignatureChecker {
  /** true when `address` has contract code. */
  hasCode(address: Address): Promise<boolean>;
  /** true when `address`.isValidSignature(digest, signature) returns the ERC-1271 magic value 0x1626ba7e. */
  isValidSignature(address: Address, digest: Hash32, signature: string): Promise<boolean>;
}

/** Single-use wallet signatures: a digest may be claimed once until it expires. */
export interface ReplayStore {
  /** true when `key` was not claimed yet (it is now, until `expiresAt`, unix seconds); false for a repeat. */
  claim(key: Hash32, expiresAt: number): Promise<boolean>;
  /** Forgets a claim (the work it authorised did not happen). */
  release(key: Hash32): Promise<void>;
}
