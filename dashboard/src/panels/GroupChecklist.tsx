/**
 * One group-id permission list of a usage key (seed 003): "All groups" (the 0 wildcard: every
 * group, present and future) or a choice of the account's groups.
 */
import { useId } from "react";
import type { MetadataItem } from "../../../src/sdk";
import { ALL_GROUPS, groupNumber } from "../api/groups";
import { Checkbox } from "../components/Field";

export function GroupChecklist(props: {
  legend: string;
  hint: string;
  groups: MetadataItem[];
  value: number[];
  onChange(value: number[]): void;
  disabled?: boolean;
}) {
  const hintId = useId();
  const all = props.value.includes(ALL_GROUPS);
  const toggle = (id: number, on: boolean) =>
    props.onChange(on ? [...props.value.filter((v) => v !== id), id] : props.value.filter((v) => v !== id));
  return (
    <fieldset className="checklist" aria-describedby={hintId} disabled={props.disabled}>
      <legend>{props.legend}</legend>
      <p className="hint" id={hintId}>
        {props.hint}
      </p>
      <Checkbox
        label={`${props.legend}: all groups (current and future)`}
        checked={all}
        onChange={(on) => props.onChange(on ? [ALL_GROUPS] : [])}
      />
      {props.groups.length === 0 ? <p className="hint">No groups yet.</p> : null}
      {props.groups.map((g) => {
        const n = groupNumber(g.id);
        return (
          <Checkbox
            key={g.id}
            label={`${props.legend}: group #${n} ${g.name}`}
            checked={all || props.value.includes(n)}
            disabled={all}
            onChange={(on) => toggle(n, on)}
          />
        );
      })}
    </fieldset>
  );
}
