/**
 * Which row of a list is being renamed or deleted: the state RowActions, RenameDialog and
 * DeleteDialog share. Spread `row(item)` into the row's RowActions, `renameDialog` and
 * `deleteDialog` into the dialogs; their writes run as `write` and `reload` the list on success.
 */
import { useState } from "react";
import type { Write } from "../state/write";

export function useRowEdits<T extends { name: string; description: string }>(write: Write, reload: () => void) {
  const [renaming, setRenaming] = useState<T | null>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  return {
    row: (item: T) => ({ name: item.name, onRename: () => setRenaming(item), onDelete: () => setDeleting(item) }),
    renameDialog: { item: renaming, write, onClose: () => setRenaming(null), onRenamed: reload },
    deleteDialog: { item: deleting, write, onClose: () => setDeleting(null), onDeleted: reload },
  };
}
