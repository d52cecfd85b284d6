/**
 * A node's refusal of a transaction for its size or its gas (docs/operator.md, "Batch size
 * limits"). Such a refusal is final for those bytes: the row fails (a filler takes its nonce, so
 * the payer's next write goes out), a single write is answered WriteTooLargeError, and the
 * batching front sends a refused batch's calls again in smaller batches (chain/batch-limits.ts).
 * Never "retry": the same bytes would be refused forever and hold the payer's nonce.
 *
 * The texts, as the clients word them:
 *   size  geth, op-geth (Base), erigon, reth: "oversized data" / "oversized data: transaction
 *         size N, limit M" (the pool's 128 KiB); Nethermind: "MaxTxSizeExceeded"; others:
 *         "transaction size limit", "max transaction size", "transaction too large".
 *   gas   geth, op-geth: "exceeds block gas limit" (pool) and, with EIP-7825, "transaction gas
 *         limit too high (cap: 16777216, tx: N)"; reth: "transaction's gas limit N exceeds
 *         block's gas limit M", "... exceeds maximum transaction gas limit M", revm "transaction
 *         gas limit (N) is greater than the cap (M)", "caller gas limit exceeds the block gas
 *         limit"; Nethermind: "GasLimitExceeded", "TxGasLimitCapExceeded"; Hardhat/EDR:
 *         "Transaction gas limit is N and exceeds block gas limit of M" (and "... exceeds
 *         transaction gas cap of M"); Besu: "EXCEEDS_BLOCK_GAS_LIMIT", "gas limit too high";
 *         and "intrinsic gas too high" (the calldata's own gas above the cap).
 * Not these: "intrinsic gas too low" and the EIP-7623 floor (a gas limit too low: a plain
 * failure), and geth's "tx fee ... exceeds the configured cap" (a fee, not gas).
 */
import type { NodeLimit } from "../../ports";

const SIZE = /oversized data|MaxTxSizeExceeded|transaction size limit|max(imum)? (tx|transaction) size|(tx|transaction) (size )?too (large|big)/i;
const GAS =
  /exceeds? (the )?block'?s? gas limit|EXCEEDS_BLOCK_GAS_LIMIT|gas limit too high|GasLimitExceeded|gas ?limit ?cap|exceeds (the )?max(imum)? (tx |transaction )?gas limit|gas limit \(?\d*\)? ?is greater than the cap|exceeds (the )?(tx|transaction) gas (cap|limit)|intrinsic gas too high/i;

/** The node limit a refusal's message names, or null when it is another refusal. */
export function nodeLimitOf(message: string): NodeLimit | null {
  if (SIZE.test(message)) return "TransactionSize";
  if (GAS.test(message)) return "GasCap";
  return null;
}
