/**
 * Shared helpers of the usage-key tests (test/contracts/usage-keys/, with set-usage-key/): cid hashes and a
 * usage key as plain values (the account set-up is test/fixtures/support.ts).
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import type { DiamondFixture } from "../../fixtures/diamond";
import { hashText } from "../../fixtures/support";

export const cidOf = (label: string) => hashText(`Qm-usage-${label}`);

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
