/**
 * Keccak-256 for the writer's hot path as Node buffers: the hash itself is src/core/keccak.ts
 * (pure, shared with the request path and the browser bundle); here its digest is wrapped in a
 * Buffer, whose native hex encoding chain/sign.ts uses on kilobytes of calldata.
 */
import { keccak256Digest } from "../../core/keccak";

/** Keccak-256 of `data`: 32 bytes. */
export function keccak256Bytes(data: Uint8Array): Buffer {
  const d = keccak256Digest(data);
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/** Keccak-256 of `data` as 0x-prefixed lowercase hex (what ethers' keccak256 returns). */
export function keccak256Hex(data: Uint8Array): string {
  return `0x${keccak256Bytes(data).toString("hex")}`;
}
