/**
 * The hot primitives of ethers v5 done natively for the isolate (docs/lit-action-runtime.md, "Warm
 * isolates"): secp256k1 public keys, signatures and recovery, and keccak256. In a fresh isolate the
 * bundle's pure-JavaScript big-number code runs cold (interpreted) on every execution, about a
 * hundred milliseconds per signature; here the same results come from ethers v6 in the worker, whose
 * code is warm. Results are those of ethers v5 (RFC 6979 deterministic signatures with low s; the
 * tests compare both on random keys and digests).
 *
 * Called synchronously from inside an isolate (ethers-bundle.ts patches the callers). Pure: it
 * needs no run state, so a prepared isolate gets it before any run; its inputs are what the action
 * already holds (its own keys), and every call is short (the run's time limit bounds a loop of them).
 *
 * Loaded by sandbox workers: imports only packages.
 */
import { Signature, SigningKey, keccak256 } from "ethers";

const HEX = /^0x[0-9a-fA-F]*$/;

function hex(value: unknown, what: string, bytes?: number): string {
  if (typeof value !== "string" || !HEX.test(value) || value.length % 2 !== 0 || (bytes !== undefined && value.length !== 2 + 2 * bytes))
    throw new Error(`${what}: expected ${bytes === undefined ? "" : `${bytes} bytes of `}0x-hex`);
  return value.toLowerCase();
}

/**
 * `op` with its hex arguments; answers hex without 0x (several values comma-separated):
 * - "publicKey"(privateKey) -> uncompressed,compressed
 * - "sign"(privateKey, digest) -> recoveryParam,r,s (canonical: low s)
 * - "recover"(digest, r, s, recoveryParam) -> uncompressed public key
 * - "keccak256"(data) -> hash
 */
export function nativeCrypto(op: unknown, a: unknown, b: unknown, c: unknown, d: unknown): string {
  switch (op) {
    case "publicKey": {
      const key = new SigningKey(hex(a, "private key", 32));
      return `${key.publicKey.slice(2)},${key.compressedPublicKey.slice(2)}`;
    }
    case "sign": {
      const sig = new SigningKey(hex(a, "private key", 32)).sign(hex(b, "digest", 32));
      return `${sig.yParity},${sig.r.slice(2)},${sig.s.slice(2)}`;
    }
    case "recover": {
      const recovery = Number(d);
      if (recovery !== 0 && recovery !== 1) throw new Error("invalid signature recovery param");
      const sig = Signature.from({ r: hex(b, "r", 32), s: hex(c, "s", 32), v: 27 + recovery });
      return SigningKey.recoverPublicKey(hex(a, "digest", 32), sig).slice(2);
    }
    case "keccak256":
      return keccak256(hex(a, "data")).slice(2);
    default:
      throw new Error(`unknown operation ${String(op)}`);
  }
}
