/**
 * The dashboard: loads the relayer's chain configuration, then shows the login screen or the
 * signed-in surface (API mode directly; ChainSecured mode once the admin wallet is connected).
 */
import { useCallback, useMemo, useState } from "react";
import type { LitNodeSimpleApiClient, NodeChainConfig } from "../../src/sdk";
import { apiClient } from "./api/clients";
import { type Session, clearSession, loadSession, saveSession } from "./api/session";
import { ErrorNotice } from "./components/ErrorNotice";
import { Dashboard } from "./screens/Dashboard";
import { Login } from "./screens/Login";
import { DashboardContext, type DashboardEnv } from "./state/context";
import { useLoad } from "./state/load";
import { SovereignGate } from "./wallet/SovereignGate";
import { TxApprovalProvider } from "./wallet/TxApproval";

export function App() {
  const chain = useLoad(() => apiClient().getNodeChainConfig(), []);
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<string | null>(null);

  const signIn = useCallback((s: Session) => {
    saveSession(s);
    setNotice(null);
    setSession(s);
  }, []);
  const signOut = useCallback((message?: string) => {
    clearSession();
    setSession(null);
    setNotice(message ?? null);
    window.location.hash = "";
  }, []);

  if (chain.data === null) {
    return (
      <main className="centered">
        <section className="card narrow" aria-labelledby="boot-title">
          <h1 id="boot-title">AccountConfig dashboard</h1>
          {chain.error === null ? <p role="status">Connecting to the relayer…</p> : null}
          {chain.error === null ? null : (
            <>
              <ErrorNotice error={chain.error} label="Reading the relayer's chain configuration" />
              <button type="button" className="primary" onClick={chain.reload}>
                Try again
              </button>
            </>
          )}
        </section>
      </main>
    );
  }

  const cfg = chain.data;
  return (
    <TxApprovalProvider token={cfg.token}>
      {session === null ? (
        <Login chain={cfg} notice={notice} onSignedIn={signIn} />
      ) : session.mode === "api" ? (
        <ApiSession key={session.apiKey} session={session} chain={cfg} signIn={signIn} signOut={signOut} />
      ) : (
        <SovereignGate key={`${session.address}:${session.accountHash}`} session={session} chain={cfg} signOut={signOut}>
          {(client) => <SessionView session={session} client={client} chain={cfg} signIn={signIn} signOut={signOut} />}
        </SovereignGate>
      )}
    </TxApprovalProvider>
  );
}

interface SessionProps {
  session: Session;
  chain: NodeChainConfig;
  signIn(session: Session): void;
  signOut(notice?: string): void;
}

function ApiSession(props: SessionProps & { session: Extract<Session, { mode: "api" }> }) {
  const client = useMemo(() => apiClient(props.session.apiKey), [props.session.apiKey]);
  return <SessionView {...props} client={client} />;
}

function SessionView({ session, client, chain, signIn, signOut }: SessionProps & { client: LitNodeSimpleApiClient }) {
  const env = useMemo<DashboardEnv>(
    () => ({
      session,
      client,
      chain,
      signOut,
      // After a conversion the API key no longer changes the account: forget it, continue as the wallet.
      becomeChainSecured: (address, accountHash) => signIn({ mode: "sovereign", address, accountHash }),
    }),
    [session, client, chain, signIn, signOut],
  );
  return (
    <DashboardContext.Provider value={env}>
      <Dashboard />
    </DashboardContext.Provider>
  );
}
