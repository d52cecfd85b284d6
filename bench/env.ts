/** Benchmark settings read from the environment (shared by the bench scripts). */

/**
 * The integer in environment variable `name`, or `fallback` when it is unset or blank. Throws,
 * naming the variable, for anything but a safe integer of at least `min`.
 */
export function intEnv(name: string, fallback: number, min = 0): number {
  const v = (process.env[name] ?? "").trim();
  if (v === "") return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new Error(`${name}: expected ${min >= 1 ? "a positive" : "a non-negative"} integer, got "${v}"`);
  }
  return n;
}
