/**
 * The batching front's gas figures (batcher.ts): the most gas each call shape (selector and
 * calldata length) was measured to use in a batch pre-flight, and a batch's gas limit from its
 * calls' figures (docs/relayer-latency.md, "Batches from cached gas").
 */
import { calldataGas } from "./batch-encoding";
import { BATCH_BASE_GAS, BATCH_PER_CALL_GAS } from "./batch-limits";

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** Call shapes whose measured gas is kept (bounded; the oldest go first). */
const GAS_CACHE_MAX = 512;

/** A call's shape: selector and calldata length (which encodes every array and string length). */
const shapeOf = (calldata: string): string => `${calldata.slice(0, 10)}:${calldata.length}`;

/** Most gas a call of each shape used in a batch pre-flight. */
export class BatchGasCache {
  private readonly gasByShape = new Map<string, bigint>();

  /** Every call's cached gas, in order, when every call's shape has one; else null (pre-flight). */
  all(calldatas: readonly string[]): bigint[] | null {
    const out: bigint[] = [];
    for (const calldata of calldatas) {
      const gas = this.gasByShape.get(shapeOf(calldata));
      if (gas === undefined) return null;
      out.push(gas);
    }
    return out;
  }

  remember(calldata: string, gas: bigint): void {
    const shape = shapeOf(calldata);
    const known = this.gasByShape.get(shape);
    if (known !== undefined && known >= gas) return;
    this.gasByShape.delete(shape);
    if (this.gasByShape.size >= GAS_CACHE_MAX) this.gasByShape.delete(this.gasByShape.keys().next().value as string);
    this.gasByShape.set(shape, gas);
  }

  /** The cached gas of these calls proved wrong (or their batch failed): pre-flight them again next time. */
  forget(calldatas: readonly string[]): void {
    for (const calldata of calldatas) this.gasByShape.delete(shapeOf(calldata));
  }
}

/**
 * A batch's gas limit: its calldata's intrinsic gas (or the calldata floor) plus the batch's own
 * overheads and each call's measured gas, times `gasLimitPercent` / 100.
 */
export function batchGasLimit(data: string, gasUsed: readonly bigint[], gasLimitPercent: bigint): bigint {
  const { intrinsic, floor } = calldataGas(data);
  let exec = BATCH_BASE_GAS + BATCH_PER_CALL_GAS * BigInt(gasUsed.length);
  // A delegatecall forwards at most 63/64 of the gas left, and a call goes through two (the
  // facet's to the diamond, the fallback's to the target facet): each needs (64/63)^2 of its use.
  for (const gas of gasUsed) exec += ceilDiv(gas * 4096n, 3969n);
  const limit = intrinsic + ceilDiv(exec * gasLimitPercent, 100n);
  return limit > floor ? limit : floor;
}
