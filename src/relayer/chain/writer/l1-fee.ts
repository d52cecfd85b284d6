/**
 * The L1 data fee of OP-stack chains (Base, Base Sepolia, Optimism...): on top of its L2 gas, a
 * transaction pays for posting its bytes to L1. The GasPriceOracle predeploy at
 * 0x420000000000000000000000000000000000000F computes it: `getL1Fee(bytes)` of the signed,
 * RLP-encoded transaction. Where that predeploy has no code (a local chain, L1 itself) the fee is
 * 0. Presence is detected once (eth_getCode) and remembered; the fees of several transactions are
 * asked for in one JSON-RPC batch.
 */
import { Interface } from "ethers";
import { hexToBigInt, isTransportError, sendAll, type RpcLike } from "../rpc";

export const GAS_PRICE_ORACLE = "0x420000000000000000000000000000000000000f";

const oracle = new Interface(["function getL1Fee(bytes _data) view returns (uint256)"]);

export class L1FeeOracle {
  private present: boolean | null = null;

  constructor(private readonly rpc: RpcLike) {}

  /**
   * Whether the chain has the GasPriceOracle (asked once; rejects while the node is unreachable;
   * a node that answers eth_getCode with an error has none as far as the relayer can tell).
   */
  async detect(): Promise<boolean> {
    if (this.present === null) {
      try {
        const code = await this.rpc.send("eth_getCode", [GAS_PRICE_ORACLE, "latest"]);
        this.present = typeof code === "string" && code !== "0x" && code !== "0x0";
      } catch (err) {
        if (isTransportError(err)) throw err;
        this.present = false;
      }
    }
    return this.present;
  }

  /** Whether detection ran and found the oracle (false before detection). */
  get known(): boolean {
    return this.present === true;
  }

  /** The L1 data fee (wei) of each signed raw transaction; 0 each on a chain without the oracle. */
  async fees(rawTxs: readonly string[]): Promise<bigint[]> {
    if (rawTxs.length === 0 || !(await this.detect())) return rawTxs.map(() => 0n);
    const results = await sendAll(
      this.rpc,
      rawTxs.map((raw) => ({
        method: "eth_call",
        params: [{ to: GAS_PRICE_ORACLE, data: oracle.encodeFunctionData("getL1Fee", [raw]) }, "latest"],
      })),
    );
    return results.map((r) => {
      if (!r.ok) throw r.error;
      return hexToBigInt(r.result, "getL1Fee");
    });
  }
}
