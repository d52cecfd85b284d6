/** The rename and delete dialogs of a list's rows, opened from their RowActions (useRowEdits). */
import type { ReactNode } from "react";
import { DeleteDialog } from "./ConfirmDialog";
import { RenameDialog } from "./RenameDialog";
import type { RowEdits } from "./useRowEdits";

/**
 * Renaming runs `rename` (RenameDialog, its fields named after `noun`); deleting asks `children`
 * about the item in a dialog titled `deleteTitle` and runs `remove` when `deleteLabel` is pressed.
 */
export function RowEditDialogs<T extends { name: string; description: string }>(props: {
  edits: RowEdits<T>;
  noun: string;
  rename(item: T, name: string, description: string): Promise<unknown>;
  deleteTitle: string;
  deleteLabel: string;
  remove(item: T): Promise<unknown>;
  /** The delete question, about the item. */
  children(item: T): ReactNode;
}) {
  return (
    <>
      <RenameDialog {...props.edits.renameDialog} noun={props.noun} rename={props.rename} />
      <DeleteDialog
        {...props.edits.deleteDialog}
        title={props.deleteTitle}
        confirmLabel={props.deleteLabel}
        remove={props.remove}
      >
        {props.children}
      </DeleteDialog>
    </>
  );
}
