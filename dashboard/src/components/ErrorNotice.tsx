import type { DescribedError } from "../api/errors";

export function ErrorNotice({ error, label }: { error: DescribedError; label?: string }) {
  return (
    <div className="notice notice-error" role="alert">
      <strong>{label === undefined ? error.title : `${label} failed: ${error.title}`}</strong>
      {error.detail === null ? null : <p>{error.detail}</p>}
    </div>
  );
}
