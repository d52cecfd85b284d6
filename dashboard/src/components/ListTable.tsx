/** A table of listed items: one row per item, a row header with the item's name, and row buttons named after it. */
import type { ReactNode } from "react";

export function ListTable<T>(props: {
  caption: ReactNode;
  /** A visible caption (by default it is for screen readers only). */
  showCaption?: boolean;
  columns: string[];
  /** Adds a last column for row buttons, its header ("Actions") for screen readers only. */
  rowActions?: boolean;
  rows: T[];
  rowKey(row: T): string;
  rowTestId?: string;
  /** The cells of one row. */
  children(row: T): ReactNode;
}) {
  return (
    <table className="table">
      <caption className={props.showCaption ? undefined : "visually-hidden"}>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
          {props.rowActions ? (
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={props.rowKey(row)} data-testid={props.rowTestId}>
            {props.children(row)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The row header: the item's name, its description (if any) under it. */
export function NameCell({ name, description }: { name: string; description?: string }) {
  return (
    <th scope="row">
      {name}
      {description === undefined || description === "" ? null : <div className="hint">{description}</div>}
    </th>
  );
}

/** The Rename and Delete buttons of a row, named after the item ("Rename greeting"), after any other `children`. */
export function RowActions(props: { name: string; onRename(): void; onDelete(): void; children?: ReactNode }) {
  return (
    <td className="row-actions">
      {props.children}
      <button type="button" aria-label={`Rename ${props.name}`} onClick={props.onRename}>
        Rename
      </button>
      <button type="button" className="danger" aria-label={`Delete ${props.name}`} onClick={props.onDelete}>
        Delete
      </button>
    </td>
  );
}
