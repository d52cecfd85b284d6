/** group:* tasks: groups of an account, their actions (cid hashes) and wallets (PKPs). */
import type { ContractTransactionResponse } from "ethers";
import { parseGroupId } from "../src/core";
import {
  ACCOUNT_WRITER,
  PAGE_PARAMS,
  defineTask,
  findEvent,
  paged,
  read,
  readToJson,
  required,
  send,
  withDefault,
  type Diamond,
  type RequiredParam,
} from "./lib/cli";
import { actionsToJson } from "./lib/format";
import { cidListArg, cidOrWildcardArg, keyHashArg, pkpListArg, pkpOrWildcardArg } from "./lib/options";
import { ANY_ACCOUNT, MASTER_ACCOUNT, metadataParams } from "./lib/params";

const ACCOUNT = required("account: API key text or 0x apiKeyHash (master or usage key with the permission)");
const GROUP = required("group id (decimal or 0x hex)");
const CIDS = withDefault('comma list of action CIDs (Qm.../b...) or 0x cid hashes, at most 10; "0" = every action', "");
const PKPS = withDefault('comma list of wallet addresses, at most 10; "0" or the zero address = every wallet', "");
const CID = required('action CID (Qm.../b...) or 0x cid hash; "0" = every action');
const PKP = required('wallet address; "0" = every wallet');

/** --account and --group of a group task, parsed in that order. */
function accountAndGroup(a: { account: string; group: string }): { account: bigint; group: bigint } {
  const account = keyHashArg(a.account);
  return { account, group: parseGroupId(a.group) };
}

/** What group:add-* / group:remove-* put in or take out of a group: its option and its converter. */
interface GroupMember<T> {
  key: "cid" | "pkp";
  param: RequiredParam;
  parse: (value: string) => T;
}

const ACTION_MEMBER: GroupMember<bigint> = { key: "cid", param: CID, parse: (value) => cidOrWildcardArg(value) };
const WALLET_MEMBER: GroupMember<string> = { key: "pkp", param: PKP, parse: (value) => pkpOrWildcardArg(value) };

/** A write that adds one action or wallet to a group, or removes it: --account, --group and --cid or --pkp. */
function defineGroupMemberWrite<T>(
  name: string,
  member: GroupMember<T>,
  call: (d: Diamond, account: bigint, group: bigint, member: T) => Promise<ContractTransactionResponse>,
  { description }: { description: string },
): void {
  defineTask({
    name,
    description,
    signer: ACCOUNT_WRITER,
    params: { account: ACCOUNT, group: GROUP, [member.key]: member.param },
    run: async (ctx, a) => {
      const { account, group } = accountAndGroup(a);
      const value = member.parse(a[member.key]);
      return send(ctx, (d) => call(d, account, group, value));
    },
  });
}

defineTask({
  name: "group:add",
  description: "Create a group with actions and wallets (addGroup); prints the new groupId.",
  signer: ACCOUNT_WRITER,
  params: {
    account: ACCOUNT,
    ...metadataParams("group"),
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
    account: MASTER_ACCOUNT,
    group: GROUP,
    ...metadataParams("group"),
    cids: CIDS,
    pkps: PKPS,
  },
  run: async (ctx, a) => {
    const { account, group } = accountAndGroup(a);
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
    account: MASTER_ACCOUNT,
    group: GROUP,
    ...metadataParams("group"),
  },
  run: async (ctx, a) => {
    const { account, group } = accountAndGroup(a);
    return send(ctx, (d) => d.updateGroupMetadata(account, group, a.name, a.description));
  },
});

defineTask({
  name: "group:remove",
  description: "Remove a group (removeGroup).",
  signer: ACCOUNT_WRITER,
  params: { account: ACCOUNT, group: GROUP },
  run: async (ctx, a) => {
    const { account, group } = accountAndGroup(a);
    return send(ctx, (d) => d.removeGroup(account, group));
  },
});

defineGroupMemberWrite("group:add-action", ACTION_MEMBER, (d, account, group, cid) => d.addActionToGroup(account, group, cid), {
  description: "Permit an action in a group (addActionToGroup); no event if already present.",
});
defineGroupMemberWrite("group:remove-action", ACTION_MEMBER, (d, account, group, cid) => d.removeActionFromGroup(account, group, cid), {
  description: "Remove an action from a group (removeActionFromGroup).",
});
defineGroupMemberWrite("group:add-pkp", WALLET_MEMBER, (d, account, group, pkp) => d.addPkpToGroup(account, group, pkp), {
  description: "Permit a wallet in a group (addPkpToGroup); the wallet must be registered to the account.",
});
defineGroupMemberWrite("group:remove-pkp", WALLET_MEMBER, (d, account, group, pkp) => d.removePkpFromGroup(account, group, pkp), {
  description: "Remove a wallet from a group (removePkpFromGroup).",
});

defineTask({
  name: "group:list",
  description: "List the groups of an account: [{id, name, description}] (listGroups).",
  params: { account: ANY_ACCOUNT, ...PAGE_PARAMS },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    return readToJson(ctx, "listGroups", await paged(a, (p, s) => ctx.diamond.listGroups(account, p, s)));
  },
});

defineTask({
  name: "group:contents",
  description: "A group's metadata with its cid hashes and wallets (listGroupContents).",
  params: { account: ANY_ACCOUNT, group: GROUP },
  run: async (ctx, a) => {
    const { account, group } = accountAndGroup(a);
    return read(ctx, "listGroupContents", (d) => d.listGroupContents(account, group));
  },
});

defineTask({
  name: "group:actions",
  description: "List the actions of a group: [{id (cid hash), name, description}] (listActionsInGroup).",
  params: { account: ANY_ACCOUNT, group: GROUP, ...PAGE_PARAMS },
  run: async (ctx, a) => {
    const { account, group } = accountAndGroup(a);
    return actionsToJson(await paged(a, (p, s) => ctx.diamond.listActionsInGroup(account, group, p, s)));
  },
});

defineTask({
  name: "group:wallets",
  description: "List the wallets of a group: [{id (derivation), pkpId, name, description}] (listWalletsInGroup).",
  params: { account: ANY_ACCOUNT, group: GROUP, ...PAGE_PARAMS },
  run: async (ctx, a) => {
    const { account, group } = accountAndGroup(a);
    return readToJson(ctx, "listWalletsInGroup", await paged(a, (p, s) => ctx.diamond.listWalletsInGroup(account, group, p, s)));
  },
});
