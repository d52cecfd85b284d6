import { BrowserProvider } from "ethers";
import { useId, useState } from "react";
import { type NodeChainConfig, chainSecuredAccountHash } from "../../../../src/sdk";
import { adminStatus } from "../../api/chain-secured";
import { sovereignClient } from "../../api/clients";
import { PreviewSigner } from "../../api/preview-signer";
import type { Session } from "../../api/session";
import { connectWallet, requireWallet } from "../../api/wallet";
import { TextField } from "../../components/Field";
import { WriteStatus } from "../../components/WriteStatus";
import { reportPhase, useWrite } from "../../state/write";
import { usePreviewHooks } from "../../wallet/TxApproval";
import { useChainGuard } from "../../wallet/useChainGuard";
import { ModeHeading } from "../Login";

export function ChainSecuredCreate({ chain, onSignedIn }: { chain: NodeChainConfig; onSignedIn(session: Session): void }) {
  const headingId = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const guard = useChainGuard(chain);
  const hooks = usePreviewHooks();
  const write = useWrite();

  const create = async () => {
    const session = await write.run(
      "Creating the ChainSecured account",
      async (): Promise<Session> => {
        if (name.trim() === "") throw new Error("Give the account a name.");
        const eth = requireWallet();
        reportPhase("Approve the connection in your wallet");
        const address = await connectWallet(eth);
        await guard.ensureChain(eth);
        const provider = new BrowserProvider(eth);
        const status = await adminStatus(provider, chain.contract_address, address);
        if (status.kind === "admin") throw new Error(`${address} already administers an account: use "Sign in".`);
        if (status.kind !== "none") {
          throw new Error(`${address} was the admin of an account before; a wallet can own one account only. Use a fresh wallet.`);
        }
        const signer = new PreviewSigner(await provider.getSigner(address), hooks);
        const client = sovereignClient(signer, chainSecuredAccountHash(address), chain.contract_address);
        const res = await client.newChainSecuredAccount({ accountName: name.trim(), accountDescription: description.trim() });
        return { mode: "sovereign", address, accountHash: res.api_key_hash };
      },
      "Account created",
    );
    if (session) onSignedIn(session);
  };

  return (
    <section className="card" aria-labelledby={headingId}>
      <ModeHeading id={headingId} mode="sovereign" />
      <p>Your connected wallet becomes the admin. It needs some {chain.token} on {chain.chain_name} for gas.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <TextField label="ChainSecured account name" value={name} onChange={setName} required />
        <TextField label="ChainSecured account description" value={description} onChange={setDescription} />
        {guard.prompt}
        <button type="submit" className="primary" disabled={write.busy}>
          Connect wallet & create
        </button>
      </form>
      <WriteStatus state={write.state} />
    </section>
  );
}
