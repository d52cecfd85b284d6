/**
 * The login screen: "Sign in" and "Create account" tabs, each with an API-mode card (recommended)
 * and a ChainSecured card (an EIP-1193 wallet).
 */
import { useState } from "react";
import type { NodeChainConfig } from "../../../src/sdk";
import type { Session } from "../api/session";
import { Tabs } from "../components/Tabs";
import { ApiCreate } from "./login/ApiCreate";
import { ApiSignIn } from "./login/ApiSignIn";
import { ChainSecuredCreate } from "./login/ChainSecuredCreate";
import { ChainSecuredSignIn } from "./login/ChainSecuredSignIn";

type LoginTab = "sign-in" | "create";

export interface LoginProps {
  chain: NodeChainConfig;
  notice: string | null;
  onSignedIn(session: Session): void;
}

export function Login({ chain, notice, onSignedIn }: LoginProps) {
  const [tab, setTab] = useState<LoginTab>("sign-in");
  return (
    <main className="login">
      <header className="login-header">
        <h1>AccountConfig dashboard</h1>
        <p>
          Manage usage keys, groups, actions, wallets and billing of your account on {chain.chain_name} (chain id{" "}
          {chain.chain_id}).
        </p>
      </header>
      {notice === null ? null : (
        <p className="notice notice-info" role="status">
          {notice}
        </p>
      )}
      <Tabs<LoginTab>
        label="Sign in or create an account"
        selected={tab}
        onSelect={setTab}
        items={[
          {
            key: "sign-in",
            label: "Sign in",
            content: (
              <div className="cards">
                <ApiSignIn onSignedIn={onSignedIn} />
                <ChainSecuredSignIn chain={chain} onSignedIn={onSignedIn} />
              </div>
            ),
          },
          {
            key: "create",
            label: "Create account",
            content: (
              <div className="cards">
                <ApiCreate onSignedIn={onSignedIn} />
                <ChainSecuredCreate chain={chain} onSignedIn={onSignedIn} />
              </div>
            ),
          },
        ]}
      />
    </main>
  );
}

/** The heading of a mode card, with the "Recommended" badge for API mode. */
export function ModeHeading({ id, mode }: { id: string; mode: "api" | "sovereign" }) {
  return (
    <h2 id={id}>
      {mode === "api" ? "API mode" : "ChainSecured mode"}
      {mode === "api" ? <span className="badge badge-recommended">Recommended</span> : null}
    </h2>
  );
}
