/**
 * The API key of a request (http-api.md §1): `Authorization: Bearer <key>` (scheme
 * case-insensitive, key = the second token) first, then `X-Api-Key: <key>`, both trimmed; an
 * empty or non-Bearer Authorization falls through. A header credential is always hashed as key
 * text: a `0x` + 64-hex value is NOT taken as a hash here (that shortcut is only for usage keys
 * named in request bodies), so knowing a key's hash never authenticates.
 */
import type { IncomingHttpHeaders } from "http";
import { type Hash32, apiKeyTextHash } from "../../core";

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? "") : (v ?? ""));

/** The credential text, or null when the request carries none. */
export function credentialOf(headers: IncomingHttpHeaders): string | null {
  const auth = first(headers.authorization).trim();
  if (auth !== "") {
    const [scheme, key] = auth.split(/\s+/);
    if (scheme !== undefined && scheme.toLowerCase() === "bearer" && key !== undefined && key !== "") return key;
  }
  const apiKey = first(headers["x-api-key"]).trim();
  return apiKey === "" ? null : apiKey;
}

/** The X-Wallet-Auth header (trimmed), or null when absent or empty. */
export function walletAuthOf(headers: IncomingHttpHeaders): string | null {
  const value = first(headers["x-wallet-auth"]).trim();
  return value === "" ? null : value;
}

/** apiKeyHash = keccak256(UTF-8 bytes of the key text as sent): src/core's apiKeyTextHash, never a hash pass-through. */
export const credentialHash: (credential: string) => Hash32 = apiKeyTextHash;
