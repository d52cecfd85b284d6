/** Wallets (PKPs) registered to the account: list and create. */
import { listAll } from "../api/pages";
import { CopyButton } from "../components/CopyButton";
import { NameFields, useNameState } from "../components/Field";
import { ButtonRow, FormCard } from "../components/Form";
import { ListTable, NameCell } from "../components/ListTable";
import { LoadedList } from "../components/Loaded";
import { Panel } from "../components/Panel";
import { WriteStatus } from "../components/WriteStatus";
import { useDashboard } from "../state/context";
import { useLoad } from "../state/load";
import { useWrite } from "../state/write";

export function Wallets() {
  const { client, session } = useDashboard();
  const wallets = useLoad(() => listAll((p) => client.listWallets(p)), [client]);
  const write = useWrite();
  const meta = useNameState();

  const create = async () => {
    const res = await write.run(
      "Creating a wallet",
      () =>
        client.createWallet(
          session.mode === "sovereign" ? { name: meta.name.trim() || "Wallet", description: meta.description.trim() } : {},
        ),
      (r) => `Wallet ${r.wallet_address} created`,
    );
    if (res) {
      meta.reset();
      wallets.reload();
    }
  };

  return (
    <Panel
      title="Wallets"
      lead="Wallets (PKPs) whose keys the node derives for this account. Actions sign with them when a group permits it."
    >
      <FormCard title="Create a wallet" onSubmit={create}>
        {session.mode === "sovereign" ? (
          <>
            <p className="hint">
              The relayer derives the key after your wallet signs a CreateWallet message; then your wallet registers it
              on-chain (a transaction).
            </p>
            <NameFields noun="Wallet" value={meta} required={false} namePlaceholder="Wallet" grid />
          </>
        ) : (
          <p className="hint">The relayer derives a new key and registers it to the account as "Wallet".</p>
        )}
        <ButtonRow label="Create wallet" busy={write.busy} />
      </FormCard>
      <WriteStatus state={write.state} />
      <LoadedList loaded={wallets} what="wallets" emptyText="No wallets yet.">
        {(items) => (
          <ListTable
            caption="Wallets of the account"
            columns={["Name", "Address", "Description"]}
            rows={items}
            rowKey={(w) => w.wallet_address}
            rowTestId="wallet-row"
          >
            {(w) => (
              <>
                <NameCell name={w.name} />
                <td>
                  <code>{w.wallet_address}</code> <CopyButton value={w.wallet_address} label="Copy" name={`Copy address ${w.wallet_address}`} />
                </td>
                <td>{w.description}</td>
              </>
            )}
          </ListTable>
        )}
      </LoadedList>
    </Panel>
  );
}
