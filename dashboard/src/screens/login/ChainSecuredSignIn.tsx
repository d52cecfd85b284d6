import { BrowserProvider } from "ethers";
import { adminStatus } from "../../api/chain-secured";
import type { Session } from "../../api/session";
import { reportPhase, useWrite } from "../../state/write";
import { useChainGuard } from "../../wallet/useChainGuard";
import { type ChainSecuredCardProps, ModeCard } from "./ModeCard";

export function ChainSecuredSignIn({ chain, onSignedIn }: ChainSecuredCardProps) {
  const guard = useChainGuard(chain);
  const write = useWrite();

  const connect = async () => {
    const session = await write.run(
      "Connecting the wallet",
      async (): Promise<Session> => {
        const { eth, address } = await guard.connect("Approve the connection in your wallet");
        reportPhase("Looking up the account of this wallet");
        const status = await adminStatus(new BrowserProvider(eth), chain.contract_address, address);
        if (status.kind === "none") {
          throw new Error(
            `No ChainSecured account has ${address} as its admin. Create one on the "Create account" tab, or convert an API-mode account.`,
          );
        }
        if (status.kind === "former") {
          throw new Error(`${address} no longer administers its account (the admin is now ${status.currentAdmin}).`);
        }
        if (status.kind === "managed") throw new Error("This wallet's account is an API-mode account: sign in with its API key.");
        return { mode: "sovereign", address, accountHash: status.accountHash };
      },
      "Wallet connected",
    );
    if (session) onSignedIn(session);
  };

  return (
    <ModeCard
      mode="sovereign"
      intro="Your wallet is the account's admin: every change is a transaction it signs, and no server can change the account."
      write={write}
    >
      {guard.prompt}
      <button type="button" className="primary" onClick={() => void connect()} disabled={write.busy}>
        Connect wallet
      </button>
    </ModeCard>
  );
}
