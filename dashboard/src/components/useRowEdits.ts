/**
 * Which row of a list is being renamed or deleted: the state RowActions and RowEditDialogs share.
 * Spread `row(item)` into the row's RowActions and pass the whole to RowEditDialogs; its writes run
 * as `write` and `reload` the list on success.
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

export type RowEdits<T extends { name: string; description: string }> = ReturnType<typeof useRowEdits<T>>;
