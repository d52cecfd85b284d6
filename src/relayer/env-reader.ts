/**
 * Typed reading of the relayer's environment variables (config.ts): each bad value is recorded as
 * a problem naming the variable, and every problem is reported at once in a ConfigError.
 */

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid relayer configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** A value for a problem message: JSON-quoted, cut at 60 characters. */
export const quote = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** A non-negative decimal amount with at most `decimals` decimals, in base units; null when malformed. */
export function decimalUnits(text: string, decimals: number): bigint | null {
  const m = new RegExp(`^([0-9]+)(?:\\.([0-9]{1,${decimals}}))?$`).exec(text);
  if (!m) return null;
  return BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt((m[2] ?? "").padEnd(decimals, "0") || "0");
}

/** Typed access to variables; a bad value is recorded in `problems` and the default returned. */
export class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  optional(name: string): string | null {
    const v = (this.env[name] ?? "").trim();
    return v === "" ? null : v;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  list(name: string): string[] {
    const v = this.optional(name);
    return v === null
      ? []
      : v
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
  }

  number(name: string, fallback: number, min: number): number {
    const v = this.optional(name);
    if (v === null) return fallback;
    const n = Number(v);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(v) || !Number.isFinite(n) || n < min) {
      this.problems.push(`${name}: expected a number >= ${min}, got ${quote(v)}`);
      return fallback;
    }
    return n;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.optional(name);
    if (v === null) return fallback;
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      this.problems.push(`${name}: expected an integer ${min}..${max}, got ${quote(v)}`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.optional(name);
    if (v === null) return fallback;
    const lower = v.toLowerCase();
    if (["1", "true", "yes", "on"].includes(lower)) return true;
    if (["0", "false", "no", "off"].includes(lower)) return false;
    this.problems.push(`${name}: expected true or false, got ${quote(v)}`);
    return fallback;
  }
}
