/**
 * Shared helpers of the action and wallet tests (test/contracts/actions-wallets/*.test.ts).
 * Rules: docs/contracts.md "Wallets (PKPs)" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Actions and wallets".
 */
import type { DiamondFixture } from "../../fixtures/diamond";
import { createManagedAccount, newApiKey, usageKeyArgs } from "../../fixtures/support";

/** A managed account with a usage key that has every non-master right (and [0] arrays). */
export async function accountWithUsageKey(f: DiamondFixture) {
  const master = await createManagedAccount(f);
  const key = newApiKey("usage").hash;
  await f.diamond.connect(f.payer).setUsageApiKey(
    master,
    key,
    ...usageKeyArgs({
      createGroups: true,
      deleteGroups: true,
      createPKPs: true,
      manageIPFSIdsInGroups: [0],
      addPkpToGroups: [0],
      removePkpFromGroups: [0],
      executeInGroups: [0],
    }),
  );
  return { master, key };
}
