/**
 * Runs a Lit Action (POST /lit_action) with pasted code or a CID and JSON params, and shows the
 * response and logs. API mode runs with the account key or a usage key; ChainSecured accounts have
 * no account key, so a usage key is needed.
 */
import { useState } from "react";
import type { LitActionResponse } from "../../../src/sdk";
import { apiClient } from "../api/clients";
import { looksLikeCid } from "../api/cid-cache";
import { TextArea, TextField } from "../components/Field";
import { ButtonRow, Form } from "../components/Form";
import { Panel } from "../components/Panel";
import { WriteStatus } from "../components/WriteStatus";
import { useDashboard } from "../state/context";
import { useWrite } from "../state/write";
import { SAMPLE_ACTION } from "./Actions";

function cidFromHash(): string {
  const query = window.location.hash.split("?")[1] ?? "";
  return new URLSearchParams(query).get("cid") ?? "";
}

function pretty(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export function RunAction() {
  const { client, session } = useDashboard();
  const initialCid = cidFromHash();
  const [source, setSource] = useState<"code" | "cid">(initialCid === "" ? "code" : "cid");
  const [code, setCode] = useState(SAMPLE_ACTION);
  const [cid, setCid] = useState(initialCid);
  const [params, setParams] = useState('{\n  "name": "dashboard"\n}');
  const [keyChoice, setKeyChoice] = useState<"account" | "usage">(session.mode === "api" ? "account" : "usage");
  const [usageKey, setUsageKey] = useState("");
  const [result, setResult] = useState<LitActionResponse | null>(null);
  const write = useWrite();

  const run = async () => {
    setResult(null);
    const res = await write.run(
      "Running the action",
      async () => {
        let jsParams: unknown = undefined;
        if (params.trim() !== "") {
          try {
            jsParams = JSON.parse(params);
          } catch (e) {
            throw new Error(`Params are not valid JSON: ${(e as Error).message}`);
          }
        }
        if (source === "cid" && !looksLikeCid(cid)) throw new Error(`"${cid}" is not an IPFS CID (Qm…).`);
        if (keyChoice === "usage" && usageKey.trim() === "") throw new Error("Paste the usage key to run with.");
        const runner = keyChoice === "usage" ? apiClient(usageKey.trim()) : client;
        return runner.litAction({
          ...(source === "code" ? { code } : { ipfsId: cid.trim() }),
          ...(jsParams === undefined ? {} : { jsParams }),
        });
      },
      (r) => (r.has_error ? "The action ran and threw an error" : "The action ran"),
    );
    if (res) setResult(res);
  };

  return (
    <Panel
      title="Run action"
      lead={
        <>
          Runs on this node with <code>js_params</code> as the argument of <code>main(params)</code>. Each run is billed
          per started second.
        </>
      }
    >
      <Form className="card form-card" aria-label="Run a Lit Action" onSubmit={run}>
        <fieldset className="radio-row">
          <legend>Run</legend>
          <label>
            <input type="radio" name="run-source" checked={source === "code"} onChange={() => setSource("code")} /> Code
          </label>
          <label>
            <input type="radio" name="run-source" checked={source === "cid"} onChange={() => setSource("cid")} /> A CID
          </label>
        </fieldset>
        {source === "code" ? (
          <TextArea label="Code to run" value={code} onChange={setCode} rows={8} code />
        ) : (
          <TextField label="CID to run" value={cid} onChange={setCid} placeholder="Qm…" />
        )}
        <TextArea label="Params (JSON)" value={params} onChange={setParams} rows={4} code />
        <fieldset className="radio-row">
          <legend>Run with</legend>
          {session.mode === "api" ? (
            <label>
              <input type="radio" name="run-key" checked={keyChoice === "account"} onChange={() => setKeyChoice("account")} />{" "}
              The account key (this session)
            </label>
          ) : null}
          <label>
            <input type="radio" name="run-key" checked={keyChoice === "usage"} onChange={() => setKeyChoice("usage")} /> A
            usage key
          </label>
        </fieldset>
        {keyChoice === "usage" ? (
          <TextField
            label="Usage key to run with"
            type="password"
            value={usageKey}
            onChange={setUsageKey}
            hint={session.mode === "sovereign" ? "ChainSecured accounts run actions with usage keys." : undefined}
          />
        ) : null}
        <ButtonRow label="Run action" busy={write.busy} />
      </Form>
      <WriteStatus state={write.state} />
      {result === null ? null : (
        <section className={`card result ${result.has_error ? "result-error" : ""}`} aria-label="Result">
          <h2>{result.has_error ? "Error" : "Response"}</h2>
          <pre data-testid="action-response">{pretty(result.response)}</pre>
          <h2>Logs</h2>
          <pre data-testid="action-logs">{result.logs === "" ? "(no output)" : result.logs}</pre>
        </section>
      )}
    </Panel>
  );
}
