/** Small display helpers. */
export function shortHex(value: string, keep = 6): string {
  return value.length <= 2 + keep * 2 ? value : `${value.slice(0, 2 + keep)}…${value.slice(-keep)}`;
}

/** Expiration as the API gives it (unix seconds, "0" = never). */
export function formatExpiration(seconds: string | number): string {
  const n = Number(seconds);
  if (!Number.isFinite(n) || n === 0) return "never";
  return new Date(n * 1000).toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC");
}
