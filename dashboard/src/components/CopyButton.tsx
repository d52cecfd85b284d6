/** Copies a value to the clipboard and says so (for screen readers too). */
import { useState } from "react";

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (e.g. plain http on another host): fall back to a selection copy.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** `label` is the visible text; `name` (default: label) the accessible name, e.g. "Copy CID of greeting". */
export function CopyButton({ value, label, name }: { value: string; label: string; name?: string }) {
  const [copied, setCopied] = useState<null | boolean>(null);
  return (
    <span className="copy">
      <button
        type="button"
        aria-label={name}
        onClick={() => {
          void copyText(value).then(setCopied);
        }}
      >
        {label}
      </button>
      <span role="status" className="copy-status">
        {copied === null ? "" : copied ? "Copied to the clipboard" : "Copy failed: select the text and copy it"}
      </span>
    </span>
  );
}
