/** "Are you sure?" for destructive writes. */
import type { ReactNode } from "react";
import type { Write } from "../state/write";
import { Dialog } from "./Dialog";
import { ButtonRow } from "./Form";

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmDialog({ open, title, children, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  return (
    <Dialog open={open} title={title} onClose={onCancel}>
      <div className="stack">{children}</div>
      <ButtonRow label={confirmLabel} danger onClick={onConfirm} onCancel={onCancel} />
    </Dialog>
  );
}

/**
 * Confirms deleting a listed item: open while `item` is set. Confirming closes it and runs the
 * delete as `write` ("Deleting "name"" / "Deleted "name""), then `onDeleted` when that succeeds.
 */
export function DeleteDialog<T extends { name: string }>(props: {
  item: T | null;
  title: string;
  confirmLabel: string;
  write: Write;
  remove(item: T): Promise<unknown>;
  onClose(): void;
  onDeleted(): void;
  /** The question, about the item. */
  children(item: T): ReactNode;
}) {
  const { item } = props;
  return (
    <ConfirmDialog
      open={item !== null}
      title={props.title}
      confirmLabel={props.confirmLabel}
      onCancel={props.onClose}
      onConfirm={() => {
        props.onClose();
        if (item === null) return;
        void props.write
          .run(`Deleting "${item.name}"`, () => props.remove(item), `Deleted "${item.name}"`)
          .then((ok) => ok && props.onDeleted());
      }}
    >
      {item === null ? null : props.children(item)}
    </ConfirmDialog>
  );
}
