/**
 * Groups (seed 004): create with the "All wallets" / "All actions" switches (the zero wallet
 * address and the 0 CID hash on-chain), list, and manage each group's wallets and actions.
 */
import { useState } from "react";
import { groupNumber, groupWildcards } from "../api/groups";
import { listAll } from "../api/pages";
import { ErrorNotice } from "../components/ErrorNotice";
import { Checkbox, TextField } from "../components/Field";
import { WriteStatus } from "../components/WriteStatus";
import { SectionTitle } from "../screens/Dashboard";
import { useDashboard } from "../state/context";
import { useLoad } from "../state/load";
import { useWrite } from "../state/write";
import { GroupDetails } from "./GroupDetails";

export function Groups() {
  const { client } = useDashboard();
  const groups = useLoad(() => listAll((p) => client.listGroups(p)), [client]);
  const write = useWrite();
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [allWallets, setAllWallets] = useState(false);
  const [allActions, setAllActions] = useState(false);
  const [open, setOpen] = useState<string | null>(null);

  const create = async () => {
    if (name.trim() === "") return;
    const { pkpIds, cidHashes } = groupWildcards(allWallets, allActions);
    const res = await write.run(
      "Creating the group",
      () =>
        client.addGroup({
          groupName: name.trim(),
          groupDescription: description.trim(),
          pkpIdsPermitted: pkpIds,
          cidHashesPermitted: cidHashes,
        }),
      (r) => `Group #${r.group_id} "${name.trim()}" created`,
    );
    if (res) {
      setName("");
      setDescription("");
      setAllWallets(false);
      setAllActions(false);
      setCreating(false);
      groups.reload();
    }
  };

  return (
    <section className="panel">
      <SectionTitle>Groups</SectionTitle>
      <p className="lead">
        A group binds wallets and actions: a usage key runs only the actions, with only the wallets, of the groups it is
        granted. The account key (or admin wallet) reaches every group.
      </p>
      <div className="toolbar">
        <button type="button" className="primary" aria-expanded={creating} onClick={() => setCreating((c) => !c)}>
          New group
        </button>
      </div>
      <WriteStatus state={write.state} />
      {creating ? (
        <form
          className="card form-card"
          aria-label="Create a group"
          onSubmit={(event) => {
            event.preventDefault();
            void create();
          }}
        >
          <h2>Create a group</h2>
          <div className="grid-2">
            <TextField label="Group name" value={name} onChange={setName} required />
            <TextField label="Group description" value={description} onChange={setDescription} />
          </div>
          <Checkbox
            asSwitch
            label="All wallets"
            checked={allWallets}
            onChange={setAllWallets}
            hint="Every wallet of the account, now and later (the zero wallet address in pkp_ids_permitted)."
          />
          <Checkbox
            asSwitch
            label="All actions"
            checked={allActions}
            onChange={setAllActions}
            hint="Every action registered to the account (0 in cid_hashes_permitted)."
          />
          <div className="button-row">
            <button type="button" onClick={() => setCreating(false)} disabled={write.busy}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={write.busy || name.trim() === ""}>
              Create group
            </button>
          </div>
        </form>
      ) : null}
      {groups.error === null ? null : <ErrorNotice error={groups.error} label="Loading the groups" />}
      {groups.loading && groups.data === null ? <p role="status">Loading groups…</p> : null}
      {groups.data !== null && groups.data.length === 0 ? <p className="empty">No groups yet.</p> : null}
      <ul className="group-list">
        {(groups.data ?? []).map((g) => {
          const n = groupNumber(g.id);
          const expanded = open === g.id;
          return (
            <li key={g.id} className="card group" data-testid="group-row">
              <div className="group-head">
                <h2>
                  <span className="muted">#{n}</span> {g.name}
                </h2>
                {g.description === "" ? null : <p className="hint">{g.description}</p>}
                <button
                  type="button"
                  aria-expanded={expanded}
                  aria-controls={`group-${n}`}
                  aria-label={`${expanded ? "Hide" : "Manage"} group ${g.name}`}
                  onClick={() => setOpen(expanded ? null : g.id)}
                >
                  {expanded ? "Hide" : "Manage"}
                </button>
              </div>
              {expanded ? (
                <div id={`group-${n}`}>
                  <GroupDetails group={g} onDeleted={() => groups.reload()} onChanged={() => groups.reload()} />
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
