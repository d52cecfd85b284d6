/** A failed contract call as a ContractRevertError naming the diamond's custom error (docs/sdk.md "Errors"). */
import { isHexString } from "ethers";
import { IAccountConfig__factory } from "../../typechain-types/factories/contracts/interfaces/IAccountConfig__factory";
import { ContractRevertError, LitSdkError } from "./errors";

const DIAMOND_INTERFACE = IAccountConfig__factory.createInterface();

/** The revert data inside an ethers / provider error, if any. */
function revertData(e: unknown): string | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [e];
  while (queue.length > 0) {
    const o = queue.shift();
    if (typeof o !== "object" || o === null || seen.has(o)) continue;
    seen.add(o);
    const rec = o as Record<string, unknown>;
    if (typeof rec.data === "string" && isHexString(rec.data) && rec.data.length >= 10) return rec.data;
    for (const k of ["error", "info", "cause", "data", "revert"]) queue.push(rec[k]);
  }
  return null;
}

/**
 * `e` as the SDK reports it: a LitSdkError unchanged; revert data decoded against the diamond's
 * ABI (errorName "Unknown" when it is none of its errors); an ethers CALL_EXCEPTION with its
 * decoded revert; anything else as it came.
 */
export function decodeRevert(e: unknown, method: string): Error {
  if (e instanceof LitSdkError) return e;
  const data = revertData(e);
  if (data !== null) {
    try {
      const parsed = DIAMOND_INTERFACE.parseError(data);
      if (parsed !== null) return new ContractRevertError(parsed.name, [...parsed.args], data, method);
    } catch {
      // not one of the diamond's errors
    }
    return new ContractRevertError("Unknown", [], data, method);
  }
  const rec = e as { code?: unknown; revert?: { name?: unknown; args?: unknown } } | null;
  if (rec?.code === "CALL_EXCEPTION") {
    const name = typeof rec.revert?.name === "string" ? rec.revert.name : "Unknown";
    const args = Array.isArray(rec.revert?.args) ? [...(rec.revert.args as unknown[])] : [];
    return new ContractRevertError(name, args, null, method);
  }
  return e instanceof Error ? e : new LitSdkError(String(e));
}
