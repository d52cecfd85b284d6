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
 */
import { ChainUnavailableError } from "../../ports";
import { decodeRevert, revertErrorOf, type DecodedError } from "../abi";
import { errorText, hexToBigInt, isRevertError, isTransportError, revertDataOf, sendAll, toQuantity, type RpcLike } from "../rpc";
import { ceilDiv } from "./context";

/** Pre-flight gas estimates kept per call shape (bounded; the oldest shapes go first). */
const GAS_CACHE_MAX = 512;

export class Preflight {
  /** Largest eth_estimateGas result per call shape (selector:calldata length). */
  private readonly gasCache = new Map<string, bigint>();
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
    const shape = `${data.slice(0, 10)}:${data.length}`;
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

/** The decoded custom error of a revert (TransactionReverted when it carries no data). */
export function revertDecoded(err: unknown): DecodedError {
  const data = revertDataOf(err);
  return data ? decodeRevert(data) : { name: "TransactionReverted", args: [] };
}
