/**
 * Groups (seed 004): create with the "All wallets" / "All actions" switches (the zero wallet
 * address and the 0 CID hash on-chain), list, and manage each group's wallets and actions.
 */
import { useState } from "react";
import { groupNumber, groupWildcards } from "../api/groups";
import { listAll } from "../api/pages";
import { Checkbox, NameFields, useNameState } from "../components/Field";
import { ButtonRow, FormCard } from "../components/Form";
import { LoadedList } from "../components/Loaded";
import { Panel } from "../components/Panel";
import { WriteStatus } from "../components/WriteStatus";
import { useDashboard } from "../state/context";
import { useLoad } from "../state/load";
import { useWrite } from "../state/write";
import { GroupDetails } from "./GroupDetails";

export function Groups() {
  const { client } = useDashboard();
  const groups = useLoad(() => listAll((p) => client.listGroups(p)), [client]);
  const write = useWrite();
  const [creating, setCreating] = useState(false);
  const meta = useNameState();
  const [allWallets, setAllWallets] = useState(false);
  const [allActions, setAllActions] = useState(false);
  const [open, setOpen] = useState<string | null>(null);

  const create = async () => {
    if (meta.name.trim() === "") return;
    const { pkpIds, cidHashes } = groupWildcards(allWallets, allActions);
    const res = await write.run(
      "Creating the group",
      () =>
        client.addGroup({
          groupName: meta.name.trim(),
          groupDescription: meta.description.trim(),
          pkpIdsPermitted: pkpIds,
          cidHashesPermitted: cidHashes,
        }),
      (r) => `Group #${r.group_id} "${meta.name.trim()}" created`,
    );
    if (res) {
      meta.reset();
      setAllWallets(false);
      setAllActions(false);
      setCreating(false);
      groups.reload();
    }
  };

  return (
    <Panel
      title="Groups"
      lead="A group binds wallets and actions: a usage key runs only the actions, with only the wallets, of the groups it is granted. The account key (or admin wallet) reaches every group."
    >
      <div className="toolbar">
        <button type="button" className="primary" aria-expanded={creating} onClick={() => setCreating((c) => !c)}>
          New group
        </button>
      </div>
      <WriteStatus state={write.state} />
      {creating ? (
        <FormCard title="Create a group" onSubmit={create}>
          <NameFields noun="Group" value={meta} grid />
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
          <ButtonRow label="Create group" busy={write.busy} disabled={meta.name.trim() === ""} onCancel={() => setCreating(false)} />
        </FormCard>
      ) : null}
      <LoadedList loaded={groups} what="groups" emptyText="No groups yet.">
        {(items) => (
          <ul className="group-list">
            {items.map((g) => {
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
        )}
      </LoadedList>
    </Panel>
  );
}
