/** Wallets (PKPs) registered to the account: list and create. */
import { useState } from "react";
import { listAll } from "../api/pages";
import { CopyButton } from "../components/CopyButton";
import { ErrorNotice } from "../components/ErrorNotice";
import { TextField } from "../components/Field";
import { WriteStatus } from "../components/WriteStatus";
import { SectionTitle } from "../screens/Dashboard";
import { useDashboard } from "../state/context";
import { useLoad } from "../state/load";
import { useWrite } from "../state/write";

export function Wallets() {
  const { client, session } = useDashboard();
  const wallets = useLoad(() => listAll((p) => client.listWallets(p)), [client]);
  const write = useWrite();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");

  const create = async () => {
    const res = await write.run(
      "Creating a wallet",
      () =>
        client.createWallet(
          session.mode === "sovereign" ? { name: name.trim() || "Wallet", description: description.trim() } : {},
        ),
      (r) => `Wallet ${r.wallet_address} created`,
    );
    if (res) {
      setName("");
      setDescription("");
      wallets.reload();
    }
  };

  return (
    <section className="panel">
      <SectionTitle>Wallets</SectionTitle>
      <p className="lead">
        Wallets (PKPs) whose keys the node derives for this account. Actions sign with them when a group permits it.
      </p>
      <form
        className="card form-card"
        aria-label="Create a wallet"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <h2>Create a wallet</h2>
        {session.mode === "sovereign" ? (
          <>
            <p className="hint">
              The relayer derives the key after your wallet signs a CreateWallet message; then your wallet registers it
              on-chain (a transaction).
            </p>
            <div className="grid-2">
              <TextField label="Wallet name" value={name} onChange={setName} placeholder="Wallet" />
              <TextField label="Wallet description" value={description} onChange={setDescription} />
            </div>
          </>
        ) : (
          <p className="hint">The relayer derives a new key and registers it to the account as "Wallet".</p>
        )}
        <div className="button-row">
          <button type="submit" className="primary" disabled={write.busy}>
            Create wallet
          </button>
        </div>
      </form>
      <WriteStatus state={write.state} />
      {wallets.error === null ? null : <ErrorNotice error={wallets.error} label="Loading the wallets" />}
      {wallets.loading && wallets.data === null ? <p role="status">Loading wallets…</p> : null}
      {wallets.data !== null && wallets.data.length === 0 ? <p className="empty">No wallets yet.</p> : null}
      {wallets.data !== null && wallets.data.length > 0 ? (
        <table className="table">
          <caption className="visually-hidden">Wallets of the account</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Address</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {wallets.data.map((w) => (
              <tr key={w.wallet_address} data-testid="wallet-row">
                <th scope="row">{w.name}</th>
                <td>
                  <code>{w.wallet_address}</code> <CopyButton value={w.wallet_address} label="Copy" name={`Copy address ${w.wallet_address}`} />
                </td>
                <td>{w.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
