/** permission:* tasks: what a key may execute and which wallets it may use (PermissionsFacet views). */
import { parseUintList } from "../src/core";
import { defineTask, flag, read, required } from "./lib/cli";
import { keyActionAndWallet, keyAndAction, keyHashArg } from "./lib/options";

const KEY = required("API key text or 0x apiKeyHash (master, usage key or admin alias)");
const CID = required("action CID (Qm.../b...) or 0x cid hash");
const PKP = required("wallet address");

defineTask({
  name: "permission:can-execute",
  description: "Whether the key may execute the action (canExecuteAction; --fast: canExecuteActionFast).",
  params: { account: KEY, cid: CID, fast: flag("use canExecuteActionFast") },
  run: async (ctx, a) => {
    const { account, cid } = keyAndAction(a);
    return a.fast
      ? read(ctx, "canExecuteActionFast", (d) => d.canExecuteActionFast(account, cid))
      : read(ctx, "canExecuteAction", (d) => d.canExecuteAction(account, cid));
  },
});

defineTask({
  name: "permission:can-use-wallet",
  description: "Whether the key may use the wallet in the action (canUseWalletInAction; --fast: canUseWalletInActionFast).",
  params: { account: KEY, cid: CID, pkp: PKP, fast: flag("use canUseWalletInActionFast") },
  run: async (ctx, a) => {
    const { account, cid, pkp } = keyActionAndWallet(a);
    return a.fast
      ? read(ctx, "canUseWalletInActionFast", (d) => d.canUseWalletInActionFast(account, cid, pkp))
      : read(ctx, "canUseWalletInAction", (d) => d.canUseWalletInAction(account, cid, pkp));
  },
});

defineTask({
  name: "permission:check",
  description: "Both answers at once: {canExecute, canUseWallet} (canExecuteActionAndUseWallet).",
  params: { account: KEY, cid: CID, pkp: PKP },
  run: async (ctx, a) => {
    const { account, cid, pkp } = keyActionAndWallet(a);
    return read(ctx, "canExecuteActionAndUseWallet", (d) => d.canExecuteActionAndUseWallet(account, cid, pkp));
  },
});

defineTask({
  name: "permission:groups-for-action",
  description: "Ids of the groups through which the key may execute the action (groupIdsForAction).",
  params: { account: KEY, cid: CID },
  run: async (ctx, a) => {
    const { account, cid } = keyAndAction(a);
    return read(ctx, "groupIdsForAction", (d) => d.groupIdsForAction(account, cid));
  },
});

defineTask({
  name: "permission:groups-for-action-and-wallet",
  description: "Ids of the groups through which the key may execute the action with the wallet (groupIdsForActionAndWallet).",
  params: { account: KEY, cid: CID, pkp: PKP },
  run: async (ctx, a) => {
    const { account, cid, pkp } = keyActionAndWallet(a);
    return read(ctx, "groupIdsForActionAndWallet", (d) => d.groupIdsForActionAndWallet(account, cid, pkp));
  },
});

defineTask({
  name: "permission:any-group",
  description: "Whether the key may execute in at least one of the groups (apiKeyCanExecuteForAnyGroup).",
  params: { account: KEY, groups: required("comma list of group ids (decimal or 0x hex)") },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const groups = parseUintList(a.groups, "--groups");
    return read(ctx, "apiKeyCanExecuteForAnyGroup", (d) => d.apiKeyCanExecuteForAnyGroup(account, groups));
  },
});
