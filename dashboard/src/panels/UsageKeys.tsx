/**
 * Usage API keys (seed 003): list, add with every permission field (the new key shown once, with a
 * copy button), replace permissions, rename, delete. Only the account key or admin wallet manages them.
 */
import { useState } from "react";
import type { ApiKeyItem, UsageKeyPermissions } from "../../../src/sdk";
import { formatExpiration, shortHex } from "../api/format";
import { listAll } from "../api/pages";
import { CopyButton } from "../components/CopyButton";
import { ListTable, NameCell, RowActions } from "../components/ListTable";
import { LoadedList } from "../components/Loaded";
import { Panel } from "../components/Panel";
import { RowEditDialogs } from "../components/RowEditDialogs";
import { useRowEdits } from "../components/useRowEdits";
import { WriteStatus } from "../components/WriteStatus";
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
  const edits = useRowEdits<ApiKeyItem>(write, keys.reload);

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
    <Panel
      title="Usage keys"
      lead={
        <>
          Scoped, rotatable keys for running Lit Actions from apps and services. Each key only reaches the groups it is
          granted. Keys are shown once, when added.
          {session.mode === "sovereign"
            ? " In ChainSecured mode a new key also gets a wallet registered to the account (a signed message and two transactions)."
            : null}
        </>
      }
    >
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
      <LoadedList loaded={keys} what="usage keys" emptyText="No usage keys yet.">
        {(items) => (
          <ListTable
            caption="Usage keys of the account"
            columns={["Name", "Key hash", "Permissions", "Expires"]}
            rowActions
            rows={items}
            rowKey={(k) => k.api_key_hash}
            rowTestId="usage-key-row"
          >
            {(k) => (
              <>
                <NameCell name={k.name} description={k.description} />
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
                <RowActions {...edits.row(k)}>
                  <button type="button" aria-label={`Edit permissions of ${k.name}`} onClick={() => setEditing({ kind: "edit", key: k })}>
                    Edit permissions
                  </button>
                </RowActions>
              </>
            )}
          </ListTable>
        )}
      </LoadedList>
      <RowEditDialogs
        edits={edits}
        noun="key"
        rename={(k, name, description) => client.updateUsageApiKeyMetadata({ usageApiKey: k.api_key_hash, name, description })}
        deleteTitle="Delete usage key"
        deleteLabel="Delete key"
        remove={(k) => client.removeUsageApiKey({ usageApiKey: k.api_key_hash })}
      >
        {(k) => (
          <p>
            Delete <strong>{k.name}</strong>? Services still using it get authentication errors at once. This cannot be
            undone.
          </p>
        )}
      </RowEditDialogs>
    </Panel>
  );
}
