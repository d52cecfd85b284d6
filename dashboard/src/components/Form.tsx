/** Forms and their buttons: submitting runs a handler (no page load), Cancel and the main button sit in a .button-row. */
import type { FormHTMLAttributes, ReactNode } from "react";

export type FormProps = Omit<FormHTMLAttributes<HTMLFormElement>, "onSubmit"> & {
  /** Runs on submit (Enter in a field, or the submit button); a returned promise is not awaited. */
  onSubmit(): unknown;
};

export function Form({ onSubmit, children, ...rest }: FormProps) {
  return (
    <form
      {...rest}
      onSubmit={(event) => {
        event.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/** A form in a card, named by its heading text `title` (role "form" with that name). */
export function FormCard({ title, onSubmit, children }: { title: string; onSubmit(): unknown; children: ReactNode }) {
  return (
    <Form className="card form-card" aria-label={title} onSubmit={onSubmit}>
      <h2>{title}</h2>
      {children}
    </Form>
  );
}

export function ButtonRow(props: {
  /** The main button's text. */
  label: ReactNode;
  /** Without a click handler the main button submits its form. */
  onClick?: () => void;
  /** A red main button, for what cannot be undone. */
  danger?: boolean;
  /** A write is running: both buttons are disabled. */
  busy?: boolean;
  /** Disables the main button only. */
  disabled?: boolean;
  /** Adds a Cancel button before the main one. */
  onCancel?: () => void;
}) {
  return (
    <div className="button-row">
      {props.onCancel === undefined ? null : (
        <button type="button" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </button>
      )}
      <button
        type={props.onClick === undefined ? "submit" : "button"}
        className={props.danger ? "danger" : "primary"}
        onClick={props.onClick}
        disabled={props.busy || props.disabled}
      >
        {props.label}
      </button>
    </div>
  );
}
