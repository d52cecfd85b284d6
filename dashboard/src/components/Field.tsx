/** Labelled form controls: every input has a visible <label>. */
import { type ReactNode, useId } from "react";

interface BaseProps {
  label: string;
  value: string;
  onChange(value: string): void;
  hint?: ReactNode;
  required?: boolean;
  disabled?: boolean;
  placeholder?: string;
}

export function TextField(
  props: BaseProps & { type?: "text" | "email" | "password" | "number" | "datetime-local"; autoComplete?: string; min?: number; step?: number },
) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.required ? (
        <span className="required-mark" aria-hidden="true">
          *
        </span>
      ) : null}
      <input
        id={id}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        disabled={props.disabled}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete ?? "off"}
        spellCheck={false}
        min={props.min}
        step={props.step}
        aria-describedby={props.hint === undefined ? undefined : hintId}
        onChange={(event) => props.onChange(event.target.value)}
      />
      {props.hint === undefined ? null : (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

export function TextArea(props: BaseProps & { rows?: number; code?: boolean }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.required ? (
        <span className="required-mark" aria-hidden="true">
          *
        </span>
      ) : null}
      <textarea
        id={id}
        className={props.code ? "code" : undefined}
        rows={props.rows ?? 4}
        value={props.value}
        required={props.required}
        disabled={props.disabled}
        placeholder={props.placeholder}
        spellCheck={false}
        aria-describedby={props.hint === undefined ? undefined : hintId}
        onChange={(event) => props.onChange(event.target.value)}
      />
      {props.hint === undefined ? null : (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
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
