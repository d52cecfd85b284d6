/**
 * Hostile Lit Actions and the measurement of the relayer's event-loop delay while they run: shared
 * by test/relayer/lit-runtime/event-loop.test.ts and bench/actions.ts.
 */
import { monitorEventLoopDelay } from "perf_hooks";
import { DEFAULT_ACTION_LIMITS } from "../../../src/relayer/lit-runtime/limits";
import { runInSandbox, type SandboxHost } from "../../../src/relayer/lit-runtime/sandbox";

const host: SandboxHost = {
  keyOperation: async () => "",
  fetch: async () => {
    throw new Error("no fetch here");
  },
};

/** Four hostile actions (issue 13 item 8): setResponse loops with 100 KB, getRandomValues loops. */
export const HOSTILE_ACTIONS: readonly string[] = [
  "async function main() { const s = 'x'.repeat(100 * 1024); for (;;) Lit.Actions.setResponse({ response: s }); }",
  "async function main() { const s = 'y'.repeat(100 * 1024); for (;;) { try { Lit.Actions.setResponse({ response: s }); } catch (e) {} } }",
  "async function main() { const a = new Uint8Array(65536); for (;;) { try { crypto.getRandomValues(a); } catch (e) {} } }",
  "async function main() { const a = new Uint8Array(16); for (;;) { try { crypto.getRandomValues(a); } catch (e) {} } }",
];
/** Four harmless busy loops: the same CPU pressure without host callbacks. */
export const BUSY_LOOPS: readonly string[] = Array(4).fill("async function main() { for (;;) {} }");

export interface EventLoopDelay {
  /** Event-loop delay percentiles and maximum, ms. */
  p50: number;
  p99: number;
  max: number;
  /** Executions run during the window. */
  runs: number;
  /** How often a 10 ms interval timer fired during the window (ideally window / 10). */
  ticks: number;
}

/**
 * The event-loop delay (ms) while `codes` run at once for `windowMs`, each restarted when it ends
 * (a hostile action that hits a budget ends quickly; the pressure must last the whole window).
 */
export async function eventLoopDelayDuring(
  codes: readonly string[],
  windowMs: number,
): Promise<EventLoopDelay> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  const end = Date.now() + windowMs;
  let runs = 0;
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  histogram.enable();
  await Promise.all(
    codes.map(async (code) => {
      while (Date.now() < end - 20) {
        await runInSandbox({
          code,
          paramsJson: "null",
          headers: {},
          limits: { ...DEFAULT_ACTION_LIMITS, timeoutMs: Math.max(20, end - Date.now()) },
          host,
        });
        runs++;
      }
    }),
  );
  const rest = end - Date.now();
  if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
  histogram.disable();
  clearInterval(ticker);
  const ms = (ns: number) => ns / 1e6;
  return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), runs, ticks };
}

