/** Converters from task option strings to contract arguments (thin wrappers over src/core). */
import { ZeroAddress } from "ethers";
import { apiKeyHash, cidHash, parseAddress, parseCid, parseKeyOrHash, splitList } from "../../src/core";

/** --account / --key: an API key text (hashed here) or a 0x 32-byte hash. */
export function keyHashArg(value: string, option = "--account"): bigint {
  return BigInt(apiKeyHash(parseKeyOrHash(value, option)));
}

/** --cid: a CID (hashed here) or a 0x 32-byte hash. */
export function cidArg(value: string, option = "--cid"): bigint {
  return BigInt(cidHash(parseCid(value, option)));
}

/** A cid that may be the wildcard: "0" or "*" = every action registered to the account. */
export function cidOrWildcardArg(value: string, option = "--cid"): bigint {
  const text = value.trim();
  return text === "0" || text === "*" ? 0n : cidArg(text, option);
}

/** A wallet that may be the wildcard: "0", "*" or the zero address = every wallet of the account. */
export function pkpOrWildcardArg(value: string, option = "--pkp"): string {
  const text = value.trim();
  return text === "0" || text === "*" ? ZeroAddress : parseAddress(text, option);
}

/** --cids: a comma list of CIDs / 0x hashes (0 or * = every action); "" = none. */
export function cidListArg(value: string, option = "--cids"): bigint[] {
  return splitList(value).map((part, i) => cidOrWildcardArg(part, `${option} entry ${i + 1}`));
}

/** --pkps: a comma list of wallet addresses (0 or * = every wallet); "" = none. */
export function pkpListArg(value: string, option = "--pkps"): string[] {
  return splitList(value).map((part, i) => pkpOrWildcardArg(part, `${option} entry ${i + 1}`));
}

/** --account and --cid (an action of the account), parsed in that order. */
export function keyAndAction(a: { account: string; cid: string }): { account: bigint; cid: bigint } {
  const account = keyHashArg(a.account);
  return { account, cid: cidArg(a.cid) };
}

/** --account, --cid and --pkp (a wallet used in the action), parsed in that order. */
export function keyActionAndWallet(a: { account: string; cid: string; pkp: string }): { account: bigint; cid: bigint; pkp: string } {
  const { account, cid } = keyAndAction(a);
  return { account, cid, pkp: parseAddress(a.pkp, "--pkp") };
}
