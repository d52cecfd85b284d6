/**
 * The transaction preview: ChainSecured writes go through a PreviewSigner whose approve() opens
 * this dialog (function, decoded arguments, estimated gas) and waits for Confirm or Cancel before
 * the wallet is asked to sign.
 */
import { type ReactNode, createContext, useCallback, useContext, useMemo, useState } from "react";
import type { PreviewHooks } from "../api/preview-signer";
import { type TxPreview, formatGas } from "../api/tx-preview";
import { Dialog } from "../components/Dialog";
import { ButtonRow } from "../components/Form";
import { ListTable } from "../components/ListTable";
import { reportPhase } from "../state/write";

interface Pending {
  preview: TxPreview;
  resolve(approved: boolean): void;
}

const HooksContext = createContext<PreviewHooks | null>(null);

export function TxApprovalProvider({ token, children }: { token: string; children: ReactNode }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const approve = useCallback(
    (preview: TxPreview) => new Promise<boolean>((resolve) => setPending({ preview, resolve })),
    [],
  );
  const hooks = useMemo<PreviewHooks>(() => ({ approve, phase: reportPhase }), [approve]);
  const decide = (approved: boolean) => {
    pending?.resolve(approved);
    setPending(null);
  };
  return (
    <HooksContext.Provider value={hooks}>
      {children}
      <TxPreviewDialog pending={pending} token={token} onDecide={decide} />
    </HooksContext.Provider>
  );
}

/** The hooks a PreviewSigner needs (approve through the dialog, phases to the running write). */
export function usePreviewHooks(): PreviewHooks {
  const hooks = useContext(HooksContext);
  if (hooks === null) throw new Error("usePreviewHooks outside TxApprovalProvider");
  return hooks;
}

function TxPreviewDialog({
  pending,
  token,
  onDecide,
}: {
  pending: Pending | null;
  token: string;
  onDecide(approved: boolean): void;
}) {
  const p = pending?.preview;
  return (
    <Dialog open={pending !== null} title="Review transaction" onClose={() => onDecide(false)} wide>
      {p === undefined ? null : (
        <div className="stack" data-testid="tx-preview">
          <p>
            Your wallet will be asked to sign this transaction to the AccountConfig contract. It is sent from your wallet,
            which pays the gas.
          </p>
          <dl className="facts">
            <dt>Function</dt>
            <dd>
              <code>{p.signature}</code>
            </dd>
            <dt>Contract</dt>
            <dd>
              <code>{p.to}</code>
            </dd>
            <dt>From</dt>
            <dd>
              <code>{p.from}</code>
            </dd>
            <dt>Estimated gas</dt>
            <dd>{formatGas(p, token)}</dd>
          </dl>
          <ListTable
            caption={<>Arguments of {p.functionName}</>}
            showCaption
            columns={["Name", "Type", "Value"]}
            rows={p.args}
            rowKey={(a) => a.name}
          >
            {(a) => (
              <>
                <th scope="row">{a.name}</th>
                <td>
                  <code>{a.type}</code>
                </td>
                <td className="break">
                  <code>{a.value}</code>
                </td>
              </>
            )}
          </ListTable>
          <ButtonRow label="Confirm in wallet" onClick={() => onDecide(true)} onCancel={() => onDecide(false)} />
        </div>
      )}
    </Dialog>
  );
}
