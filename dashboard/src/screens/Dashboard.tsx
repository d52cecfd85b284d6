/**
 * The signed-in surface, the same in both modes: a header with the account menu, the section
 * navigation (#usage-keys, #groups, ...) and the selected panel.
 */
import { useEffect, useState } from "react";
import { apiKeyTextHash } from "../../../src/sdk";
import { AccountMenu } from "../account/AccountMenu";
import { shortHex } from "../api/format";
import { Actions } from "../panels/Actions";
import { Billing } from "../panels/Billing";
import { Groups } from "../panels/Groups";
import { RunAction } from "../panels/RunAction";
import { UsageKeys } from "../panels/UsageKeys";
import { Wallets } from "../panels/Wallets";
import { useDashboard } from "../state/context";

const SECTIONS = [
  { key: "usage-keys", label: "Usage keys" },
  { key: "groups", label: "Groups" },
  { key: "actions", label: "Actions" },
  { key: "wallets", label: "Wallets" },
  { key: "run", label: "Run action" },
  { key: "billing", label: "Billing" },
] as const;

export type SectionKey = (typeof SECTIONS)[number]["key"];

function sectionFromHash(): SectionKey {
  const hash = window.location.hash.replace(/^#\/?/, "").split("?")[0];
  return SECTIONS.find((s) => s.key === hash)?.key ?? "usage-keys";
}

function useSection(): SectionKey {
  const [section, setSection] = useState<SectionKey>(sectionFromHash);
  useEffect(() => {
    const onHash = () => setSection(sectionFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  return section;
}

export function Dashboard() {
  const { session } = useDashboard();
  const section = useSection();
  const label = SECTIONS.find((s) => s.key === section)?.label ?? "";

  useEffect(() => {
    document.title = `${label} · AccountConfig dashboard`;
  }, [label]);

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">AccountConfig</span>
        <span className={`badge ${session.mode === "api" ? "badge-api" : "badge-sovereign"}`} data-testid="mode-badge">
          {session.mode === "api" ? "API mode" : "ChainSecured"}
        </span>
        <span className="who">
          {session.mode === "api" ? (
            <>
              account key hash <code>{shortHex(apiKeyTextHash(session.apiKey))}</code>
            </>
          ) : (
            <>
              admin <code>{shortHex(session.address, 4)}</code> · account <code>{shortHex(session.accountHash)}</code>
            </>
          )}
        </span>
        <AccountMenu />
      </header>
      <div className="layout">
        <nav aria-label="Dashboard sections" className="sidenav">
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.key}>
                <a href={`#${s.key}`} aria-current={s.key === section ? "page" : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main className="content" aria-labelledby="section-title">
          {section === "usage-keys" ? <UsageKeys /> : null}
          {section === "groups" ? <Groups /> : null}
          {section === "actions" ? <Actions /> : null}
          {section === "wallets" ? <Wallets /> : null}
          {section === "run" ? <RunAction /> : null}
          {section === "billing" ? <Billing /> : null}
        </main>
      </div>
    </div>
  );
}
