/**
 * A test relayer (test/relayer/e2e/relayer-harness.ts) listening on 127.0.0.1 at a random port, so
 * that the SDK reaches it over a real socket as an app would.
 */
import { ethers } from "hardhat";
import type { AddressInfo } from "net";
import { startHarness, type Harness } from "../relayer/e2e/relayer-harness";

export interface ListeningRelayer {
  readonly harness: Harness;
  /** http://127.0.0.1:<port>, the SDK's baseUrl. */
  readonly baseUrl: string;
  /** Lets the relayer's indexer catch up with the chain (after transactions sent from a test wallet). */
  sync(): Promise<void>;
}

/**
 * For the describe block it is called in: a `before` hook starts a harness with `env` (relayer
 * settings) and has its HTTP app listen, an `after` hook closes it. Read the fields in hooks and
 * tests registered after this call, not while the block is being defined.
 */
export function listeningRelayer(env: Record<string, string> = {}): ListeningRelayer {
  let started: { harness: Harness; baseUrl: string } | undefined;
  before(async () => {
    const harness = await startHarness(env);
    await harness.relayer.app.listen({ host: "127.0.0.1", port: 0 });
    started = { harness, baseUrl: `http://127.0.0.1:${(harness.relayer.app.server.address() as AddressInfo).port}` };
  });
  after(async () => {
    await started?.harness.close();
  });
  const running = () => {
    if (started === undefined) throw new Error("listeningRelayer: used before its before hook ran");
    return started;
  };
  return {
    get harness() {
      return running().harness;
    },
    get baseUrl() {
      return running().baseUrl;
    },
    sync: async () => running().harness.relayer.chain.indexer.syncTo(await ethers.provider.getBlockNumber()),
  };
}
