/**
 * How large a batch may grow (docs/operator.md, "Batch size limits"). A batch is closed when the
 * next call would take it past `maxCalls` calls, or its batchCalls calldata past `maxBytes` bytes
 * (BATCH_MAX_BYTES: geth and op-geth pools refuse a transaction above 128 KiB), or its measured
 * gas past `gasBudget` (below the per-transaction gas cap, EIP-7825's 2^24, once the gas limit's
 * margin is added). A single call larger than a budget still goes, alone.
 *
 * A node that refuses a batch anyway (its own limit is lower: node-limits.ts) teaches the limits:
 * the refused batch's bytes or gas, halved, become the budget, so its calls go again in smaller
 * batches, and a call that is too large alone is answered WriteTooLargeError. Accepted batches
 * raise the budget back, slowly (accepted).
 */
import type { NodeLimit } from "../ports";

/** Default BATCH_MAX_BYTES: 96 KiB, a quarter below geth's 128 KiB transaction size limit. */
export const DEFAULT_BATCH_MAX_BYTES = 96 * 1024;
/** Default batch gas budget (measured execution gas): with the 125 % margin, 10 M < 2^24. */
export const DEFAULT_BATCH_GAS_BUDGET = 8_000_000n;
/** The per-transaction gas cap of EIP-7825 (2^24), which nodes apply to transactions and eth_call. */
export const TX_GAS_CAP = 16_777_216n;
/** Gas of the batchCalls frame itself (dispatch, calldata decoding, return encoding). */
export const BATCH_BASE_GAS = 40_000n;
/** Per call: the loop, the delegatecall through the fallback, the BatchCallResult event, memory. */
export const BATCH_PER_CALL_GAS = 12_000n;

/**
 * The largest measured-gas budget whose batch stays within TX_GAS_CAP once its gas limit is
 * computed (batcher.ts gasLimitFor) with `gasLimitPercent`: for `maxCalls` calls, each call's gas
 * times (64/63)^2 (rounded up, one gas per call) for the two delegatecalls it goes through, the fixed
 * overheads, the margin, plus the intrinsic gas of `maxBytes` bytes of calldata none of them zero.
 * (The EIP-7623 calldata floor, 40 gas a byte, stays below the cap up to 400 KiB.) With the
 * default 125 % the default 8 M budget is below it; from about 200 % up the cap is the budget.
 */
export function gasBudgetCap(gasLimitPercent: number, maxCalls: number, maxBytes: number): bigint {
  const percent = BigInt(Math.max(100, Math.ceil(gasLimitPercent)));
  const calls = BigInt(Math.max(1, maxCalls));
  const intrinsic = 21_000n + 16n * BigInt(Math.max(0, Math.ceil(maxBytes)));
  // intrinsic + ceil(exec * percent / 100) <= cap  <=>  exec <= floor((cap - intrinsic) * 100 / percent)
  const exec = TX_GAS_CAP > intrinsic ? ((TX_GAS_CAP - intrinsic) * 100n) / percent : 0n;
  const forCalls = exec - BATCH_BASE_GAS - (BATCH_PER_CALL_GAS + 1n) * calls;
  return forCalls > 0n ? (forCalls * 3969n) / 4096n : 0n;
}

/** Bytes of batchCalls(bytes[]) calldata before the calls: selector, array offset and length. */
const BATCH_HEAD_BYTES = 4 + 32 + 32;

/** Bytes one call adds to batchCalls calldata: its offset word, its length word, its bytes padded to 32. */
export function batchCallBytes(calldata: string): number {
  const len = (calldata.length - 2) / 2;
  return 64 + Math.ceil(len / 32) * 32;
}

/** Bytes of the batchCalls calldata of these calls (the length of encodeBatchCalls' output). */
export function batchBytes(calls: readonly string[]): number {
  let total = BATCH_HEAD_BYTES;
  for (const c of calls) total += batchCallBytes(c);
  return total;
}

/** Batches accepted after a refusal before a lowered budget is doubled back (doubles with each refusal). */
export const RECOVER_AFTER = 16;
/** Most accepted batches between two raises, however often the node refused. */
const RECOVER_AFTER_MAX = 1024;

