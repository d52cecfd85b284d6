/** One group's wallets and actions: add, remove, rename, delete. */
import { useId, useState } from "react";
import type { MetadataItem } from "../../../src/sdk";
import { knownCid, looksLikeCid, rememberCid } from "../api/cid-cache";
import { shortHex } from "../api/format";
import { ALL_WALLETS, groupNumber, isAllActions, isAllWallets } from "../api/groups";
import { listAll } from "../api/pages";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { TextField } from "../components/Field";
import { WriteStatus } from "../components/WriteStatus";
import { useDashboard } from "../state/context";
import { useLoad } from "../state/load";
import { useWrite } from "../state/write";

export function GroupDetails(props: { group: MetadataItem; onDeleted(): void; onChanged(): void }) {
  const { client } = useDashboard();
  const groupId = groupNumber(props.group.id);
  const data = useLoad(
    async () => {
      const [wallets, actions, accountWallets, accountActions] = await Promise.all([
        listAll((p) => client.listWalletsInGroup({ ...p, groupId })),
        listAll((p) => client.listActions({ ...p, groupId })),
        listAll((p) => client.listWallets(p)),
        listAll((p) => client.listActions(p)),
      ]);
      return { wallets, actions, accountWallets, accountActions };
    },
    [client, groupId],
  );
  const write = useWrite();
  const [walletChoice, setWalletChoice] = useState("");
  const [actionChoice, setActionChoice] = useState("");
  const [cidText, setCidText] = useState("");
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(props.group.name);
  const [newDescription, setNewDescription] = useState(props.group.description);
  const [deleting, setDeleting] = useState(false);
  const walletSelectId = useId();
  const actionSelectId = useId();

  const d = data.data;
  const inGroupWallets = new Set(d?.wallets.map((w) => w.wallet_address.toLowerCase()) ?? []);
  const inGroupActions = new Set(d?.actions.map((a) => a.id.toLowerCase()) ?? []);
  const walletOptions = [
    ...(inGroupWallets.has(ALL_WALLETS) ? [] : [{ value: ALL_WALLETS, label: "All wallets (wildcard)" }]),
    ...(d?.accountWallets ?? [])
      .filter((w) => !inGroupWallets.has(w.wallet_address.toLowerCase()))
      .map((w) => ({ value: w.wallet_address, label: `${w.name} ${shortHex(w.wallet_address, 4)}` })),
  ];
  const actionOptions = (d?.accountActions ?? [])
    .filter((a) => !inGroupActions.has(a.id.toLowerCase()) && knownCid(a.id) !== null)
    .map((a) => ({ value: knownCid(a.id) ?? "", label: `${a.name} ${knownCid(a.id) ?? ""}` }));

  const change = async (label: string, fn: () => Promise<unknown>, done: string) => {
    if (await write.run(label, fn, done)) data.reload();
  };

  const addAction = () => {
    const cid = (cidText.trim() === "" ? actionChoice : cidText).trim();
    if (cid === "") return;
    if (!looksLikeCid(cid)) {
      void write.run("Adding the action", () => Promise.reject(new Error(`"${cid}" is not an IPFS CID (Qm…).`)));
      return;
    }
    rememberCid(cid);
    setCidText("");
    setActionChoice("");
    void change("Adding the action to the group", () => client.addActionToGroup({ groupId, actionIpfsCid: cid }), "Action added to the group");
  };

  return (
    <div className="group-details">
      <WriteStatus state={write.state} />
      {data.error === null ? null : <ErrorNotice error={data.error} label="Loading the group" />}
      {d === null ? (
        <p role="status">Loading…</p>
      ) : (
        <div className="grid-2">
          <section aria-label={`Wallets of group ${props.group.name}`}>
            <h3>Wallets</h3>
            {d.wallets.length === 0 ? <p className="empty">No wallets.</p> : null}
            <ul className="plain-list">
              {d.wallets.map((w) => {
                const all = isAllWallets(w.wallet_address);
                const label = all ? "All wallets (wildcard)" : `${w.name || "Wallet"} ${w.wallet_address}`;
                return (
                  <li key={w.wallet_address}>
                    {all ? <span className="badge badge-wildcard">All wallets</span> : <code>{w.wallet_address}</code>}{" "}
                    {all ? null : <span className="muted">{w.name}</span>}
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Remove ${label} from group ${props.group.name}`}
                      disabled={write.busy}
                      onClick={() =>
                        void change(
                          "Removing the wallet from the group",
                          () => client.removePkpFromGroup({ groupId, pkpId: w.wallet_address }),
                          "Wallet removed from the group",
                        )
                      }
                    >
                      Remove
                    </button>
                  </li>
                );
              })}
            </ul>
            <div className="inline-form">
              <label htmlFor={walletSelectId}>Wallet to add</label>
              <select id={walletSelectId} value={walletChoice} onChange={(e) => setWalletChoice(e.target.value)}>
                <option value="">Choose a wallet…</option>
                {walletOptions.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
              <button
                type="button"
                disabled={walletChoice === "" || write.busy}
                onClick={() => {
                  const pkpId = walletChoice;
                  setWalletChoice("");
                  void change("Adding the wallet to the group", () => client.addPkpToGroup({ groupId, pkpId }), "Wallet added to the group");
                }}
              >
                Add wallet
              </button>
            </div>
          </section>
          <section aria-label={`Actions of group ${props.group.name}`}>
            <h3>Actions</h3>
            {d.actions.length === 0 ? <p className="empty">No actions.</p> : null}
            <ul className="plain-list">
              {d.actions.map((a) => {
                const all = isAllActions(a.id);
                const cid = knownCid(a.id);
                const label = all ? "All actions (wildcard)" : a.name || shortHex(a.id);
                return (
                  <li key={a.id}>
                    {all ? <span className="badge badge-wildcard">All actions</span> : <strong>{a.name || "(unnamed)"}</strong>}{" "}
                    {all ? null : <code title={a.id}>{cid ?? shortHex(a.id)}</code>}
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Remove ${label} from group ${props.group.name}`}
                      disabled={write.busy}
                      onClick={() =>
                        void change(
                          "Removing the action from the group",
                          () => client.removeActionFromGroup({ groupId, hashedCid: a.id }),
                          "Action removed from the group",
                        )
                      }
                    >
                      Remove
                    </button>
                  </li>
                );
              })}
            </ul>
            <div className="inline-form">
              <label htmlFor={actionSelectId}>Action to add</label>
              <select id={actionSelectId} value={actionChoice} onChange={(e) => setActionChoice(e.target.value)}>
                <option value="">Choose a registered action…</option>
                {actionOptions.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
            <TextField
              label="Or the action's IPFS CID"
              value={cidText}
              onChange={setCidText}
              placeholder="Qm…"
              hint="Only the CID's hash is on-chain, so actions registered from another browser need their CID here."
            />
            <button type="button" disabled={(actionChoice === "" && cidText.trim() === "") || write.busy} onClick={addAction}>
              Add action
            </button>
          </section>
        </div>
      )}
      <div className="button-row group-admin">
        <button type="button" aria-expanded={renaming} onClick={() => setRenaming((r) => !r)}>
          Rename group
        </button>
        <button type="button" className="danger" onClick={() => setDeleting(true)}>
          Delete group
        </button>
      </div>
      {renaming && d !== null ? (
        <form
          className="stack"
          aria-label={`Rename group ${props.group.name}`}
          onSubmit={(event) => {
            event.preventDefault();
            if (newName.trim() === "") return;
            // update_group replaces the lists too: send the current ones (at most 10 each per call).
            void change(
              "Renaming the group",
              () =>
                client.updateGroup({
                  groupId,
                  name: newName.trim(),
                  description: newDescription.trim(),
                  pkpIdsPermitted: d.wallets.map((w) => w.wallet_address),
                  cidHashesPermitted: d.actions.map((a) => a.id),
                }),
              "Group renamed",
            ).then(() => {
              setRenaming(false);
              props.onChanged();
            });
          }}
        >
          <p className="hint">
            Renaming re-sends the group's current wallets and actions (update_group takes at most 10 of each).
          </p>
          <div className="grid-2">
            <TextField label="New group name" value={newName} onChange={setNewName} required />
            <TextField label="New group description" value={newDescription} onChange={setNewDescription} />
          </div>
          <div className="button-row">
            <button type="submit" className="primary" disabled={write.busy}>
              Save group name
            </button>
          </div>
        </form>
      ) : null}
      <ConfirmDialog
        open={deleting}
        title="Delete group"
        confirmLabel="Delete group"
        onCancel={() => setDeleting(false)}
        onConfirm={() => {
          setDeleting(false);
          void write
            .run("Deleting the group", () => client.removeGroup({ groupId }), "Group deleted")
            .then((ok) => ok && props.onDeleted());
        }}
      >
        <p>
          Delete group <strong>#{groupId} {props.group.name}</strong>? Usage keys granted this group lose that access.
        </p>
      </ConfirmDialog>
    </div>
  );
}

