/**
 * Fresh random values for keys and derivations. When the client sent an Idempotency-Key, the value
 * is instead derived (HMAC-SHA256 under the root secret) from the purpose, the idempotency scope and
 * the key, so that a retried request builds the identical diamond call, which the Writer then
 * answers with the first outcome instead of a conflict; the response is the same too (e.g. the API
 * key new_account returns). Without an Idempotency-Key the value is plain CSPRNG output.
 */
import { createHmac, randomBytes } from "crypto";

export function freshBytes(
  rootSecret: Uint8Array,
  purpose: string,
  scope: string,
  idempotencyKey?: string,
): Uint8Array {
  if (idempotencyKey === undefined) return new Uint8Array(randomBytes(32));
  const mac = createHmac("sha256", rootSecret);
  mac.update(`accountconfig/relayer/idempotent-random/v1\u0000${purpose}\u0000${scope}\u0000${idempotencyKey}`);
  return new Uint8Array(mac.digest());
}

/** A non-zero 256-bit derivation value as a decimal string. */
export function freshDerivation(
  rootSecret: Uint8Array,
  purpose: string,
  scope: string,
  idempotencyKey?: string,
): string {
  for (let i = 0; ; i++) {
    const bytes = freshBytes(rootSecret, i === 0 ? purpose : `${purpose}#${i}`, scope, idempotencyKey);
    const value = BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
    if (value !== 0n) return value.toString();
  }
}

/** An API key: 32 bytes in standard base64 with padding (44 characters). */
export function freshApiKey(rootSecret: Uint8Array, purpose: string, scope: string, idempotencyKey?: string): string {
  return Buffer.from(freshBytes(rootSecret, purpose, scope, idempotencyKey)).toString("base64");
}
