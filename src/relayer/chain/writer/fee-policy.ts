/**
 * Fee policy: pure functions, no I/O (unit-tested without a node).
 *
 *  - feesFromNode: the fees a new transaction is signed with, from what the node reports (the
 *    latest block's base fee and the suggested priority fee on an EIP-1559 chain, else the gas
 *    price), capped by the configured maximum fee per gas;
 *  - bumpedFees: the fees of a replacement (same nonce) of a stuck attempt: at least the bump
 *    (12.5 % by default, the minimum nodes accept) above the previous attempt, and at least the
 *    current fees; none when that would exceed the maximum fee per gas;
 *  - maxCost: the most a transaction can cost its payer, L1 data fee included.
 */

/** Fees of one transaction: EIP-1559 (type 2) or legacy (type 0, gasPrice). */
export interface Fees {
  eip1559: boolean;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  gasPrice: bigint;
}

/** The fee fields of a stored attempt (decimal strings, null when not of that type). */
export interface AttemptFees {
  maxFeePerGas: string | null;
  maxPriorityFeePerGas: string | null;
  gasPrice: string | null;
}

/** What the node reports: base fee null on a chain without EIP-1559. */
export interface NodeFeeData {
  baseFeePerGas: bigint | null;
  /** eth_maxPriorityFeePerGas; null when the node has no suggestion. */
  priorityFee: bigint | null;
  /** eth_gasPrice (asked only on a legacy chain). */
  gasPrice: bigint | null;
}

/** 1 gwei, when the node does not suggest a priority fee. */
export const DEFAULT_PRIORITY_FEE = 1_000_000_000n;

/** Nodes refuse a replacement that raises the fees by less than 10 % (geth) / 12.5 % (others). */
export const MIN_BUMP_PERMILLE = 125n;

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;
const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** The bump of a re-sign in permille: the configured percent, at least 12.5 %. */
export function bumpPermille(percent = 12.5): bigint {
  return BigInt(Math.max(Number(MIN_BUMP_PERMILLE), Math.ceil(percent * 10)));
}

/** `value` raised by `permille` / 1000, rounded up. */
export function bump(value: bigint, permille: bigint): bigint {
  return ceilDiv(value * (1000n + permille), 1000n);
}

/**
 * Fees for a new transaction: on an EIP-1559 chain maxFee = 2 x base fee + priority fee (room
 * for the base fee to double before the transaction is priced out), capped at `cap`; the
 * priority fee never above the max fee. On a legacy chain the node's gas price, capped.
 */
export function feesFromNode(node: NodeFeeData, cap?: bigint): Fees {
  if (node.baseFeePerGas !== null) {
    let prio = node.priorityFee ?? DEFAULT_PRIORITY_FEE;
    let maxFee = node.baseFeePerGas * 2n + prio;
    if (cap !== undefined && maxFee > cap) maxFee = cap;
    if (prio > maxFee) prio = maxFee;
    return { eip1559: true, maxFeePerGas: maxFee, maxPriorityFeePerGas: prio, gasPrice: 0n };
  }
  if (node.gasPrice === null) throw new Error("feesFromNode: a legacy chain needs the node's gas price");
  let price = node.gasPrice;
  if (cap !== undefined && price > cap) price = cap;
  return { eip1559: false, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, gasPrice: price };
}

/**
 * Fees of a replacement of `previous` (same nonce): every fee field at least `permille` above the
 * previous attempt's and at least the current one. A legacy attempt on a chain that now has base
 * fees is priced as a type-2 transaction above the old gas price. With a `cap` (the configured
 * maximum fee per gas): null when a valid replacement would have to bid above it (nodes refuse a
 * replacement that raises the fees by less than the bump, so a capped one would be useless); the
 * transaction then keeps waiting at its current fees.
 */
export function bumpedFees(previous: AttemptFees, current: Fees, permille: bigint, cap?: bigint): Fees | null {
  const up = (old: string | null): bigint => (old === null ? 0n : bump(BigInt(old), permille));
  let fees: Fees;
  if (current.eip1559 && previous.maxFeePerGas !== null) {
    const prio = maxBig(up(previous.maxPriorityFeePerGas), current.maxPriorityFeePerGas);
    let maxFee = maxBig(up(previous.maxFeePerGas), current.maxFeePerGas);
    if (maxFee < prio) maxFee = prio;
    fees = { eip1559: true, maxFeePerGas: maxFee, maxPriorityFeePerGas: prio, gasPrice: 0n };
  } else if (current.eip1559) {
    const floor = up(previous.gasPrice);
    fees = {
      eip1559: true,
      maxFeePerGas: maxBig(floor, current.maxFeePerGas),
      maxPriorityFeePerGas: maxBig(floor, current.maxPriorityFeePerGas),
      gasPrice: 0n,
    };
  } else {
    fees = { eip1559: false, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, gasPrice: maxBig(up(previous.gasPrice), current.gasPrice) };
  }
  if (cap !== undefined && (fees.eip1559 ? fees.maxFeePerGas : fees.gasPrice) > cap) return null;
  return fees;
}

/**
 * The most a transaction can cost its payer (wei): gasLimit x the fee per gas it bids (maxFee on
 * EIP-1559, else gasPrice) + the value it carries + the L1 data fee (OP-stack chains, 0 elsewhere).
 */
export function maxCost(tx: { gasLimit: bigint; fees: AttemptFees | Fees; value?: bigint; l1Fee?: bigint }): bigint {
  const f = tx.fees;
  const perGas =
    "eip1559" in f ? (f.eip1559 ? f.maxFeePerGas : f.gasPrice) : BigInt(f.maxFeePerGas ?? f.gasPrice ?? "0");
  return tx.gasLimit * perGas + (tx.value ?? 0n) + (tx.l1Fee ?? 0n);
}
