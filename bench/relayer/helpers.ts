/**
 * Small helpers of the relayer write benchmark (bench/relayer.ts): timing, hex quantities, error
 * text, nearest-rank percentiles, markdown tables and a fixed-concurrency job pool.
 */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const now = () => performance.now();
export const hexNum = (v: unknown): number => Number(BigInt(v as string));
export const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
/** What marks a failure or a chain-layer log line as a nonce error. */
export const NONCE_RE = /nonce/i;

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Runs `count` jobs with at most `concurrency` at once; returns wall time in ms. */
export async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) await job(i);
    }),
  );
  return now() - start;
}
