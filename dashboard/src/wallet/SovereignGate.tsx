/**
 * A ChainSecured session needs the admin wallet: this checks that the injected wallet is there,
 * connected to the session's address and on the relayer's chain, then builds the sovereign SDK
 * client on a PreviewSigner. Switching the wallet to another account ends the session.
 */
import { BrowserProvider } from "ethers";
import { type ReactNode, useCallback, useEffect, useState } from "react";
import type { LitNodeSimpleApiClient, NodeChainConfig } from "../../../src/sdk";
import { sovereignClient } from "../api/clients";
import { type DescribedError, describeError } from "../api/errors";
import { shortHex } from "../api/format";
import { PreviewSigner } from "../api/preview-signer";
import type { Session } from "../api/session";
import { NO_WALLET_MESSAGE, connectWallet, connectedAccount, injectedWallet, onWalletEvent } from "../api/wallet";
import { ErrorNotice } from "../components/ErrorNotice";
import { usePreviewHooks } from "./TxApproval";
import { useChainGuard } from "./useChainGuard";

type GateState =
  | { kind: "checking" }
  | { kind: "ready"; client: LitNodeSimpleApiClient }
  | { kind: "problem"; message: string; canConnect: boolean }
  | { kind: "error"; error: DescribedError };

export function SovereignGate(props: {
  session: Extract<Session, { mode: "sovereign" }>;
  chain: NodeChainConfig;
  signOut(notice?: string): void;
  children(client: LitNodeSimpleApiClient): ReactNode;
}) {
  const { session, chain, signOut } = props;
  const hooks = usePreviewHooks();
  const guard = useChainGuard(chain);
  const [state, setState] = useState<GateState>({ kind: "checking" });
  const [attempt, setAttempt] = useState(0);

  const check = useCallback(
    async (prompt: boolean): Promise<GateState> => {
      const eth = injectedWallet();
      if (eth === null) return { kind: "problem", message: NO_WALLET_MESSAGE, canConnect: false };
      const account = prompt ? await connectWallet(eth) : await connectedAccount(eth);
      if (account === null) {
        return { kind: "problem", message: "Connect your admin wallet to continue.", canConnect: true };
      }
      if (account.toLowerCase() !== session.address.toLowerCase()) {
        return {
          kind: "problem",
          message: `Your wallet's account is ${account}, but this session belongs to ${session.address}. Select that account in your wallet, or sign out.`,
          canConnect: true,
        };
      }
      await guard.ensureChain(eth);
      const signer = await new BrowserProvider(eth).getSigner(session.address);
      return { kind: "ready", client: sovereignClient(new PreviewSigner(signer, hooks), session.accountHash, chain.contract_address) };
    },
    [session, chain, hooks, guard.ensureChain],
  );

  useEffect(() => {
    let live = true;
    setState({ kind: "checking" });
    check(false).then(
      (s) => live && setState(s),
      (e: unknown) => live && setState({ kind: "error", error: describeError(e) }),
    );
    return () => {
      live = false;
    };
  }, [check, attempt]);

  useEffect(() => {
    const eth = injectedWallet();
    if (eth === null) return undefined;
    const offAccounts = onWalletEvent(eth, "accountsChanged", (accounts) => {
      const next = Array.isArray(accounts) && typeof accounts[0] === "string" ? accounts[0] : null;
      if (next === null || next.toLowerCase() !== session.address.toLowerCase()) {
        signOut(`Your wallet switched away from ${shortHex(session.address, 4)}: signed out of the ChainSecured session.`);
      }
    });
    const offChain = onWalletEvent(eth, "chainChanged", () => setAttempt((a) => a + 1));
    return () => {
      offAccounts();
      offChain();
    };
  }, [session.address, signOut]);

  if (state.kind === "ready") return <>{props.children(state.client)}</>;
  return (
    <main className="centered">
      <section className="card narrow" aria-labelledby="gate-title">
        <h1 id="gate-title">ChainSecured session</h1>
        <p>
          Admin wallet <code>{session.address}</code>
        </p>
        {guard.prompt}
        {state.kind === "checking" && guard.prompt === null ? <p role="status">Checking your wallet…</p> : null}
        {state.kind === "problem" ? <p role="alert">{state.message}</p> : null}
        {state.kind === "error" ? <ErrorNotice error={state.error} /> : null}
        <div className="button-row">
          <button type="button" onClick={() => signOut()}>
            Sign out
          </button>
          {state.kind === "problem" && state.canConnect ? (
            <button
              type="button"
              className="primary"
              onClick={() =>
                void check(true).then(setState, (e: unknown) => setState({ kind: "error", error: describeError(e) }))
              }
            >
              Connect wallet
            </button>
          ) : null}
          {state.kind === "error" ? (
            <button type="button" className="primary" onClick={() => setAttempt((a) => a + 1)}>
              Try again
            </button>
          ) : null}
        </div>
      </section>
    </main>
  );
}
