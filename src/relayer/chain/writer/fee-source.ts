/**
 * The fees new transactions are signed with: looked up from the node (latest block's base fee,
 * eth_maxPriorityFeePerGas; eth_gasPrice on a legacy chain) and turned into fees by the fee
 * policy (fee-policy.ts). One lookup serves every write for `cacheMs` (default 1000; 0 looks up
 * for every write); a failed lookup is not cached.
 */
import { hexToBigInt, isTransportError, type RpcBlock, type RpcLike } from "../rpc";
import { feesFromNode, type Fees } from "./fee-policy";

export interface FeeSourceOptions {
  /** Ceiling for maxFeePerGas / gasPrice (wei). */
  maxFeePerGasWei?: bigint;
  cacheMs?: number;
}

export class FeeSource {
  private cache: { at: number; fees: Promise<Fees> } | null = null;

  constructor(
    private readonly rpc: RpcLike,
    private readonly opts: FeeSourceOptions = {},
  ) {}

  /** The configured ceiling of the fee per gas (undefined: none). */
  get cap(): bigint | undefined {
    return this.opts.maxFeePerGasWei;
  }

  /** Current fees (cached, see the file comment). Rejects when the node could not be asked. */
  current(): Promise<Fees> {
    const ttl = this.opts.cacheMs ?? 1000;
    const now = Date.now();
    if (this.cache && now - this.cache.at < ttl) return this.cache.fees;
    const fees = this.lookup();
    this.cache = { at: now, fees };
    fees.catch(() => {
      if (this.cache?.fees === fees) this.cache = null;
    });
    return fees;
  }

  private async lookup(): Promise<Fees> {
    const block = (await this.rpc.send("eth_getBlockByNumber", ["latest", false])) as RpcBlock | null;
    if (block && block.baseFeePerGas !== undefined && block.baseFeePerGas !== null) {
      let priorityFee: bigint | null = null;
      try {
        priorityFee = hexToBigInt(await this.rpc.send("eth_maxPriorityFeePerGas", []), "eth_maxPriorityFeePerGas");
      } catch (err) {
        if (isTransportError(err)) throw err;
      }
      return feesFromNode({ baseFeePerGas: hexToBigInt(block.baseFeePerGas, "baseFeePerGas"), priorityFee, gasPrice: null }, this.cap);
    }
    const gasPrice = hexToBigInt(await this.rpc.send("eth_gasPrice", []), "eth_gasPrice");
    return feesFromNode({ baseFeePerGas: null, priorityFee: null, gasPrice }, this.cap);
  }
}
