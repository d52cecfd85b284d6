/**
 * API mode -> ChainSecured (seed 001): an irreversible-action confirmation, the new admin wallet
 * connects (switching chain if needed) and signs the EIP-712 ConvertAccount message (through the SDK:
 * the bound format naming the diamond and this account, docs/wallet-signatures.md), the relayer
 * submits the conversion; the session then continues as that wallet with the preserved hash.
 */
import { BrowserProvider } from "ethers";
import { useState } from "react";
import { Dialog } from "../components/Dialog";
import { useDashboard } from "../state/context";
import { reportPhase, useWrite } from "../state/write";
import { useChainGuard } from "../wallet/useChainGuard";
import { IrreversibleConfirm } from "./IrreversibleConfirm";

export function ConvertDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const { client, chain, becomeChainSecured } = useDashboard();
  const guard = useChainGuard(chain);
  const [understood, setUnderstood] = useState(false);
  const write = useWrite();

  const convert = async () => {
    const result = await write.run(
      "Converting to ChainSecured",
      async () => {
        const { eth, address } = await guard.connect("Connect the wallet that becomes the admin");
        const signer = await new BrowserProvider(eth).getSigner(address);
        reportPhase("Sign the ConvertAccount message in your wallet");
        const res = await client.convertToChainSecuredAccount({ signer, chainId: chain.chain_id });
        return { address, accountHash: res.api_key_hash };
      },
      "Converted: the account is now ChainSecured",
    );
    if (result) becomeChainSecured(result.address, result.accountHash);
  };

  return (
    <Dialog open={open} title="Convert to ChainSecured" onClose={onClose} locked={write.busy} wide>
      <div className="stack">
        <p className="notice notice-warning">
          <strong>This cannot be undone.</strong> The account becomes ChainSecured: the wallet you connect becomes its only
          admin, every change becomes a transaction that wallet signs and pays gas for, and the account API key can no
          longer change the account. There is no way back to API mode.
        </p>
        <p>
          Preserved: the account hash, groups, wallets, actions, usage keys (they keep running actions) and the credit
          balance. The wallet signs an EIP-712 <code>ConvertAccount</code> message (no gas) that names this account and
          this deployment's contract, so it cannot convert any other account; the relayer submits the conversion. Use a
          plain wallet account (EOA) that has never administered an account.
        </p>
        <IrreversibleConfirm
          acknowledgement="I understand that converting is irreversible"
          understood={understood}
          onUnderstood={setUnderstood}
          write={write}
          confirmLabel="Connect wallet and convert"
          onConfirm={() => void convert()}
          onCancel={onClose}
        >
          {guard.prompt}
        </IrreversibleConfirm>
      </div>
    </Dialog>
  );
}
