/** Labelled form controls: every input has a visible <label>. */
import { type ChangeEvent, type ReactNode, useId, useState } from "react";

interface BaseProps {
  label: string;
  value: string;
  onChange(value: string): void;
  hint?: ReactNode;
  required?: boolean;
  disabled?: boolean;
  placeholder?: string;
}

/** The frame of a text control: its label, the required mark, the control, then its hint (`${id}-hint`). */
function FieldFrame(props: { id: string; label: string; required?: boolean; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.required ? (
        <span className="required-mark" aria-hidden="true">
          *
        </span>
      ) : null}
      {props.children}
      {props.hint === undefined ? null : (
        <p className="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** The attributes an <input> and a <textarea> share. */
function textControlProps(id: string, props: BaseProps) {
  return {
    id,
    value: props.value,
    required: props.required,
    disabled: props.disabled,
    placeholder: props.placeholder,
    spellCheck: false,
    "aria-describedby": props.hint === undefined ? undefined : `${id}-hint`,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => props.onChange(event.target.value),
  };
}

export function TextField(
  props: BaseProps & { type?: "text" | "email" | "password" | "number" | "datetime-local"; autoComplete?: string; min?: number; step?: number },
) {
  const id = useId();
  return (
    <FieldFrame id={id} label={props.label} required={props.required} hint={props.hint}>
      <input
        {...textControlProps(id, props)}
        type={props.type ?? "text"}
        autoComplete={props.autoComplete ?? "off"}
        min={props.min}
        step={props.step}
      />
    </FieldFrame>
  );
}

export function TextArea(props: BaseProps & { rows?: number; code?: boolean }) {
  const id = useId();
  return (
    <FieldFrame id={id} label={props.label} required={props.required} hint={props.hint}>
      <textarea {...textControlProps(id, props)} className={props.code ? "code" : undefined} rows={props.rows ?? 4} />
    </FieldFrame>
  );
}

/** The name and description being entered for an item. */
export interface NameState {
  name: string;
  description: string;
  setName(value: string): void;
  setDescription(value: string): void;
}

/** State for NameFields, starting from `initial` (default: empty); `reset()` empties it. */
export function useNameState(initial?: { name: string; description: string }): NameState & { reset(): void } {
  const [name, setName] = useState(initial?.name ?? "");
  const [description, setDescription] = useState(initial?.description ?? "");
  const reset = () => {
    setName("");
    setDescription("");
  };
  return { name, description, setName, setDescription, reset };
}

/**
 * The name and description of an item, labelled "`noun` name" and "`noun` description"
 * ("Group name", "New key description"); `grid` puts them side by side.
 */
export function NameFields(props: {
  noun: string;
  value: NameState;
  /** The name is required (the default). */
  required?: boolean;
  namePlaceholder?: string;
  grid?: boolean;
}) {
  const { value } = props;
  const fields = (
    <>
      <TextField
        label={`${props.noun} name`}
        value={value.name}
        onChange={value.setName}
        required={props.required ?? true}
        placeholder={props.namePlaceholder}
      />
      <TextField label={`${props.noun} description`} value={value.description} onChange={value.setDescription} />
    </>
  );
  return props.grid ? <div className="grid-2">{fields}</div> : fields;
}

/** A labelled <select> with an empty first choice, for an .inline-form row. */
export function Select(props: {
  label: string;
  placeholder: string;
  value: string;
  onChange(value: string): void;
  options: { value: string; label: string }[];
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.placeholder}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </>
  );
}

export function Checkbox(props: {
  label: ReactNode;
  checked: boolean;
  onChange(checked: boolean): void;
  disabled?: boolean;
  /** Renders as an on/off switch (role="switch"). */
  asSwitch?: boolean;
  hint?: ReactNode;
}) {
  const id = useId();
  return (
    <div className={props.asSwitch ? "check switch" : "check"}>
      <input
        id={id}
        type="checkbox"
        role={props.asSwitch ? "switch" : undefined}
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={props.hint === undefined ? undefined : `${id}-hint`}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
      {props.hint === undefined ? null : (
        <span className="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      )}
    </div>
  );
}
