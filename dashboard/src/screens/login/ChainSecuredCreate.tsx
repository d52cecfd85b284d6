import { BrowserProvider } from "ethers";
import { chainSecuredHash } from "../../../../src/sdk";
import { adminStatus } from "../../api/chain-secured";
import { sovereignClient } from "../../api/clients";
import { PreviewSigner } from "../../api/preview-signer";
import type { Session } from "../../api/session";
import { NameFields, useNameState } from "../../components/Field";
import { useWrite } from "../../state/write";
import { usePreviewHooks } from "../../wallet/TxApproval";
import { useChainGuard } from "../../wallet/useChainGuard";
import { type ChainSecuredCardProps, ModeCard } from "./ModeCard";

export function ChainSecuredCreate({ chain, onSignedIn }: ChainSecuredCardProps) {
  const meta = useNameState();
  const guard = useChainGuard(chain);
  const hooks = usePreviewHooks();
  const write = useWrite();

  const create = async () => {
    const session = await write.run(
      "Creating the ChainSecured account",
      async (): Promise<Session> => {
        if (meta.name.trim() === "") throw new Error("Give the account a name.");
        const { eth, address } = await guard.connect("Approve the connection in your wallet");
        const provider = new BrowserProvider(eth);
        const status = await adminStatus(provider, chain.contract_address, address);
        if (status.kind === "admin") throw new Error(`${address} already administers an account: use "Sign in".`);
        if (status.kind !== "none") {
          throw new Error(`${address} was the admin of an account before; a wallet can own one account only. Use a fresh wallet.`);
        }
        const signer = new PreviewSigner(await provider.getSigner(address), hooks);
        const client = sovereignClient(signer, chainSecuredHash(address), chain.contract_address);
        const res = await client.newChainSecuredAccount({ accountName: meta.name.trim(), accountDescription: meta.description.trim() });
        return { mode: "sovereign", address, accountHash: res.api_key_hash };
      },
      "Account created",
    );
    if (session) onSignedIn(session);
  };

  return (
    <ModeCard
      mode="sovereign"
      intro={`Your connected wallet becomes the admin. It needs some ${chain.token} on ${chain.chain_name} for gas.`}
      write={write}
      submit={{ label: "Connect wallet & create", run: create }}
    >
      <NameFields noun="ChainSecured account" value={meta} />
      {guard.prompt}
    </ModeCard>
  );
}
