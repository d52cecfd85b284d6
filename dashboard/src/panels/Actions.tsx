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
import { CopyButton } from "../components/CopyButton";
import { NameFields, TextArea, TextField, useNameState } from "../components/Field";
import { ButtonRow, FormCard } from "../components/Form";
import { ListTable, NameCell, RowActions } from "../components/ListTable";
import { LoadedList } from "../components/Loaded";
import { Panel } from "../components/Panel";
import { RowEditDialogs } from "../components/RowEditDialogs";
import { useRowEdits } from "../components/useRowEdits";
import { WriteStatus } from "../components/WriteStatus";
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
  const meta = useNameState();
  const edits = useRowEdits<MetadataItem>(write, actions.reload);

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
        if (meta.name.trim() === "") throw new Error("Give the action a name.");
        const id = source === "code" ? await computeCid() : cid.trim();
        if (!looksLikeCid(id)) throw new Error(`"${id}" is not an IPFS CID (Qm…).`);
        await client.addAction({ actionIpfsCid: id, name: meta.name.trim(), description: meta.description.trim() });
        rememberCid(id);
        return id;
      },
      (id) => `Action "${meta.name.trim()}" registered as ${id}`,
    );
    if (res) {
      meta.reset();
      actions.reload();
    }
  };

  return (
    <Panel
      title="Actions"
      lead="Register the Lit Actions this account runs, by IPFS CID. Paste code to have its CID computed (the relayer keeps the code, so it can run by CID)."
    >
      <FormCard title="Register an action" onSubmit={register}>
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
        <NameFields noun="Action" value={meta} grid />
        <ButtonRow label="Register action" busy={write.busy} />
      </FormCard>
      <WriteStatus state={write.state} />
      <LoadedList loaded={actions} what="actions" emptyText="No actions registered yet.">
        {(items) => (
          <ListTable
            caption="Actions registered to the account"
            columns={["Name", "CID"]}
            rowActions
            rows={items}
            rowKey={(a) => a.id}
            rowTestId="action-row"
          >
            {(a) => {
              const known = knownCid(a.id);
              return (
                <>
                  <NameCell name={a.name} description={a.description} />
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
                  <RowActions {...edits.row(a)}>
                    {known === null ? null : (
                      <a className="button-link" href={`#run?cid=${known}`} aria-label={`Run ${a.name}`}>
                        Run
                      </a>
                    )}
                  </RowActions>
                </>
              );
            }}
          </ListTable>
        )}
      </LoadedList>
      <RowEditDialogs
        edits={edits}
        noun="action"
        rename={(a, name, description) => client.updateActionMetadata({ hashedCid: a.id, name, description })}
        deleteTitle="Delete action"
        deleteLabel="Delete action"
        remove={(a) => client.deleteAction({ hashedCid: a.id })}
      >
        {(a) => (
          <p>
            Delete <strong>{a.name}</strong>? It is removed from every group, and usage keys can no longer run it.
          </p>
        )}
      </RowEditDialogs>
    </Panel>
  );
}