export class BatchLimits {
  private bytes: number;
  private gas: bigint;
  /** The budgets as configured (and capped): a lowered budget is raised back up to them, never above. */
  private readonly bytesCeiling: number;
  private readonly gasCeiling: bigint;
  /** Batches the node accepted since the budget was last lowered or raised. */
  private acceptedSince = 0;
  /** Accepted batches before the next raise: RECOVER_AFTER, doubled by each refusal. */
  private recoverAfter = RECOVER_AFTER / 2;

  constructor(
    readonly maxCalls: number,
    maxBytes: number = DEFAULT_BATCH_MAX_BYTES,
    gasBudget: bigint = DEFAULT_BATCH_GAS_BUDGET,
    /** The batch gas limit's margin (the chain option gasLimitPercent): the gas budget is capped for it (gasBudgetCap). */
    gasLimitPercent = 125,
  ) {
    this.bytes = maxBytes;
    const cap = gasBudgetCap(gasLimitPercent, maxCalls, maxBytes);
    this.gas = gasBudget < cap ? gasBudget : cap;
    this.bytesCeiling = this.bytes;
    this.gasCeiling = this.gas;
  }

  /** The byte budget of a batch's calldata (BATCH_MAX_BYTES, or lower once a node refused a batch). */
  get maxBytes(): number {
    return this.bytes;
  }

  /** The measured-gas budget of a batch (lower once a node refused a batch for its gas). */
  get gasBudget(): bigint {
    return this.gas;
  }

  /**
   * How many of the first calls form the next batch: at most maxCalls, calldata within maxBytes;
   * at least one (a call larger than the budget goes alone). 0 for no calls.
   */
  take(calls: readonly { readonly calldata: string }[]): number {
    let total = BATCH_HEAD_BYTES;
    let n = 0;
    while (n < calls.length && n < this.maxCalls) {
      const next = total + batchCallBytes(calls[n].calldata);
      if (n > 0 && next > this.bytes) break;
      total = next;
      n++;
    }
    return n;
  }

  /**
   * How many of the first calls, of these measured gases, fit the gas budget (at least one: a call
   * above the budget goes alone).
   */
  takeGas(gases: readonly bigint[]): number {
    let total = 0n;
    let n = 0;
    while (n < gases.length && (n === 0 || total + gases[n] <= this.gas)) {
      total += gases[n];
      n++;
    }
    return n;
  }

  /**
   * The node accepted a batch (mined, reverted or not: not refused for its size). A budget lowered
   * by a refusal is doubled back toward the configured one after RECOVER_AFTER accepted batches
   * (the limit may have been a node's that failover has left, or a transient one), twice as many
   * after each further refusal, at most RECOVER_AFTER_MAX: a node whose limit stays low refuses a
   * batch ever more rarely. Returns whether a budget was raised.
   */
  accepted(): boolean {
    if (this.bytes >= this.bytesCeiling && this.gas >= this.gasCeiling) return false;
    if (++this.acceptedSince < this.recoverAfter) return false;
    this.acceptedSince = 0;
    this.bytes = Math.min(this.bytesCeiling, this.bytes * 2);
    this.gas = this.gas * 2n < this.gasCeiling ? this.gas * 2n : this.gasCeiling;
    return true;
  }

  /**
   * A node refused a batch of `bytes` calldata bytes and `gas` measured gas for `limit`: half of
   * it is the budget from now on, until accepted batches raise it again (accepted). Returns the
   * new budget.
   */
  narrow(limit: NodeLimit, bytes: number, gas: bigint): number | bigint {
    this.acceptedSince = 0;
    this.recoverAfter = Math.min(RECOVER_AFTER_MAX, this.recoverAfter * 2);
    if (limit === "TransactionSize") {
      this.bytes = Math.min(this.bytes, Math.max(BATCH_HEAD_BYTES, Math.floor(bytes / 2)));
      return this.bytes;
    }
    const half = gas / 2n;
    this.gas = half < this.gas ? half : this.gas;
    return this.gas;
  }
}
