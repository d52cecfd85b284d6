/**
 * batchCalls calldata and results, encoded and decoded by hand (batcher.ts), and the intrinsic gas
 * of a transaction's calldata.
 */
import { diamondInterface } from "./abi";

/** Intrinsic gas of a transaction's calldata (EIP-2028), and the EIP-7623 floor. */
export function calldataGas(data: string): { intrinsic: bigint; floor: bigint } {
  const bytes = Buffer.from(data.slice(2), "hex");
  let zeros = 0;
  for (const b of bytes) if (b === 0) zeros++;
  const zero = BigInt(zeros);
  const nonZero = BigInt(bytes.length - zeros);
  return { intrinsic: 21_000n + 4n * zero + 16n * nonZero, floor: 21_000n + 10n * (zero + 4n * nonZero) };
}

const BATCH_CALLS_SELECTOR = diamondInterface.getFunction("batchCalls")?.selector ?? "0x";
const word = (n: number): string => n.toString(16).padStart(64, "0");

/**
 * Calldata of batchCalls(calls), ABI-encoded by hand: ethers' general encoder spends milliseconds
 * on the hex/bytes conversions of a batch's kilobytes (tested equal to encodeFunctionData).
 */
export function encodeBatchCalls(calls: readonly string[]): string {
  const parts: string[] = [BATCH_CALLS_SELECTOR, word(32), word(calls.length)];
  let offset = 32 * calls.length;
  const bodies: string[] = [];
  for (const call of calls) {
    if (!/^0x([0-9a-fA-F]{2})*$/.test(call)) throw new Error("encodeBatchCalls: a call is not even-length 0x hex");
    const len = (call.length - 2) / 2;
    const padded = Math.ceil(len / 32) * 32;
    parts.push(word(offset));
    bodies.push(word(len) + call.slice(2).toLowerCase() + "00".repeat(padded - len));
    offset += 32 + padded;
  }
  return parts.join("") + bodies.join("");
}

/** What batchCalls returns, decoded by hand (see encodeBatchCalls; tested against ethers). */
export function decodeBatchResult(raw: string): { success: boolean[]; results: string[]; gasUsed: bigint[] } {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(raw)) throw new Error("batchCalls result: not hex");
  const hex = raw.slice(2);
  const size = hex.length / 2;
  const at = (byte: number): number => {
    if (byte + 32 > size) throw new Error("batchCalls result: out of bounds");
    const v = BigInt(`0x${hex.slice(byte * 2, byte * 2 + 64)}`);
    if (v > BigInt(size)) throw new Error("batchCalls result: offset or length out of bounds");
    return Number(v);
  };
  const array = (head: number): { start: number; n: number } => {
    const start = at(head);
    return { start: start + 32, n: at(start) };
  };
  const s = array(0);
  const r = array(32);
  const g = array(64);
  if (s.n !== r.n || s.n !== g.n) throw new Error("batchCalls result: arrays of different lengths");
  const success: boolean[] = [];
  const results: string[] = [];
  const gasUsed: bigint[] = [];
  for (let i = 0; i < s.n; i++) {
    success.push(at(s.start + 32 * i) !== 0);
    const el = r.start + at(r.start + 32 * i);
    const len = at(el);
    if (el + 32 + len > size) throw new Error("batchCalls result: bytes out of bounds");
    results.push(`0x${hex.slice((el + 32) * 2, (el + 32 + len) * 2)}`);
    if (g.start + 32 * i + 32 > size) throw new Error("batchCalls result: out of bounds");
    gasUsed.push(BigInt(`0x${hex.slice((g.start + 32 * i) * 2, (g.start + 32 * i) * 2 + 64)}`));
  }
  return { success, results, gasUsed };
}

/**
 * The idempotency scope of a batch's call sent again alone (docs/finality.md "A batch's calls
 * through a reorg"). Its key names the batch's outbox row and the call's index in it, so the call
 * is sent alone at most once whoever sends it: the batching front that sent the batch, or the
 * start-up recovery of a relayer that crashed (or another instance) while the batch waited to be
 * final. Clients' scopes are master hashes or "anon:<ip>", never this.
 */
export const BATCH_RETRY_SCOPE = "batch-retry";

/** The idempotency key of call `index` of batch row `rowId` sent again alone. */
export function batchRetryKey(rowId: number, index: number): string {
  return `${rowId}:${index}`;
}
