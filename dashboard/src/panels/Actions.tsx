/**
 * Lit Actions registered to the account: register from an IPFS CID or from pasted code (the
 * relayer computes the CID, get_lit_action_ipfs_id, and keeps the code so it can run by CID),
 * rename, delete.
 */
import { useState } from "react";
import type { MetadataItem } from "../../../src/sdk";
import { knownCid, looksLikeCid, rememberCid } from "../api/cid-cache";
import { shortHex } from "../api/format";
import { listAll } from "../api/pages";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { CopyButton } from "../components/CopyButton";
import { Dialog } from "../components/Dialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { TextArea, TextField } from "../components/Field";
import { WriteStatus } from "../components/WriteStatus";
import { SectionTitle } from "../screens/Dashboard";
import { useDashboard } from "../state/context";
import { useLoad } from "../state/load";
import { useWrite } from "../state/write";

export const SAMPLE_ACTION = `async function main(params) {
  console.log("hello from", params?.name ?? "nobody");
  return { greeting: "Hello " + (params?.name ?? "World") + "!" };
}
`;

export function Actions() {
  const { client } = useDashboard();
  const actions = useLoad(() => listAll((p) => client.listActions(p)), [client]);
  const write = useWrite();
  const [source, setSource] = useState<"code" | "cid">("code");
  const [code, setCode] = useState(SAMPLE_ACTION);
  const [cid, setCid] = useState("");
  const [computed, setComputed] = useState<{ code: string; cid: string } | null>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [renaming, setRenaming] = useState<MetadataItem | null>(null);
  const [deleting, setDeleting] = useState<MetadataItem | null>(null);

  const computeCid = async (): Promise<string> => {
    if (computed !== null && computed.code === code) return computed.cid;
    const id = await client.getLitActionIpfsId(code);
    setComputed({ code, cid: id });
    rememberCid(id);
    return id;
  };

  const register = async () => {
    const res = await write.run(
      "Registering the action",
      async () => {
        if (name.trim() === "") throw new Error("Give the action a name.");
        const id = source === "code" ? await computeCid() : cid.trim();
        if (!looksLikeCid(id)) throw new Error(`"${id}" is not an IPFS CID (Qm…).`);
        await client.addAction({ actionIpfsCid: id, name: name.trim(), description: description.trim() });
        rememberCid(id);
        return id;
      },
      (id) => `Action "${name.trim()}" registered as ${id}`,
    );
    if (res) {
      setName("");
      setDescription("");
      actions.reload();
    }
  };

  return (
    <section className="panel">
      <SectionTitle>Actions</SectionTitle>
      <p className="lead">
        Register the Lit Actions this account runs, by IPFS CID. Paste code to have its CID computed (the relayer keeps the
        code, so it can run by CID).
      </p>
      <form
        className="card form-card"
        aria-label="Register an action"
        onSubmit={(event) => {
          event.preventDefault();
          void register();
        }}
      >
        <h2>Register an action</h2>
        <fieldset className="radio-row">
          <legend>Source</legend>
          <label>
            <input type="radio" name="action-source" checked={source === "code"} onChange={() => setSource("code")} /> From
            code
          </label>
          <label>
            <input type="radio" name="action-source" checked={source === "cid"} onChange={() => setSource("cid")} /> From an
            IPFS CID
          </label>
        </fieldset>
        {source === "code" ? (
          <>
            <TextArea label="Action code" value={code} onChange={setCode} rows={8} code required />
            <div className="button-row left">
              <button
                type="button"
                disabled={write.busy || code === ""}
                onClick={() => void write.run("Computing the CID", computeCid, (id) => `CID: ${id}`)}
              >
                Compute CID
              </button>
              {computed !== null && computed.code === code ? (
                <span>
                  CID <code data-testid="computed-cid">{computed.cid}</code>
                </span>
              ) : null}
            </div>
          </>
        ) : (
          <TextField label="IPFS CID" value={cid} onChange={setCid} placeholder="Qm…" required />
        )}
        <div className="grid-2">
          <TextField label="Action name" value={name} onChange={setName} required />
          <TextField label="Action description" value={description} onChange={setDescription} />
        </div>
        <div className="button-row">
          <button type="submit" className="primary" disabled={write.busy}>
            Register action
          </button>
        </div>
      </form>
      <WriteStatus state={write.state} />
      {actions.error === null ? null : <ErrorNotice error={actions.error} label="Loading the actions" />}
      {actions.loading && actions.data === null ? <p role="status">Loading actions…</p> : null}
      {actions.data !== null && actions.data.length === 0 ? <p className="empty">No actions registered yet.</p> : null}
      {actions.data !== null && actions.data.length > 0 ? (
        <table className="table">
          <caption className="visually-hidden">Actions registered to the account</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">CID</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {actions.data.map((a) => {
              const known = knownCid(a.id);
              return (
                <tr key={a.id} data-testid="action-row">
                  <th scope="row">
                    {a.name}
                    {a.description === "" ? null : <div className="hint">{a.description}</div>}
                  </th>
                  <td>
                    {known === null ? (
                      <span title={a.id}>
                        hash <code>{shortHex(a.id)}</code>
                      </span>
                    ) : (
                      <>
                        <code>{known}</code> <CopyButton value={known} label="Copy" name={`Copy CID of ${a.name}`} />
                      </>
                    )}
                  </td>
                  <td className="row-actions">
                    {known === null ? null : (
                      <a className="button-link" href={`#run?cid=${known}`} aria-label={`Run ${a.name}`}>
                        Run
                      </a>
                    )}
                    <button type="button" aria-label={`Rename ${a.name}`} onClick={() => setRenaming(a)}>
                      Rename
                    </button>
                    <button type="button" className="danger" aria-label={`Delete ${a.name}`} onClick={() => setDeleting(a)}>
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {renaming === null ? null : (
        <RenameActionDialog
          item={renaming}
          busy={write.busy}
          onCancel={() => setRenaming(null)}
          onSave={async (newName, newDescription) => {
            const ok = await write.run(
              `Renaming "${renaming.name}"`,
              () => client.updateActionMetadata({ hashedCid: renaming.id, name: newName, description: newDescription }),
              `Renamed to "${newName}"`,
            );
            setRenaming(null);
            if (ok) actions.reload();
          }}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete action"
        confirmLabel="Delete action"
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          const a = deleting;
          setDeleting(null);
          if (a === null) return;
          void write
            .run(`Deleting "${a.name}"`, () => client.deleteAction({ hashedCid: a.id }), `Deleted "${a.name}"`)
            .then((ok) => ok && actions.reload());
        }}
      >
        <p>
          Delete <strong>{deleting?.name}</strong>? It is removed from every group, and usage keys can no longer run it.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function RenameActionDialog(props: {
  item: MetadataItem;
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
        <TextField label="New action name" value={name} onChange={setName} required />
        <TextField label="New action description" value={description} onChange={setDescription} />
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
