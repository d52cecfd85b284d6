/**
 * Makes sure the wallet is on the relayer's chain (get_node_chain_config) before anything is
 * signed: when it is not, `ensureChain` shows a prompt to switch (wallet_switchEthereumChain) and
 * waits; it resolves once the wallet is on the right chain and throws if the person cancels.
 * `connect` connects the injected wallet first.
 */
import { useCallback, useState } from "react";
import type { NodeChainConfig } from "../../../src/sdk";
import { type DescribedError, describeError } from "../api/errors";
import { type Eip1193Provider, WalletError, connectWallet, requireWallet, switchChain, walletChainId } from "../api/wallet";
import { ErrorNotice } from "../components/ErrorNotice";
import { ButtonRow } from "../components/Form";
import { reportPhase } from "../state/write";
import { chainLabel } from "./chains";

interface Pending {
  eth: Eip1193Provider;
  current: number;
  resolve(switched: boolean): void;
}

export function useChainGuard(chain: NodeChainConfig) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [error, setError] = useState<DescribedError | null>(null);
  const [switching, setSwitching] = useState(false);

  const ensureChain = useCallback(
    async (eth: Eip1193Provider): Promise<void> => {
      const current = await walletChainId(eth);
      if (current === chain.chain_id) return;
      const switched = await new Promise<boolean>((resolve) => setPending({ eth, current, resolve }));
      if (!switched) {
        throw new WalletError(`Your wallet is not on ${chainLabel(chain.chain_id, chain.chain_name)}; nothing was signed.`, null);
      }
    },
    [chain],
  );

  /** Connects the injected wallet (reporting `phase` while it asks for the account), then ensureChain. */
  const connect = useCallback(
    async (phase: string): Promise<{ eth: Eip1193Provider; address: string }> => {
      const eth = requireWallet();
      reportPhase(phase);
      const address = await connectWallet(eth);
      await ensureChain(eth);
      return { eth, address };
    },
    [ensureChain],
  );

  const onSwitch = async () => {
    if (pending === null) return;
    setSwitching(true);
    setError(null);
    try {
      await switchChain(pending.eth, chain.chain_id);
      const now = await walletChainId(pending.eth);
      if (now !== chain.chain_id) throw new WalletError(`The wallet is still on chain id ${now}.`, null);
      setPending(null);
      pending.resolve(true);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setSwitching(false);
    }
  };

  const onCancel = () => {
    pending?.resolve(false);
    setPending(null);
    setError(null);
  };

  const prompt =
    pending === null ? null : (
      <section className="notice notice-warning chain-prompt" aria-labelledby="chain-prompt-title">
        <h3 id="chain-prompt-title">Switch your wallet's network</h3>
        <p role="alert">
          Your wallet is on {chainLabel(pending.current)}, but this relayer uses{" "}
          {chainLabel(chain.chain_id, chain.chain_name)}.
        </p>
        {error === null ? null : <ErrorNotice error={error} label="Switching the network" />}
        <ButtonRow
          label={switching ? "Switching…" : `Switch wallet to ${chain.chain_name}`}
          onClick={() => void onSwitch()}
          busy={switching}
          onCancel={onCancel}
        />
      </section>
    );

  return { ensureChain, connect, prompt };
}
