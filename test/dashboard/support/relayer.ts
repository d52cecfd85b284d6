/**
 * A relayer listening on 127.0.0.1 (a random port) over the in-process Hardhat chain, serving a
 * fresh dashboard build: what the browser tests load. Billing is requested as "dev" (when the
 * relayer supports the BILLING_PROVIDER setting).
 */
import type { AddressInfo } from "net";
import { ensureDashboardBuilt } from "../../../dashboard/build";
import { type Harness, startHarness } from "../../relayer/e2e/relayer-harness";

export interface DashboardRelayer {
  harness: Harness;
  baseUrl: string;
  dashboardUrl: string;
  /** Lets the indexer catch up with the chain (after transactions sent from the test wallet). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export async function startDashboardRelayer(): Promise<DashboardRelayer> {
  await ensureDashboardBuilt({ logLevel: "warn" });
  const harness = await startHarness({ BILLING_PROVIDER: "dev" });
  await harness.relayer.app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = harness.relayer.app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const { ethers } = await import("hardhat");
  return {
    harness,
    baseUrl,
    dashboardUrl: `${baseUrl}/dashboard/`,
    sync: async () => harness.relayer.chain.indexer.syncTo(await ethers.provider.getBlockNumber()),
    close: () => harness.close(),
  };
}

/** The private key of Hardhat dev account `index` (the in-process network's HD accounts). */
export async function devPrivateKey(index: number): Promise<string> {
  const { network } = await import("hardhat");
  const { HDNodeWallet } = await import("ethers");
  const accounts = network.config.accounts;
  if (Array.isArray(accounts)) {
    const entry: unknown = accounts[index];
    if (typeof entry === "string") return entry;
    return (entry as { privateKey: string }).privateKey;
  }
  if (typeof accounts !== "object" || accounts === null || !("mnemonic" in accounts)) {
    throw new Error("the hardhat network has no local accounts");
  }
  const hd = accounts as { mnemonic: string; passphrase?: string; path: string; initialIndex?: number };
  return HDNodeWallet.fromPhrase(hd.mnemonic, hd.passphrase ?? "", `${hd.path}/${(hd.initialIndex ?? 0) + index}`).privateKey;
}
