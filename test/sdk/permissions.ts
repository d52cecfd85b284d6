/** Usage-key permissions for SDK tests: nothing allowed, with `overrides` on top. */
import type { UsageKeyPermissions } from "../../src/sdk";

export function usageKeyPermissions(overrides: Partial<UsageKeyPermissions> = {}): UsageKeyPermissions {
  return {
    name: "k",
    description: "",
    canCreateGroups: false,
    canDeleteGroups: false,
    canCreatePkps: false,
    manageIpfsIdsInGroups: [],
    addPkpToGroups: [],
    removePkpFromGroups: [],
    executeInGroups: [],
    ...overrides,
  };
}
