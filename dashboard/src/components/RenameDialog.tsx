/** Renames a listed item (its name and description) in a dialog, as one write. */
import type { Write } from "../state/write";
import { Dialog } from "./Dialog";
import { ButtonRow, Form } from "./Form";
import { NameFields, useNameState } from "./Field";

interface Named {
  name: string;
  description: string;
}

/**
 * Open while `item` is set. Saving runs `rename` as `write` ("Renaming "old"" / "Renamed to "new""),
 * closes the dialog, then calls `onRenamed` when the write succeeded. `noun` names the fields
 * ("key": "New key name").
 */
export function RenameDialog<T extends Named>(props: {
  item: T | null;
  noun: string;
  write: Write;
  rename(item: T, name: string, description: string): Promise<unknown>;
  onClose(): void;
  onRenamed(): void;
}) {
  const { item } = props;
  if (item === null) return null;
  const save = async (name: string, description: string) => {
    const ok = await props.write.run(`Renaming "${item.name}"`, () => props.rename(item, name, description), `Renamed to "${name}"`);
    props.onClose();
    if (ok) props.onRenamed();
  };
  return <RenameForm item={item} noun={props.noun} busy={props.write.busy} onCancel={props.onClose} onSave={save} />;
}

function RenameForm(props: {
  item: Named;
  noun: string;
  busy: boolean;
  onCancel(): void;
  onSave(name: string, description: string): Promise<void>;
}) {
  const meta = useNameState(props.item);
  return (
    <Dialog open title={`Rename "${props.item.name}"`} onClose={props.onCancel} locked={props.busy}>
      <Form
        className="stack"
        onSubmit={() => {
          if (meta.name.trim() !== "") void props.onSave(meta.name.trim(), meta.description.trim());
        }}
      >
        <NameFields noun={`New ${props.noun}`} value={meta} />
        <ButtonRow label="Save name" busy={props.busy} onCancel={props.onCancel} />
      </Form>
    </Dialog>
  );
}
