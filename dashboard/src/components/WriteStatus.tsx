/** The progress line of a write, then its outcome; errors are announced (role=alert). */
import type { WriteState } from "../state/write";
import { ErrorNotice } from "./ErrorNotice";

export function WriteStatus({ state, banner }: { state: WriteState; banner?: boolean }) {
  if (state.status === "error") return <ErrorNotice error={state.error} label={state.label} />;
  const text =
    state.status === "running"
      ? `${state.label}… ${state.phase ?? ""}`.trim()
      : state.status === "done"
        ? state.message
        : "";
  const cls = `write-status ${banner ? "write-banner " : ""}write-${state.status}`;
  return (
    <div className={cls} role="status" aria-live="polite" hidden={text === ""}>
      {state.status === "running" ? <span className="spinner" aria-hidden="true" /> : null}
      {text}
    </div>
  );
}
