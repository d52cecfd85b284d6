/**
 * ChainSecured -> another admin wallet (seed 001): address validation, an irreversible-transfer
 * confirmation, the transaction preview, a status banner while it confirms, then sign-out.
 */
import { BrowserProvider, ZeroAddress, getAddress, isAddress } from "ethers";
import { useState } from "react";
import { newAdminBlocker } from "../api/chain-secured";
import { requireWallet } from "../api/wallet";
import { Dialog } from "../components/Dialog";
import { TextField } from "../components/Field";
import { Form } from "../components/Form";
import { useDashboard } from "../state/context";
import { reportPhase, useWrite } from "../state/write";
import { IrreversibleConfirm } from "./IrreversibleConfirm";

/** Why `text` cannot be the new admin, or null. */
export function newAdminProblem(text: string, currentAdmin: string): string | null {
  const t = text.trim();
  if (t === "") return "Enter the new admin wallet's address.";
  if (!isAddress(t)) return "Not an Ethereum address: expected 0x followed by 40 hexadecimal digits.";
  if (getAddress(t) === ZeroAddress) return "The zero address cannot be an admin.";
  if (getAddress(t) === getAddress(currentAdmin)) return "That is the current admin wallet.";
  return null;
}

export function ChangeOwnershipDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const { client, chain, session, signOut } = useDashboard();
  const current = session.mode === "sovereign" ? session.address : ZeroAddress;
  const [address, setAddress] = useState("");
  const [touched, setTouched] = useState(false);
  const [understood, setUnderstood] = useState(false);
  const write = useWrite();
  const problem = newAdminProblem(address, current);

  const transfer = async () => {
    setTouched(true);
    if (problem !== null || !understood) return;
    const next = getAddress(address.trim());
    const res = await write.run("Transferring ownership", async () => {
      reportPhase("Checking that the new wallet has no account");
      const blocker = await newAdminBlocker(new BrowserProvider(requireWallet()), chain.contract_address, next);
      if (blocker === "account") {
        throw new Error(
          `${next} already owns, or once owned, an account; it cannot receive this one. Choose a fresh address.`,
        );
      }
      if (blocker === "squatted") {
        throw new Error(
          `The address hash of ${next} is held by a usage key of another account. The owner of ${next} can free it ` +
            "by calling reclaimAddressAlias() on the contract from that wallet; then transfer again.",
        );
      }
      return client.transferChainSecuredAccountOwnership({ newAdminWalletAddress: next });
    });
    if (res) {
      signOut(`Ownership transferred to ${getAddress(res.new_admin)}. Connect that wallet to continue managing the account.`);
    }
  };

  return (
    <Dialog open={open} title="Change Ownership" onClose={onClose} locked={write.busy} wide>
      <Form className="stack" noValidate onSubmit={transfer}>
        <p>
          Hands this ChainSecured account to another admin wallet in one transaction signed by the current admin (
          <code>{current}</code>). Groups, wallets, actions, usage keys and credits stay with the account.
        </p>
        <TextField
          label="New admin wallet address"
          value={address}
          onChange={(v) => {
            setAddress(v);
            setTouched(true);
          }}
          required
          placeholder="0x…"
          hint="A wallet that has never owned an account."
        />
        {touched && problem !== null ? (
          <p className="field-error" role="alert">
            {problem}
          </p>
        ) : null}
        <p className="notice notice-warning">
          <strong>This cannot be undone from this wallet.</strong> Your connected wallet loses admin access the moment the
          transaction confirms, and you cannot transfer the account back to it.
        </p>
        <IrreversibleConfirm
          acknowledgement="I understand that my wallet loses admin access"
          understood={understood}
          onUnderstood={setUnderstood}
          write={write}
          confirmLabel="Transfer ownership"
          onCancel={onClose}
        />
      </Form>
    </Dialog>
  );
}
