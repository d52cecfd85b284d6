/** One group's wallets and actions: add, remove, rename, delete. */
import { type ReactNode, useState } from "react";
import type { MetadataItem } from "../../../src/sdk";
import { knownCid, looksLikeCid, rememberCid } from "../api/cid-cache";
import { shortHex } from "../api/format";
import { ALL_WALLETS, groupNumber, isAllActions, isAllWallets } from "../api/groups";
import { listAll } from "../api/pages";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { NameFields, Select, TextField, useNameState } from "../components/Field";
import { ButtonRow, Form } from "../components/Form";
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
  const newMeta = useNameState(props.group);
  const [deleting, setDeleting] = useState(false);

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
          <MemberSection
            noun="wallet"
            groupName={props.group.name}
            busy={write.busy}
            change={change}
            members={d.wallets.map((w) => ({
              key: w.wallet_address,
              wildcard: isAllWallets(w.wallet_address),
              name: `${w.name || "Wallet"} ${w.wallet_address}`,
              content: (
                <>
                  <code>{w.wallet_address}</code> <span className="muted">{w.name}</span>
                </>
              ),
              remove: () => client.removePkpFromGroup({ groupId, pkpId: w.wallet_address }),
            }))}
          >
            <div className="inline-form">
              <Select
                label="Wallet to add"
                placeholder="Choose a wallet…"
                value={walletChoice}
                onChange={setWalletChoice}
                options={walletOptions}
              />
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
          </MemberSection>
          <MemberSection
            noun="action"
            groupName={props.group.name}
            busy={write.busy}
            change={change}
            members={d.actions.map((a) => ({
              key: a.id,
              wildcard: isAllActions(a.id),
              name: a.name || shortHex(a.id),
              content: (
                <>
                  <strong>{a.name || "(unnamed)"}</strong> <code title={a.id}>{knownCid(a.id) ?? shortHex(a.id)}</code>
                </>
              ),
              remove: () => client.removeActionFromGroup({ groupId, hashedCid: a.id }),
            }))}
          >
            <div className="inline-form">
              <Select
                label="Action to add"
                placeholder="Choose a registered action…"
                value={actionChoice}
                onChange={setActionChoice}
                options={actionOptions}
              />
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
          </MemberSection>
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
        <Form
          className="stack"
          aria-label={`Rename group ${props.group.name}`}
          onSubmit={() => {
            if (newMeta.name.trim() === "") return;
            // update_group replaces the lists too: send the current ones (at most 10 each per call).
            void change(
              "Renaming the group",
              () =>
                client.updateGroup({
                  groupId,
                  name: newMeta.name.trim(),
                  description: newMeta.description.trim(),
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
          <NameFields noun="New group" value={newMeta} grid />
          <ButtonRow label="Save group name" busy={write.busy} />
        </Form>
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

/** A wallet or action of a group. */
interface Member {
  key: string;
  /** The "all wallets" / "all actions" wildcard. */
  wildcard: boolean;
  /** Its name in the Remove button. */
  name: string;
  /** What its row shows (the wildcard shows a badge instead). */
  content: ReactNode;
  remove(): Promise<unknown>;
}

/**
 * The wallets or the actions of a group, a region named "Wallets of group <group>": each member with
 * a Remove button named "Remove <name> from group <group>", then the controls that add one (`children`).
 */
function MemberSection(props: {
  noun: "wallet" | "action";
  groupName: string;
  members: Member[];
  busy: boolean;
  change(label: string, fn: () => Promise<unknown>, done: string): Promise<void>;
  children: ReactNode;
}) {
  const Noun = props.noun === "wallet" ? "Wallet" : "Action";
  const plural = `${props.noun}s`;
  const title = `${Noun}s`;
  return (
    <section aria-label={`${title} of group ${props.groupName}`}>
      <h3>{title}</h3>
      {props.members.length === 0 ? <p className="empty">{`No ${plural}.`}</p> : null}
      <ul className="plain-list">
        {props.members.map((m) => (
          <li key={m.key}>
            {m.wildcard ? (
              <>
                <span className="badge badge-wildcard">{`All ${plural}`}</span>{" "}
              </>
            ) : (
              m.content
            )}
            <button
              type="button"
              className="link-button"
              aria-label={`Remove ${m.wildcard ? `All ${plural} (wildcard)` : m.name} from group ${props.groupName}`}
              disabled={props.busy}
              onClick={() =>
                void props.change(`Removing the ${props.noun} from the group`, m.remove, `${Noun} removed from the group`)
              }
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      {props.children}
    </section>
  );
}
