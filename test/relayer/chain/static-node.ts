import { RpcResponseError, toQuantity, type RpcLike } from "../../../src/relayer/chain/rpc";

/** The hash of block `n` of a StaticNode's chain. */
export const blockHashOf = (n: number): string => `0x${(n + 1).toString(16).padStart(64, "0")}`;

/**
 * A node whose chain has blocks 0..head (`head` may be moved by a test) and no diamond logs. Like
 * geth, it refuses eth_getLogs past its head ("block range extends beyond current head block").
 */
export class StaticNode implements RpcLike {
  constructor(public head: number) {}

  async send(method: string, params: unknown[]): Promise<unknown> {
    switch (method) {
      case "eth_chainId":
        return "0x7a69";
      case "eth_blockNumber":
        return toQuantity(this.head);
      case "eth_getBlockByNumber": {
        const n = params[0] === "latest" ? this.head : Number(BigInt(params[0] as string));
        if (n > this.head) return null;
        return { number: toQuantity(n), hash: blockHashOf(n), parentHash: n === 0 ? `0x${"0".repeat(64)}` : blockHashOf(n - 1), transactions: [] };
      }
      case "eth_getLogs": {
        const { toBlock } = params[0] as { toBlock: string };
        if (Number(BigInt(toBlock)) > this.head) throw new RpcResponseError("block range extends beyond current head block", -32000);
        return [];
      }
      default:
        throw new RpcResponseError(`method ${method} not supported`, -32601);
    }
  }
}
