/**
 * Pre-flight and gas cache: before anything is stored or signed, a call is run from its payer
 * against the latest state. A revert is the caller's error (RevertError with the decoded custom
 * error; nothing persisted or sent, no nonce used); the RPC unreachable is
 * ChainUnavailableError(queued=false).
 *
 * The first call of a shape (selector + calldata length, which encodes every array and string
 * length) runs eth_estimateGas; later ones one eth_call with the largest estimate seen for that
 * shape as gas: it succeeds only if the call neither reverts nor needs more gas in the current
 * state (else eth_estimateGas decides, as the first time). The eth_calls of concurrent writes go
 * out as one JSON-RPC batch. The gas limit is always that estimate plus `gasLimitPercent`.
 *
 * Sent from the cached gas (docs/relayer-latency.md, "A write alone from cached gas"): a write
 * without an Idempotency-Key whose shape has a cached estimate skips the pre-flight
 * (`cachedGasLimit`); the writer reports what such a write's transaction did on chain
 * (`revertedOnChain`): a revert makes the next writes of that shape pre-flighted again, and one
 * without revert data (out of gas: the cached estimate was too low) also drops the estimate.
 */
import { ChainUnavailableError } from "../../ports";
import { decodeRevert, revertErrorOf, type DecodedError } from "../abi";
import { errorText, hexToBigInt, isRevertError, isTransportError, revertDataOf, sendAll, toQuantity, type RpcLike } from "../rpc";
import { ceilDiv } from "./context";

/** Pre-flight gas estimates kept per call shape (bounded; the oldest shapes go first). */
const GAS_CACHE_MAX = 512;

/**
 * After a write sent from the cached gas reverted on chain, this many next writes of its shape are
 * pre-flighted (a caller repeating a failing write costs the payer one failed transaction per
 * this many writes, not one per write).
 */
export const PREFLIGHT_AFTER_REVERT = 16;

/** A call's shape: selector and calldata length (which encodes every array and string length). */
const shapeOf = (data: string): string => `${data.slice(0, 10)}:${data.length}`;

export class Preflight {
  /** Largest eth_estimateGas result per call shape (selector:calldata length). */
  private readonly gasCache = new Map<string, bigint>();
  /** Per shape: how many more writes are pre-flighted before the cached gas is trusted again. */
  private readonly distrust = new Map<string, number>();
  /** Calls waiting for the next batch of their method (batched). */
  private readonly batchQueues = new Map<string, { params: unknown[]; resolve: (v: unknown) => void; reject: (e: unknown) => void }[]>();

  constructor(
    private readonly rpc: RpcLike,
    private readonly diamond: string,
    /** Gas limit = estimate * this / 100. */
    private readonly gasLimitPercent: bigint,
  ) {}

  /**
   * The pre-flight check of a call from `payer`; returns its gas limit. A call shape seen before
   * costs one eth_call with the cached estimate as gas (cheaper than eth_estimateGas, which runs
   * the call several times); if that fails for any reason but the transport, eth_estimateGas
   * decides (a revert there is the caller's error; a higher estimate replaces the cached one).
   */
  async gasLimit(payer: string, data: string): Promise<bigint> {
    const shape = shapeOf(data);
    const cached = this.gasCache.get(shape);
    if (cached !== undefined) {
      try {
        await this.batched("eth_call", [{ from: payer, to: this.diamond, data, gas: toQuantity(cached) }, "latest"]);
        return ceilDiv(cached * this.gasLimitPercent, 100n);
      } catch (err) {
        if (isTransportError(err)) throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, false);
      }
    }
    let gas: bigint;
    try {
      gas = hexToBigInt(await this.rpc.send("eth_estimateGas", [{ from: payer, to: this.diamond, data }]), "eth_estimateGas");
    } catch (err) {
      if (!isTransportError(err) && isRevertError(err)) {
        throw revertErrorOf(revertDecoded(err));
      }
      throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, false);
    }
    if (cached === undefined || gas > cached) {
      this.gasCache.delete(shape);
      if (this.gasCache.size >= GAS_CACHE_MAX) this.gasCache.delete(this.gasCache.keys().next().value as string);
      this.gasCache.set(shape, gas);
    }
    return ceilDiv(gas * this.gasLimitPercent, 100n);
  }

  /**
   * The gas limit of a write sent without a pre-flight: its shape's cached estimate plus
   * `gasLimitPercent`; null when the write must be pre-flighted (no estimate yet, or a write of
   * that shape reverted on chain lately: it counts as one of the PREFLIGHT_AFTER_REVERT).
   */
  cachedGasLimit(data: string): bigint | null {
    const shape = shapeOf(data);
    const left = this.distrust.get(shape);
    if (left !== undefined) {
      if (left <= 1) this.distrust.delete(shape);
      else this.distrust.set(shape, left - 1);
      return null;
    }
    const cached = this.gasCache.get(shape);
    return cached === undefined ? null : ceilDiv(cached * this.gasLimitPercent, 100n);
  }

  /**
   * A write sent with `cachedGasLimit` reverted on chain with `errorName`: the next
   * PREFLIGHT_AFTER_REVERT writes of its shape are pre-flighted. Without revert data
   * ("TransactionReverted": it ran out of the cached gas, most likely) the estimate is dropped too,
   * and true is returned: the write is to be sent again, pre-flighted (it applied nothing).
   */
  revertedOnChain(data: string, errorName: string): boolean {
    const shape = shapeOf(data);
    if (this.distrust.size >= GAS_CACHE_MAX && !this.distrust.has(shape)) {
      this.distrust.delete(this.distrust.keys().next().value as string);
    }
    this.distrust.set(shape, PREFLIGHT_AFTER_REVERT);
    if (errorName !== NO_REVERT_DATA) return false;
    this.gasCache.delete(shape);
    return true;
  }

  /**
   * `method`, sent together (one JSON-RPC batch) with the other calls of that method requested
   * during the same turn of the event loop (the pre-flight eth_calls of concurrent writes).
   */
  private batched(method: string, params: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let queue = this.batchQueues.get(method);
      if (!queue) {
        queue = [];
        this.batchQueues.set(method, queue);
      }
      queue.push({ params, resolve, reject });
      if (queue.length > 1) return;
      setImmediate(() => {
        const batch = this.batchQueues.get(method) ?? [];
        this.batchQueues.delete(method);
        void sendAll(
          this.rpc,
          batch.map((b) => ({ method, params: b.params })),
        ).then((results) =>
          results.forEach((r, i) => {
            if (r.ok) batch[i].resolve(r.result);
            else batch[i].reject(r.error);
          }),
        );
      });
    });
  }
}

/** The error name of a revert that carries no data (out of gas, a bare `revert()`). */
export const NO_REVERT_DATA = "TransactionReverted";

/** The decoded custom error of a revert (TransactionReverted when it carries no data). */
export function revertDecoded(err: unknown): DecodedError {
  const data = revertDataOf(err);
  return data ? decodeRevert(data) : { name: NO_REVERT_DATA, args: [] };
}
