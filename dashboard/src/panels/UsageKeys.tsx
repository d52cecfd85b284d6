/**
 * Usage API keys (seed 003): list, add with every permission field (the new key shown once, with a
 * copy button), replace permissions, rename, delete. Only the account key or admin wallet manages them.
 */
import { useState } from "react";
import type { ApiKeyItem, UsageKeyPermissions } from "../../../src/sdk";
import { formatExpiration, shortHex } from "../api/format";
import { listAll } from "../api/pages";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { CopyButton } from "../components/CopyButton";
import { Dialog } from "../components/Dialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { TextField } from "../components/Field";
import { WriteStatus } from "../components/WriteStatus";
import { SectionTitle } from "../screens/Dashboard";
import { useDashboard } from "../state/context";
import { useLoad } from "../state/load";
import { useWrite } from "../state/write";
import { EMPTY_PERMISSIONS, UsageKeyForm } from "./UsageKeyForm";

function groupList(ids: number[]): string {
  if (ids.includes(0)) return "all groups";
  return ids.length === 0 ? "none" : ids.map((i) => `#${i}`).join(", ");
}

function permissionsOf(k: ApiKeyItem): UsageKeyPermissions {
  return {
    name: k.name,
    description: k.description,
    canCreateGroups: k.can_create_groups,
    canDeleteGroups: k.can_delete_groups,
    canCreatePkps: k.can_create_pkps,
    manageIpfsIdsInGroups: k.can_manage_ipfs_ids_in_groups,
    addPkpToGroups: k.can_add_pkp_to_groups,
    removePkpFromGroups: k.can_remove_pkp_from_groups,
    executeInGroups: k.can_execute_in_groups,
    expiration: Number(k.expiration),
  };
}

type Editing = { kind: "none" } | { kind: "add" } | { kind: "edit"; key: ApiKeyItem };

