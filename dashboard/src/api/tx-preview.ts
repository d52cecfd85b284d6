/**
 * What the transaction preview shows before the wallet is asked to sign: the diamond function, its
 * decoded arguments (wildcards named) and the estimated gas.
 */
import { type ParamType, ZeroAddress, formatEther } from "ethers";
import { IAccountConfig__factory } from "../../../typechain-types/factories/contracts/interfaces/IAccountConfig__factory";
import { toHash32 } from "../../../src/sdk";

export interface PreviewArgument {
  name: string;
  type: string;
  value: string;
}

export interface TxPreview {
  /** Function name, e.g. "addGroup". */
  functionName: string;
  /** Canonical signature, e.g. "addGroup(uint256,string,string,uint256[],address[])". */
  signature: string;
  args: PreviewArgument[];
  from: string;
  to: string;
  /** Estimated gas units. */
  gas: bigint;
  /** Gas price used for the cost estimate (wei), when the chain reports one. */
  gasPriceWei: bigint | null;
}

const DIAMOND = IAccountConfig__factory.createInterface();
const TWO_64 = 1n << 64n;

/** A wildcard's meaning, by parameter name (group lists of usage keys, a group's wallets and actions). */
function wildcardNote(paramName: string, value: unknown): string {
  if (typeof value === "string" && value === ZeroAddress && /pkp|wallet/i.test(paramName)) return " (all wallets)";
  if (value === 0n && /cid/i.test(paramName)) return " (all actions)";
  if (value === 0n && /groups/i.test(paramName)) return " (all groups)";
  return "";
}

function formatValue(param: ParamType, value: unknown, name: string): string {
  if (param.baseType === "array" && param.arrayChildren !== null) {
    const child = param.arrayChildren;
    const items = Array.from(value as ArrayLike<unknown>, (v) => formatValue(child, v, name));
    return `[${items.join(", ")}]`;
  }
  if (param.baseType === "tuple") {
    const comps = param.components ?? [];
    const values = value as ArrayLike<unknown>;
    return `{${comps.map((c, i) => `${c.name}: ${formatValue(c, values[i], c.name)}`).join(", ")}}`;
  }
  if (typeof value === "bigint") {
    // 256-bit hashes (account, key and CID hashes) read better as hex; counts and ids as decimals.
    const text = value >= TWO_64 ? toHash32(value) : value.toString();
    return text + wildcardNote(name, value);
  }
  if (typeof value === "string") return param.type === "string" ? JSON.stringify(value) : value + wildcardNote(name, value);
  return String(value);
}

/** Decodes diamond calldata; unknown data is shown raw. */
export function decodeCall(data: string): { functionName: string; signature: string; args: PreviewArgument[] } {
  const parsed = (() => {
    try {
      return DIAMOND.parseTransaction({ data });
    } catch {
      return null;
    }
  })();
  if (parsed === null) {
    return { functionName: "unknown", signature: data.slice(0, 10), args: [{ name: "data", type: "bytes", value: data }] };
  }
  const args = parsed.fragment.inputs.map((input, i) => ({
    name: input.name || `arg${i}`,
    type: input.type,
    value: formatValue(input, parsed.args[i], input.name),
  }));
  return { functionName: parsed.name, signature: parsed.signature, args };
}

/** "123,456 gas (about 0.000123 ETH)". */
export function formatGas(preview: Pick<TxPreview, "gas" | "gasPriceWei">, token: string): string {
  const units = `${preview.gas.toLocaleString("en-US")} gas`;
  if (preview.gasPriceWei === null) return units;
  const cost = Number(formatEther(preview.gas * preview.gasPriceWei));
  return `${units} (about ${cost.toPrecision(3)} ${token} at the current gas price)`;
}
