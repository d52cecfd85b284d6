/** group:* tasks: groups of an account, their actions (cid hashes) and wallets (PKPs). */
import { parseGroupId } from "../src/core";
import { ACCOUNT_WRITER, PAGE_PARAMS, defineTask, findEvent, paged, read, readToJson, required, send, withDefault } from "./lib/cli";
import { actionsToJson } from "./lib/format";
import { cidListArg, cidOrWildcardArg, keyHashArg, pkpListArg, pkpOrWildcardArg } from "./lib/options";

const ACCOUNT = required("account: API key text or 0x apiKeyHash (master or usage key with the permission)");
const MASTER = required("account: master API key text or 0x master apiKeyHash");
const GROUP = required("group id (decimal or 0x hex)");
const CIDS = withDefault('comma list of action CIDs (Qm.../b...) or 0x cid hashes, at most 10; "0" = every action', "");
const PKPS = withDefault('comma list of wallet addresses, at most 10; "0" or the zero address = every wallet', "");
const CID = required('action CID (Qm.../b...) or 0x cid hash; "0" = every action');
const PKP = required('wallet address; "0" = every wallet');

defineTask({
  name: "group:add",
  description: "Create a group with actions and wallets (addGroup); prints the new groupId.",
  signer: ACCOUNT_WRITER,
  params: {
    account: ACCOUNT,
    name: withDefault("group name", ""),
    description: withDefault("group description", ""),
    cids: CIDS,
    pkps: PKPS,
  },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const cids = cidListArg(a.cids);
    const pkps = pkpListArg(a.pkps);
    const result = await send(ctx, (d) => d.addGroup(account, a.name, a.description, cids, pkps));
    const groupId = findEvent(result, "GroupAdded")?.args.groupId ?? null;
    return { groupId, ...result };
  },
});

defineTask({
  name: "group:update",
  description: "Replace a group's name, description, actions and wallets (updateGroup).",
  signer: ACCOUNT_WRITER,
  params: {
    account: MASTER,
    group: GROUP,
    name: withDefault("group name", ""),
    description: withDefault("group description", ""),
    cids: CIDS,
    pkps: PKPS,
  },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const group = parseGroupId(a.group);
    const cids = cidListArg(a.cids);
    const pkps = pkpListArg(a.pkps);
    return send(ctx, (d) => d.updateGroup(account, group, a.name, a.description, cids, pkps));
  },
});

defineTask({
  name: "group:metadata",
  description: "Set a group's name and description (updateGroupMetadata).",
  signer: ACCOUNT_WRITER,
  params: {
    account: MASTER,
    group: GROUP,
    name: withDefault("group name", ""),
    description: withDefault("group description", ""),
  },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const group = parseGroupId(a.group);
    return send(ctx, (d) => d.updateGroupMetadata(account, group, a.name, a.description));
  },
});

defineTask({
  name: "group:remove",
  description: "Remove a group (removeGroup).",
  signer: ACCOUNT_WRITER,
  params: { account: ACCOUNT, group: GROUP },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const group = parseGroupId(a.group);
    return send(ctx, (d) => d.removeGroup(account, group));
  },
});

defineTask({
  name: "group:add-action",
  description: "Permit an action in a group (addActionToGroup); no event if already present.",
  signer: ACCOUNT_WRITER,
  params: { account: ACCOUNT, group: GROUP, cid: CID },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const group = parseGroupId(a.group);
    const cid = cidOrWildcardArg(a.cid);
    return send(ctx, (d) => d.addActionToGroup(account, group, cid));
  },
});

defineTask({
  name: "group:remove-action",
  description: "Remove an action from a group (removeActionFromGroup).",
  signer: ACCOUNT_WRITER,
  params: { account: ACCOUNT, group: GROUP, cid: CID },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const group = parseGroupId(a.group);
    const cid = cidOrWildcardArg(a.cid);
    return send(ctx, (d) => d.removeActionFromGroup(account, group, cid));
  },
});

defineTask({
  name: "group:add-pkp",
  description: "Permit a wallet in a group (addPkpToGroup); the wallet must be registered to the account.",
  signer: ACCOUNT_WRITER,
  params: { account: ACCOUNT, group: GROUP, pkp: PKP },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const group = parseGroupId(a.group);
    const pkp = pkpOrWildcardArg(a.pkp);
    return send(ctx, (d) => d.addPkpToGroup(account, group, pkp));
  },
});

defineTask({
  name: "group:remove-pkp",
  description: "Remove a wallet from a group (removePkpFromGroup).",
  signer: ACCOUNT_WRITER,
  params: { account: ACCOUNT, group: GROUP, pkp: PKP },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const group = parseGroupId(a.group);
    const pkp = pkpOrWildcardArg(a.pkp);
    return send(ctx, (d) => d.removePkpFromGroup(account, group, pkp));
  },
});

defineTask({
  name: "group:list",
  description: "List the groups of an account: [{id, name, description}] (listGroups).",
  params: { account: required("account: API key text or 0x apiKeyHash"), ...PAGE_PARAMS },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    return readToJson(ctx, "listGroups", await paged(a, (p, s) => ctx.diamond.listGroups(account, p, s)));
  },
});

defineTask({
  name: "group:contents",
  description: "A group's metadata with its cid hashes and wallets (listGroupContents).",
  params: { account: required("account: API key text or 0x apiKeyHash"), group: GROUP },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const group = parseGroupId(a.group);
    return read(ctx, "listGroupContents", (d) => d.listGroupContents(account, group));
  },
});

defineTask({
  name: "group:actions",
  description: "List the actions of a group: [{id (cid hash), name, description}] (listActionsInGroup).",
  params: { account: required("account: API key text or 0x apiKeyHash"), group: GROUP, ...PAGE_PARAMS },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const group = parseGroupId(a.group);
    return actionsToJson(await paged(a, (p, s) => ctx.diamond.listActionsInGroup(account, group, p, s)));
  },
});

defineTask({
  name: "group:wallets",
  description: "List the wallets of a group: [{id (derivation), pkpId, name, description}] (listWalletsInGroup).",
  params: { account: required("account: API key text or 0x apiKeyHash"), group: GROUP, ...PAGE_PARAMS },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const group = parseGroupId(a.group);
    return readToJson(ctx, "listWalletsInGroup", await paged(a, (p, s) => ctx.diamond.listWalletsInGroup(account, group, p, s)));
  },
});
