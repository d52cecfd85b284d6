/**
 * The signed-in session, kept in sessionStorage (this tab only, gone when it closes): an API-mode
 * session holds the account's API key; a ChainSecured session holds the admin wallet's address and
 * the account hash the SDK sends in contract calls (never a secret).
 */
export type Session =
  | { mode: "api"; apiKey: string }
  | { mode: "sovereign"; address: string; accountHash: string };

const STORAGE_KEY = "accountconfig.dashboard.session";

function isSession(value: unknown): value is Session {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.mode === "api") return typeof v.apiKey === "string" && v.apiKey !== "";
  if (v.mode === "sovereign") return typeof v.address === "string" && typeof v.accountHash === "string";
  return false;
}

export function loadSession(): Session | null {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    const parsed: unknown = raw === null ? null : JSON.parse(raw);
    return isSession(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
