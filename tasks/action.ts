/** action:* tasks: actions (IPFS CIDs) registered to an account. */
import { parseUint, toHash32 } from "../src/core";
import { ACCOUNT_WRITER, PAGE_PARAMS, defineTask, paged, required, send, withDefault } from "./lib/cli";
import { actionsToJson } from "./lib/format";
import { keyAndAction, keyHashArg } from "./lib/options";
import { ANY_ACCOUNT, MASTER_ACCOUNT, metadataParams } from "./lib/params";

const CID = required("action CID (Qm.../b...; hashed for you) or 0x cid hash");

defineTask({
  name: "action:add",
  description: "Register an action to the account or update its metadata (addAction); prints its cidHash.",
  signer: ACCOUNT_WRITER,
  params: {
    account: MASTER_ACCOUNT,
    cid: CID,
    ...metadataParams("action"),
  },
  run: async (ctx, a) => {
    const { account, cid } = keyAndAction(a);
    const result = await send(ctx, (d) => d.addAction(account, a.name, a.description, cid));
    return { cidHash: toHash32(cid), ...result };
  },
});

defineTask({
  name: "action:remove",
  description: "Unregister an action; it is also removed from every group listing it (removeAction).",
  signer: ACCOUNT_WRITER,
  params: { account: MASTER_ACCOUNT, cid: CID },
  run: async (ctx, a) => {
    const { account, cid } = keyAndAction(a);
    return send(ctx, (d) => d.removeAction(account, cid));
  },
});

defineTask({
  name: "action:metadata",
  description: "Set an action's name and description (updateActionMetadata).",
  signer: ACCOUNT_WRITER,
  params: {
    account: MASTER_ACCOUNT,
    cid: CID,
    group: withDefault("group id that permits the action, or 0 for the account's action list", "0"),
    ...metadataParams("action"),
  },
  run: async (ctx, a) => {
    const { account, cid } = keyAndAction(a);
    const group = parseUint(a.group, "--group", "a decimal or 0x-hex group id (0 = none)");
    return send(ctx, (d) => d.updateActionMetadata(account, cid, group, a.name, a.description));
  },
});

defineTask({
  name: "action:list",
  description: "List the actions of an account: [{id (cid hash), name, description}] (listActions).",
  params: { account: ANY_ACCOUNT, ...PAGE_PARAMS },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    return actionsToJson(await paged(a, (p, s) => ctx.diamond.listActions(account, p, s)));
  },
});
