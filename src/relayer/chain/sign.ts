/**
 * Local transaction signing for the writer: EIP-1559 (type 2) and legacy EIP-155 (type 0)
 * transactions, RLP-serialized here on Buffers. The result is byte for byte what ethers'
 * Wallet.signTransaction gives (tested); it avoids ethers' Transaction object, whose hex/bytes
 * conversions cost several milliseconds for the kilobytes of calldata of a batchCalls batch. Its
 * keccak256 is ./keccak.ts (several times faster than ethers' on those kilobytes), its signature
 * ../util/ecdsa.ts (libsecp256k1 where it loads).
 */
import type { SigningKey, TransactionLike } from "ethers";
import { signDigest } from "../util/ecdsa";
import { keccak256Bytes, keccak256Hex as keccak256 } from "./keccak";

export interface SignedTx {
  rawTx: string;
  hash: string;
}

const EMPTY = Buffer.alloc(0);

function hexBytes(hex: string, what: string): Buffer {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`signTx: ${what} is not even-length 0x hex`);
  return Buffer.from(hex.slice(2), "hex");
}

/** A non-negative integer as minimal big-endian bytes (0 is empty). */
function intBytes(v: bigint | number | string | null | undefined, what: string): Buffer {
  const n = BigInt(v ?? 0);
  if (n < 0n) throw new Error(`signTx: ${what} is negative`);
  if (n === 0n) return EMPTY;
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex");
}

function lengthPrefix(len: number, short: number, long: number): Buffer {
  if (len <= 55) return Buffer.from([short + len]);
  const lenBytes = intBytes(len, "length");
  return Buffer.concat([Buffer.from([long + lenBytes.length]), lenBytes]);
}

function rlpBytes(b: Buffer): Buffer {
  if (b.length === 1 && b[0] < 0x80) return b;
  return Buffer.concat([lengthPrefix(b.length, 0x80, 0xb7), b]);
}

function rlpList(items: Buffer[]): Buffer {
  const payload = Buffer.concat(items.map(rlpBytes));
  return Buffer.concat([lengthPrefix(payload.length, 0xc0, 0xf7), payload]);
}

/** rlpList, with the last item an already-encoded list (the empty access list). */
const EMPTY_LIST = Buffer.from([0xc0]);
function rlpListWithAccessList(head: Buffer[], tail: Buffer[]): Buffer {
  const payload = Buffer.concat([...head.map(rlpBytes), EMPTY_LIST, ...tail.map(rlpBytes)]);
  return Buffer.concat([lengthPrefix(payload.length, 0xc0, 0xf7), payload]);
}

const hexOf = (b: Buffer): string => `0x${b.toString("hex")}`;

/** A 32-byte big-endian value as minimal RLP integer bytes (leading zeros dropped). */
function minimal(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
}

export function signTx(key: SigningKey, tx: TransactionLike<string>): SignedTx {
  const accessList = tx.accessList ?? [];
  if ((Array.isArray(accessList) ? accessList.length : Object.keys(accessList).length) > 0) {
    throw new Error("signTx: access lists are not supported");
  }
  if (tx.chainId === undefined || tx.chainId === null) throw new Error("signTx: chainId is required");
  const to = tx.to ? hexBytes(tx.to, "to") : EMPTY;
  const data = hexBytes(tx.data ?? "0x", "data");
  const common = {
    nonce: intBytes(tx.nonce, "nonce"),
    gasLimit: intBytes(tx.gasLimit, "gasLimit"),
    value: intBytes(tx.value, "value"),
  };
  const chainId = BigInt(tx.chainId);
  let raw: Buffer;
  if (tx.type === 2) {
    const head = [
      intBytes(chainId, "chainId"),
      common.nonce,
      intBytes(tx.maxPriorityFeePerGas, "maxPriorityFeePerGas"),
      intBytes(tx.maxFeePerGas, "maxFeePerGas"),
      common.gasLimit,
      to,
      common.value,
      data,
    ];
    const digest = keccak256Bytes(Buffer.concat([Buffer.from([2]), rlpListWithAccessList(head, [])]));
    const sig = signDigest(key, digest);
    const tail = [intBytes(sig.yParity, "yParity"), minimal(sig.r), minimal(sig.s)];
    raw = Buffer.concat([Buffer.from([2]), rlpListWithAccessList(head, tail)]);
  } else if (tx.type === 0 || tx.type === undefined || tx.type === null) {
    const head = [common.nonce, intBytes(tx.gasPrice, "gasPrice"), common.gasLimit, to, common.value, data];
    const digest = keccak256Bytes(rlpList([...head, intBytes(chainId, "chainId"), EMPTY, EMPTY]));
    const sig = signDigest(key, digest);
    const v = chainId * 2n + 35n + BigInt(sig.yParity);
    raw = rlpList([...head, intBytes(v, "v"), minimal(sig.r), minimal(sig.s)]);
  } else {
    throw new Error(`signTx: transaction type ${tx.type} is not supported`);
  }
  return { rawTx: hexOf(raw), hash: keccak256(raw) };
}
