/**
 * The end of a dialog whose action cannot be undone: the "I understand" checkbox, then anything
 * else (`children`, e.g. the chain prompt), the write's progress banner, and Cancel beside the red
 * button, which stays disabled until the checkbox is ticked.
 */
import type { ReactNode } from "react";
import { Checkbox } from "../components/Field";
import { ButtonRow } from "../components/Form";
import { WriteStatus } from "../components/WriteStatus";
import type { Write } from "../state/write";

export function IrreversibleConfirm(props: {
  /** The checkbox label: "I understand that ...". */
  acknowledgement: string;
  understood: boolean;
  onUnderstood(understood: boolean): void;
  write: Write;
  confirmLabel: string;
  /** Without it the red button submits the dialog's form. */
  onConfirm?: () => void;
  onCancel(): void;
  children?: ReactNode;
}) {
  return (
    <>
      <Checkbox label={props.acknowledgement} checked={props.understood} onChange={props.onUnderstood} disabled={props.write.busy} />
      {props.children}
      <WriteStatus state={props.write.state} banner />
      <ButtonRow
        label={props.confirmLabel}
        danger
        onClick={props.onConfirm}
        busy={props.write.busy}
        disabled={!props.understood}
        onCancel={props.onCancel}
      />
    </>
  );
}
