/**
 * CIDs this browser has seen, by their on-chain hash. The chain stores only keccak256(CID), but
 * adding an action to a group and running it by CID need the CID itself; whatever the dashboard
 * registers or computes is remembered here (localStorage; CIDs are public, nothing secret).
 */
import { cidTextHash } from "../../../src/sdk";

const STORAGE_KEY = "accountconfig.dashboard.cids";

function read(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? "{}");
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function rememberCid(cid: string): void {
  const all = read();
  all[cidTextHash(cid)] = cid; // keccak256(utf8(cid)), as the diamond keys actions
  window.localStorage.setItem(STORAGE_KEY, JSON.stringify(all));
}

/** The CID of an action id (0x + 64 hex), when known here. */
export function knownCid(hash: string): string | null {
  return read()[hash.toLowerCase()] ?? null;
}

/** A CIDv0/CIDv1 shape check (the relayer validates for real). */
export function looksLikeCid(text: string): boolean {
  return /^(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{20,})$/.test(text.trim());
}
