/** What every panel of a signed-in session needs. */
import { createContext, useContext } from "react";
import type { LitNodeSimpleApiClient, NodeChainConfig } from "../../../src/sdk";
import type { Session } from "../api/session";

export interface DashboardEnv {
  session: Session;
  client: LitNodeSimpleApiClient;
  chain: NodeChainConfig;
  /** Ends the session and returns to the login screen, with an optional notice there. */
  signOut(notice?: string): void;
  /** After a conversion: continue as the ChainSecured admin `address` of account `accountHash`. */
  becomeChainSecured(address: string, accountHash: string): void;
}

export const DashboardContext = createContext<DashboardEnv | null>(null);

export function useDashboard(): DashboardEnv {
  const env = useContext(DashboardContext);
  if (env === null) throw new Error("useDashboard outside a signed-in session");
  return env;
}
