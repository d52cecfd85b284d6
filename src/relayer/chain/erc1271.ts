/**
 * SignatureChecker over raw JSON-RPC: eth_getCode tells contract wallets from EOAs, and an
 * eth_call of isValidSignature(bytes32,bytes) asks the wallet itself (ERC-1271). A revert or any
 * answer other than the magic value 0x1626ba7e is a refusal; an unreachable node is
 * ChainUnavailableError (503), never a refusal.
 */
import { Interface } from "ethers";
import { ChainUnavailableError, type SignatureChecker } from "../ports";
import { isRevertError, isTransportError, type RpcLike } from "./rpc";

const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const MAGIC = "0x1626ba7e";

export class RpcSignatureChecker implements SignatureChecker {
  constructor(private readonly rpc: RpcLike) {}

  async hasCode(address: string): Promise<boolean> {
    const code = await this.send("eth_getCode", [address, "latest"]);
    return typeof code === "string" && code !== "0x" && code !== "0x0" && code !== "";
  }

  async isValidSignature(address: string, digest: string, signature: string): Promise<boolean> {
    let result: unknown;
    try {
      result = await this.send("eth_call", [
        { to: address, data: ERC1271.encodeFunctionData("isValidSignature", [digest, signature]) },
        "latest",
      ]);
    } catch (err) {
      if (err instanceof ChainUnavailableError) throw err;
      return false; // reverted: not accepted
    }
    return typeof result === "string" && result.length >= 10 && result.slice(0, 10).toLowerCase() === MAGIC;
  }

  private async send(method: string, params: unknown[]): Promise<unknown> {
    try {
      return await this.rpc.send(method, params);
    } catch (err) {
      if (isRevertError(err) && !isTransportError(err)) throw err;
      throw new ChainUnavailableError(`${method}: chain unavailable`, false);
    }
  }
}
