/**
 * A receipt asked for again at once, for a write whose broadcast's JSON-RPC batch did not bring it
 * (a node answering a batch's calls side by side, as Hardhat does, may look the receipt up before
 * the transaction is mined: docs/relayer-latency.md, "Read-your-writes from the receipt").
 *
 * The latest header of that batch may still have been read after the mining: when it lists the
 * transaction, it is the header of the receipt's block, and only the receipt is asked for (one call
 * instead of two). Otherwise the receipt and the latest header are asked for in one batch, as the
 * broadcast did.
 */
import { sendAll, type RpcCall, type RpcLike, type RpcReceipt } from "../rpc";
import { headerOf, type BlockHeader } from "./broadcaster";
import type { SeenHeaders } from "./seen-headers";

export interface ReceiptAndHeader {
  receipt: RpcReceipt | null;
  /** The receipt's block header when known, else the latest one (null when not answered). */
  latest: BlockHeader | null;
}

/**
 * The receipt of `txHash` and a header for it. `latest`: the header the broadcast's batch brought
 * (kept when it lists the transaction); a header read here goes to `seen`. Never throws: nulls when
 * not there or not answered.
 */
export async function receiptAgain(
  rpc: RpcLike,
  txHash: string,
  latest: BlockHeader | null,
  seen: SeenHeaders<BlockHeader>,
): Promise<ReceiptAndHeader> {
  const known = latest !== null && latest.transactions.includes(txHash.toLowerCase());
  const calls: RpcCall[] = [{ method: "eth_getTransactionReceipt", params: [txHash] }];
  if (!known) calls.push({ method: "eth_getBlockByNumber", params: ["latest", false] });
  try {
    const [mined, head] = await sendAll(rpc, calls);
    const receipt = mined.ok ? ((mined.result as RpcReceipt | null) ?? null) : null;
    const read = known || !head.ok ? null : headerOf(head.result);
    seen.remember(read);
    if (receipt === null) return { receipt: null, latest: null };
    return { receipt, latest: known ? latest : read };
  } catch {
    return { receipt: null, latest: null };
  }
}
