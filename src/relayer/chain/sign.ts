/**
 * Local transaction signing without ethers' Wallet machinery (address resolution, request
 * copying): builds the transaction with ethers' Transaction, signs its hash with the key and
 * serializes it. Same result as Wallet.signTransaction, at about half the CPU.
 */
import { Transaction, keccak256, type SigningKey, type TransactionLike } from "ethers";

export interface SignedTx {
  rawTx: string;
  hash: string;
}

export function signTx(key: SigningKey, tx: TransactionLike<string>): SignedTx {
  const t = Transaction.from(tx);
  t.signature = key.sign(t.unsignedHash);
  const rawTx = t.serialized;
  return { rawTx, hash: keccak256(rawTx) };
}
