/**
 * One clear, specific message for anything a write or read can throw: the decoded custom error of
 * a revert (name and arguments), the relayer's HTTP error (status, code, message, request id),
 * a wallet refusal, or a network failure.
 */
import { ContractRevertError, LitApiError, LitSdkError } from "../../../src/sdk";
import { TransactionCancelledError } from "./preview-signer";
import { WalletError } from "./wallet";

export interface DescribedError {
  /** One line: what failed. */
  title: string;
  /** Why, and what to do. */
  detail: string | null;
  /** The machine name (custom error or HTTP code), when there is one. */
  code: string | null;
}

/** What the diamond's custom errors mean for a person. */
const HINTS: Record<string, string> = {
  AccountAlreadyExists: "That wallet or key already belongs to an account (a wallet that was ever an admin cannot receive another account).",
  AccountDoesNotExist: "No account resolves from this key or wallet.",
  NoAccountAccess: "This key or wallet may not change this account (a ChainSecured account only accepts its admin wallet).",
  NotMasterAccount: "Only the account key (or the admin wallet) may do this, not a usage key.",
  GroupDoesNotExist: "The group does not exist (it may have been deleted).",
  ActionDoesNotExist: "The action is not registered to this account, or not in that group.",
  PkpDoesNotExist: "The wallet is not registered to this account, or not in that group.",
  UsageApiKeyDoesNotExist: "The usage key does not exist (it may have been deleted).",
  UsageApiKeyExpired: "The usage key has expired.",
  InvalidRequest: "The contract refused a value.",
  NotEnoughCredits: "Not enough credits: add funds in Billing.",
  PaymentRequired: "Not enough credits: add funds in Billing.",
};

const hint = (code: string): string | null => HINTS[code] ?? null;

function walletCode(e: unknown): number | string | null {
  if (typeof e !== "object" || e === null) return null;
  const rec = e as { code?: unknown; info?: { error?: { code?: unknown } }; error?: { code?: unknown } };
  for (const c of [rec.code, rec.info?.error?.code, rec.error?.code]) {
    if (typeof c === "number" || typeof c === "string") return c;
  }
  return null;
}

export function describeError(e: unknown): DescribedError {
  if (e instanceof TransactionCancelledError) {
    return { title: "Cancelled", detail: e.message, code: null };
  }
  if (e instanceof ContractRevertError) {
    const args = e.args.map((a) => (typeof a === "bigint" ? a.toString() : String(a))).join(", ");
    const detail = [`The ${e.method} call reverted with ${e.errorName}(${args}).`, hint(e.errorName)]
      .filter((x) => x !== null)
      .join(" ");
    return { title: `Contract error: ${e.errorName}`, detail, code: e.errorName };
  }
  if (e instanceof LitApiError) {
    const message = e.message.replace(/^\d+ [A-Za-z0-9_]+: /, "");
    const extra = [hint(e.errorName), e.requestId === null ? null : `Request id ${e.requestId}.`]
      .filter((x) => x !== null)
      .join(" ");
    return {
      title: `HTTP ${e.status} ${e.errorName}: ${message}`,
      detail: extra === "" ? null : extra,
      code: e.errorName,
    };
  }
  if (e instanceof LitSdkError) return { title: e.message, detail: null, code: e.name };
  const code = walletCode(e);
  if (code === 4001 || code === "ACTION_REJECTED") {
    return { title: "Rejected in the wallet", detail: "The wallet request was declined; nothing was sent.", code: "4001" };
  }
  if (code === 4902) {
    return {
      title: "The wallet does not know this chain",
      detail: "Add the relayer's chain to your wallet (its RPC URL comes from whoever runs the relayer), then try again.",
      code: "4902",
    };
  }
  if (e instanceof WalletError) return { title: e.message, detail: null, code: e.code === null ? null : String(e.code) };
  if (e instanceof TypeError && /fetch/i.test(e.message)) {
    return { title: "Cannot reach the relayer", detail: `${e.message}. Is it running?`, code: null };
  }
  if (typeof e === "object" && e !== null && typeof (e as { shortMessage?: unknown }).shortMessage === "string") {
    return { title: (e as { shortMessage: string }).shortMessage, detail: null, code: typeof code === "string" ? code : null };
  }
  if (e instanceof Error) return { title: e.message, detail: null, code: null };
  return { title: String(e), detail: null, code: null };
}
