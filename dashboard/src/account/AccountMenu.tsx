/**
 * The account menu (menu button pattern): "Convert to ChainSecured" in API mode, "Change Ownership"
 * in ChainSecured mode, and "Sign out". Arrow keys move, Escape closes.
 */
import { useEffect, useRef, useState } from "react";
import { useDashboard } from "../state/context";
import { ChangeOwnershipDialog } from "./ChangeOwnershipDialog";
import { ConvertDialog } from "./ConvertDialog";

type Item = { label: string; run(): void };

export function AccountMenu() {
  const { session, signOut } = useDashboard();
  const [open, setOpen] = useState(false);
  const [dialog, setDialog] = useState<"convert" | "ownership" | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);

  const entries: Item[] = [
    session.mode === "api"
      ? { label: "Convert to ChainSecured", run: () => setDialog("convert") }
      : { label: "Change Ownership", run: () => setDialog("ownership") },
    { label: "Sign out", run: () => signOut("Signed out.") },
  ];

  useEffect(() => {
    if (open) items.current[0]?.focus();
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  return (
    <div className="menu">
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="account-menu"
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        Account ▾
      </button>
      {open ? (
        <ul
          id="account-menu"
          role="menu"
          aria-label="Account"
          className="menu-list"
          onKeyDown={(event) => {
            const i = items.current.findIndex((el) => el === document.activeElement);
            if (event.key === "Escape") close(true);
            else if (event.key === "Tab") close(false);
            else if (event.key === "ArrowDown") items.current[(i + 1) % entries.length]?.focus();
            else if (event.key === "ArrowUp") items.current[(i - 1 + entries.length) % entries.length]?.focus();
            else return;
            if (event.key !== "Tab") event.preventDefault();
          }}
        >
          {entries.map((entry, i) => (
            <li key={entry.label} role="none">
              <button
                ref={(el) => {
                  items.current[i] = el;
                }}
                type="button"
                role="menuitem"
                tabIndex={-1}
                onClick={() => {
                  close(false);
                  entry.run();
                }}
              >
                {entry.label}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {session.mode === "api" ? (
        <ConvertDialog open={dialog === "convert"} onClose={() => setDialog(null)} />
      ) : (
        <ChangeOwnershipDialog open={dialog === "ownership"} onClose={() => setDialog(null)} />
      )}
    </div>
  );
}
