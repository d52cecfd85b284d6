/**
 * The login screen: "Sign in" and "Create account" tabs, each with an API-mode card (recommended)
 * and a ChainSecured card (an EIP-1193 wallet).
 */
import { type ComponentType, useState } from "react";
import type { NodeChainConfig } from "../../../src/sdk";
import type { Session } from "../api/session";
import { Tabs } from "../components/Tabs";
import { ApiCreate } from "./login/ApiCreate";
import { ApiSignIn } from "./login/ApiSignIn";
import { ChainSecuredCreate } from "./login/ChainSecuredCreate";
import { ChainSecuredSignIn } from "./login/ChainSecuredSignIn";
import type { ApiCardProps, ChainSecuredCardProps } from "./login/ModeCard";

type LoginTab = "sign-in" | "create";

/** Each tab shows an API-mode card and a ChainSecured card. */
const TABS: {
  key: LoginTab;
  label: string;
  Api: ComponentType<ApiCardProps>;
  ChainSecured: ComponentType<ChainSecuredCardProps>;
}[] = [
  { key: "sign-in", label: "Sign in", Api: ApiSignIn, ChainSecured: ChainSecuredSignIn },
  { key: "create", label: "Create account", Api: ApiCreate, ChainSecured: ChainSecuredCreate },
];

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
        items={TABS.map(({ key, label, Api, ChainSecured }) => ({
          key,
          label,
          content: (
            <div className="cards">
              <Api onSignedIn={onSignedIn} />
              <ChainSecured chain={chain} onSignedIn={onSignedIn} />
            </div>
          ),
        }))}
      />
    </main>
  );
}
