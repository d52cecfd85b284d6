/**
 * Shared set-up of the usage-key tests (test/contracts/usage-keys/*.test.ts): a fresh diamond with
 * one managed account, group and usage-key creation, and a usage key as plain values.
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import {
  createManagedAccount,
  groupIdFrom,
  hashText,
  newApiKey,
  usageKeyArgs,
  type UsageKeyArgs,
} from "../../fixtures/support";

export const cidOf = (label: string) => hashText(`Qm-usage-${label}`);

/** A fresh diamond with one managed account; `api` is the diamond connected as the api payer. */
export async function setup() {
  const f = await loadFixture(deployDiamond);
  const master = await createManagedAccount(f, "alice");
  const api = f.diamond.connect(f.payer);
  return { f, api, master };
}

export async function addGroup(f: DiamondFixture, hash: bigint, cids: bigint[] = [], pkps: string[] = []): Promise<bigint> {
  return groupIdFrom(f, f.diamond.connect(f.payer).addGroup(hash, "group", "", cids, pkps));
}

export async function addUsageKey(f: DiamondFixture, master: bigint, args: UsageKeyArgs = {}): Promise<bigint> {
  const { hash } = newApiKey("usage");
  await f.diamond.connect(f.payer).setUsageApiKey(master, hash, ...usageKeyArgs(args));
  return hash;
}

/** A usage key as a plain object, for deep comparisons. */
export function plainKey(k: Awaited<ReturnType<DiamondFixture["diamond"]["getUsageApiKey"]>>) {
  return {
    metadata: { id: k.metadata.id, name: k.metadata.name, description: k.metadata.description },
    apiKeyHash: k.apiKeyHash,
    expiration: k.expiration,
    balance: k.balance,
    executeInGroups: [...k.executeInGroups],
    createGroups: k.createGroups,
    deleteGroups: k.deleteGroups,
    createPKPs: k.createPKPs,
    manageIPFSIdsInGroups: [...k.manageIPFSIdsInGroups],
    addPkpToGroups: [...k.addPkpToGroups],
    removePkpFromGroups: [...k.removePkpFromGroups],
  };
}
