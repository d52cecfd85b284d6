/**
 * Progress and outcome of one write (a form submission): "running" with the current phase
 * (the preview signer reports "Estimating gas", "Confirm in your wallet", ...), then "done" with a
 * message, or "error" with a described error. One write runs at a time in the dashboard, so the
 * phase reporter is module-wide.
 */
import { useCallback, useRef, useState } from "react";
import { type DescribedError, describeError } from "../api/errors";

export type WriteState =
  | { status: "idle" }
  | { status: "running"; label: string; phase: string | null }
  | { status: "done"; message: string }
  | { status: "error"; label: string; error: DescribedError };

let activePhase: ((text: string) => void) | null = null;

/** Reports the current phase to the write in progress (no-op when none). */
export function reportPhase(text: string): void {
  activePhase?.(text);
}

export interface Write {
  state: WriteState;
  busy: boolean;
  /** Runs `fn`; resolves its result, or undefined when it failed (the error is in `state`). */
  run<T>(label: string, fn: () => Promise<T>, doneMessage?: string | ((result: T) => string)): Promise<T | undefined>;
  reset(): void;
}

export function useWrite(): Write {
  const [state, setState] = useState<WriteState>({ status: "idle" });
  const running = useRef(false);

  const run = useCallback(
    async <T,>(label: string, fn: () => Promise<T>, doneMessage?: string | ((result: T) => string)) => {
      if (running.current) return undefined;
      running.current = true;
      setState({ status: "running", label, phase: null });
      const report = (text: string) => setState({ status: "running", label, phase: text });
      activePhase = report;
      try {
        const result = await fn();
        const message = typeof doneMessage === "function" ? doneMessage(result) : (doneMessage ?? `${label}: done`);
        setState({ status: "done", message });
        return result;
      } catch (e) {
        console.error(`${label} failed`, e);
        setState({ status: "error", label, error: describeError(e) });
        return undefined;
      } finally {
        if (activePhase === report) activePhase = null;
        running.current = false;
      }
    },
    [],
  );

  const reset = useCallback(() => setState({ status: "idle" }), []);
  return { state, busy: state.status === "running", run, reset };
}
