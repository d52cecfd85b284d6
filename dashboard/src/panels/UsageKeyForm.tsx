/** Every permission field of a usage key (seed 003), for adding a key or replacing its permissions. */
import { useState } from "react";
import type { MetadataItem, UsageKeyPermissions } from "../../../src/sdk";
import { Checkbox, NameFields, TextField } from "../components/Field";
import { ButtonRow, FormCard } from "../components/Form";
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

/** The group-id lists of a usage key, each a GroupChecklist. */
const GROUP_LISTS: {
  field: "executeInGroups" | "manageIpfsIdsInGroups" | "addPkpToGroups" | "removePkpFromGroups";
  legend: string;
  hint: string;
}[] = [
  {
    field: "executeInGroups",
    legend: "Execute in groups",
    hint: "Run the actions of these groups with their wallets (execute_in_groups).",
  },
  {
    field: "manageIpfsIdsInGroups",
    legend: "Manage actions in groups",
    hint: "Add or remove actions of these groups (manage_ipfs_ids_in_groups).",
  },
  { field: "addPkpToGroups", legend: "Add wallets to groups", hint: "Add wallets to these groups (add_pkp_to_groups)." },
  {
    field: "removePkpFromGroups",
    legend: "Remove wallets from groups",
    hint: "Remove wallets from these groups (remove_pkp_from_groups).",
  },
];

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
    <FormCard title={props.title} onSubmit={submit}>
      <NameFields
        noun="Key"
        value={{ name: v.name, description: v.description, setName: set("name"), setDescription: set("description") }}
        grid
      />
      <fieldset className="checklist" disabled={props.busy}>
        <legend>Account permissions</legend>
        <Checkbox label="Can create groups" checked={v.canCreateGroups} onChange={set("canCreateGroups")} />
        <Checkbox label="Can delete groups" checked={v.canDeleteGroups} onChange={set("canDeleteGroups")} />
        <Checkbox label="Can create wallets (PKPs)" checked={v.canCreatePkps} onChange={set("canCreatePkps")} />
      </fieldset>
      <div className="grid-2">
        {GROUP_LISTS.map(({ field, legend, hint }) => (
          <GroupChecklist
            key={field}
            legend={legend}
            hint={hint}
            groups={props.groups}
            value={v[field]}
            onChange={set(field)}
            disabled={props.busy}
          />
        ))}
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
      <ButtonRow label={props.submitLabel} busy={props.busy} onCancel={props.onCancel} />
    </FormCard>
  );
}
