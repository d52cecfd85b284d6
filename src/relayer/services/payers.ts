/**
 * The api payer addresses (get_api_payers, get_admin_api_payer): from configured keys, or derived
 * from the root secret (labels `payer` n and `admin-payer`, http-api.md §6). The backend may supply
 * its own directory (e.g. the diamond's api_payers()) instead.
 */
import { computeAddress } from "ethers";
import { adminPayerPrivateKey, payerPrivateKey } from "../../core";
import type { Address } from "../ports";

export interface PayerDirectory {
  apiPayers(): Promise<Address[]>;
  adminApiPayer(): Promise<Address>;
}

export interface PayerSettings {
  count: number;
  keys: readonly string[];
  adminKey: string | null;
}

/** Payers as configured: explicit keys, else `count` keys derived from the root secret. */
export class ConfiguredPayers implements PayerDirectory {
  private readonly payers: Address[];
  private readonly admin: Address;

  constructor(rootSecret: Uint8Array, settings: PayerSettings) {
    const keys =
      settings.keys.length > 0
        ? settings.keys
        : Array.from({ length: settings.count }, (_, i) => payerPrivateKey(rootSecret, i));
    this.payers = keys.map((k) => computeAddress(k).toLowerCase());
    this.admin = computeAddress(settings.adminKey ?? adminPayerPrivateKey(rootSecret)).toLowerCase();
  }

  async apiPayers(): Promise<Address[]> {
    return [...this.payers];
  }

  async adminApiPayer(): Promise<Address> {
    return this.admin;
  }
}
