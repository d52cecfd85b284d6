/** Every permission field of a usage key (seed 003), for adding a key or replacing its permissions. */
import { useState } from "react";
import type { MetadataItem, UsageKeyPermissions } from "../../../src/sdk";
import { Checkbox, TextField } from "../components/Field";
import { GroupChecklist } from "./GroupChecklist";

export const EMPTY_PERMISSIONS: UsageKeyPermissions = {
  name: "",
  description: "",
  canCreateGroups: false,
  canDeleteGroups: false,
  canCreatePkps: false,
  manageIpfsIdsInGroups: [],
  addPkpToGroups: [],
  removePkpFromGroups: [],
  executeInGroups: [],
  expiration: 0,
};

function toLocalInput(seconds: number | undefined): string {
  if (seconds === undefined || seconds === 0) return "";
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function UsageKeyForm(props: {
  title: string;
  initial: UsageKeyPermissions;
  groups: MetadataItem[];
  submitLabel: string;
  busy: boolean;
  onSubmit(value: UsageKeyPermissions): void;
  onCancel(): void;
}) {
  const [v, setV] = useState<UsageKeyPermissions>(props.initial);
  const [expires, setExpires] = useState(toLocalInput(props.initial.expiration));
  const [problem, setProblem] = useState<string | null>(null);
  const set = <K extends keyof UsageKeyPermissions>(k: K) => (value: UsageKeyPermissions[K]) => setV((old) => ({ ...old, [k]: value }));

  const submit = () => {
    if (v.name.trim() === "") return setProblem("Give the key a name.");
    let expiration = 0;
    if (expires !== "") {
      const ms = new Date(expires).getTime();
      if (!Number.isFinite(ms)) return setProblem("The expiration is not a valid date and time.");
      if (ms <= Date.now()) return setProblem("The expiration must be in the future (or empty for never).");
      expiration = Math.floor(ms / 1000);
    }
    setProblem(null);
    props.onSubmit({ ...v, name: v.name.trim(), description: v.description.trim(), expiration });
  };

  return (
    <form
      className="card form-card"
      aria-label={props.title}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <h2>{props.title}</h2>
      <div className="grid-2">
        <TextField label="Key name" value={v.name} onChange={set("name")} required />
        <TextField label="Key description" value={v.description} onChange={set("description")} />
      </div>
      <fieldset className="checklist" disabled={props.busy}>
        <legend>Account permissions</legend>
        <Checkbox label="Can create groups" checked={v.canCreateGroups} onChange={set("canCreateGroups")} />
        <Checkbox label="Can delete groups" checked={v.canDeleteGroups} onChange={set("canDeleteGroups")} />
        <Checkbox label="Can create wallets (PKPs)" checked={v.canCreatePkps} onChange={set("canCreatePkps")} />
      </fieldset>
      <div className="grid-2">
        <GroupChecklist
          legend="Execute in groups"
          hint="Run the actions of these groups with their wallets (execute_in_groups)."
          groups={props.groups}
          value={v.executeInGroups}
          onChange={set("executeInGroups")}
          disabled={props.busy}
        />
        <GroupChecklist
          legend="Manage actions in groups"
          hint="Add or remove actions of these groups (manage_ipfs_ids_in_groups)."
          groups={props.groups}
          value={v.manageIpfsIdsInGroups}
          onChange={set("manageIpfsIdsInGroups")}
          disabled={props.busy}
        />
        <GroupChecklist
          legend="Add wallets to groups"
          hint="Add wallets to these groups (add_pkp_to_groups)."
          groups={props.groups}
          value={v.addPkpToGroups}
          onChange={set("addPkpToGroups")}
          disabled={props.busy}
        />
        <GroupChecklist
          legend="Remove wallets from groups"
          hint="Remove wallets from these groups (remove_pkp_from_groups)."
          groups={props.groups}
          value={v.removePkpFromGroups}
          onChange={set("removePkpFromGroups")}
          disabled={props.busy}
        />
      </div>
      <TextField
        label="Expires"
        type="datetime-local"
        value={expires}
        onChange={setExpires}
        hint="Optional, in your local time. Empty: the key never expires."
      />
      {problem === null ? null : (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <div className="button-row">
        <button type="button" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={props.busy}>
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}