export function UsageKeys() {
  const { client, session } = useDashboard();
  const keys = useLoad(() => listAll((p) => client.listApiKeys(p)), [client]);
  const groups = useLoad(() => listAll((p) => client.listGroups(p)), [client]);
  const write = useWrite();
  const [editing, setEditing] = useState<Editing>({ kind: "none" });
  const [created, setCreated] = useState<{ name: string; key: string; wallet?: string } | null>(null);
  const [renaming, setRenaming] = useState<ApiKeyItem | null>(null);
  const [deleting, setDeleting] = useState<ApiKeyItem | null>(null);

  const add = async (p: UsageKeyPermissions) => {
    const res = await write.run("Adding the usage key", () => client.addUsageApiKey(p), `Usage key "${p.name}" added`);
    if (res) {
      setCreated({ name: p.name, key: res.usage_api_key, wallet: res.wallet_address });
      setEditing({ kind: "none" });
      keys.reload();
    }
  };

  const update = async (k: ApiKeyItem, p: UsageKeyPermissions) => {
    const res = await write.run(
      `Updating the permissions of "${k.name}"`,
      () => client.updateUsageApiKey({ ...p, usageApiKey: k.api_key_hash }),
      `Permissions of "${p.name}" updated`,
    );
    if (res) {
      setEditing({ kind: "none" });
      keys.reload();
    }
  };

  return (
    <section className="panel">
      <SectionTitle>Usage keys</SectionTitle>
      <p className="lead">
        Scoped, rotatable keys for running Lit Actions from apps and services. Each key only reaches the groups it is
        granted. Keys are shown once, when added.
        {session.mode === "sovereign"
          ? " In ChainSecured mode a new key also gets a wallet registered to the account (a signed message and two transactions)."
          : null}
      </p>
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          aria-expanded={editing.kind === "add"}
          onClick={() => {
            setCreated(null);
            write.reset();
            setEditing(editing.kind === "add" ? { kind: "none" } : { kind: "add" });
          }}
        >
          Add usage key
        </button>
      </div>
      <WriteStatus state={write.state} />
      {created === null ? null : (
        <section className="card new-secret" aria-labelledby="new-key-title">
          <h2 id="new-key-title">New usage key "{created.name}"</h2>
          <p className="notice notice-warning">
            Copy it now: this is the only time the key is shown. Use it as <code>X-Api-Key</code> to run actions.
          </p>
          <p>
            <code className="secret" data-testid="new-usage-key">
              {created.key}
            </code>
          </p>
          {created.wallet === undefined ? null : (
            <p>
              Wallet minted with it: <code>{created.wallet}</code>
            </p>
          )}
          <div className="button-row">
            <CopyButton value={created.key} label="Copy usage key" />
            <button type="button" onClick={() => setCreated(null)}>
              I have stored it
            </button>
          </div>
        </section>
      )}
      {editing.kind === "add" ? (
        <UsageKeyForm
          title="Add a usage key"
          initial={EMPTY_PERMISSIONS}
          groups={groups.data ?? []}
          submitLabel="Add key"
          busy={write.busy}
          onSubmit={(p) => void add(p)}
          onCancel={() => setEditing({ kind: "none" })}
        />
      ) : null}
      {editing.kind === "edit" ? (
        <UsageKeyForm
          key={editing.key.api_key_hash}
          title={`Edit permissions of "${editing.key.name}"`}
          initial={permissionsOf(editing.key)}
          groups={groups.data ?? []}
          submitLabel="Save permissions"
          busy={write.busy}
          onSubmit={(p) => void update(editing.key, p)}
          onCancel={() => setEditing({ kind: "none" })}
        />
      ) : null}
      {keys.error === null ? null : <ErrorNotice error={keys.error} label="Loading the usage keys" />}
      {keys.loading && keys.data === null ? <p role="status">Loading usage keys…</p> : null}
      {keys.data !== null && keys.data.length === 0 ? <p className="empty">No usage keys yet.</p> : null}
      {keys.data !== null && keys.data.length > 0 ? (
        <table className="table">
          <caption className="visually-hidden">Usage keys of the account</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key hash</th>
              <th scope="col">Permissions</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.api_key_hash} data-testid="usage-key-row">
                <th scope="row">
                  {k.name}
                  {k.description === "" ? null : <div className="hint">{k.description}</div>}
                </th>
                <td>
                  <code title={k.api_key_hash}>{shortHex(k.api_key_hash)}</code>
                </td>
                <td className="perms">
                  <div>execute: {groupList(k.can_execute_in_groups)}</div>
                  <div>manage actions: {groupList(k.can_manage_ipfs_ids_in_groups)}</div>
                  <div>
                    add / remove wallets: {groupList(k.can_add_pkp_to_groups)} / {groupList(k.can_remove_pkp_from_groups)}
                  </div>
                  <div>
                    {[
                      k.can_create_groups ? "create groups" : null,
                      k.can_delete_groups ? "delete groups" : null,
                      k.can_create_pkps ? "create wallets" : null,
                    ]
                      .filter((x) => x !== null)
                      .join(", ") || "no account permissions"}
                  </div>
                </td>
                <td>{formatExpiration(k.expiration)}</td>
                <td className="row-actions">
                  <button type="button" aria-label={`Edit permissions of ${k.name}`} onClick={() => setEditing({ kind: "edit", key: k })}>
                    Edit permissions
                  </button>
                  <button type="button" aria-label={`Rename ${k.name}`} onClick={() => setRenaming(k)}>
                    Rename
                  </button>
                  <button type="button" className="danger" aria-label={`Delete ${k.name}`} onClick={() => setDeleting(k)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {renaming === null ? null : (
        <RenameKeyDialog
          item={renaming}
          busy={write.busy}
          onCancel={() => setRenaming(null)}
          onSave={async (name, description) => {
            const ok = await write.run(
              `Renaming "${renaming.name}"`,
              () => client.updateUsageApiKeyMetadata({ usageApiKey: renaming.api_key_hash, name, description }),
              `Renamed to "${name}"`,
            );
            setRenaming(null);
            if (ok) keys.reload();
          }}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete usage key"
        confirmLabel="Delete key"
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          const k = deleting;
          setDeleting(null);
          if (k === null) return;
          void write
            .run(`Deleting "${k.name}"`, () => client.removeUsageApiKey({ usageApiKey: k.api_key_hash }), `Deleted "${k.name}"`)
            .then((ok) => ok && keys.reload());
        }}
      >
        <p>
          Delete <strong>{deleting?.name}</strong>? Services still using it get authentication errors at once. This cannot
          be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function RenameKeyDialog(props: {
  item: ApiKeyItem;
  busy: boolean;
  onCancel(): void;
  onSave(name: string, description: string): Promise<void>;
}) {
  const [name, setName] = useState(props.item.name);
  const [description, setDescription] = useState(props.item.description);
  return (
    <Dialog open title={`Rename "${props.item.name}"`} onClose={props.onCancel} locked={props.busy}>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim() !== "") void props.onSave(name.trim(), description.trim());
        }}
      >
        <TextField label="New key name" value={name} onChange={setName} required />
        <TextField label="New key description" value={description} onChange={setDescription} />
        <div className="button-row">
          <button type="button" onClick={props.onCancel} disabled={props.busy}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={props.busy}>
            Save name
          </button>
        </div>
      </form>
    </Dialog>
  );
}
