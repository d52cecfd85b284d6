/** usage-key:* tasks: usage API keys of an account (permissions, metadata, listing). */
import { apiKeyHash, generateApiKey, parseKeyOrHash, parseTimestamp, parseUint, parseUintList } from "../src/core";
import { ACCOUNT_WRITER, PAGE_PARAMS, defineTask, flag, optional, paged, read, readToJson, required, send, withDefault, type Json } from "./lib/cli";
import { usageKeyToJson } from "./lib/format";
import { keyHashArg } from "./lib/options";
import { ANY_ACCOUNT, MASTER_ACCOUNT, metadataParams } from "./lib/params";

const KEY = required("usage key: API key text or 0x usage apiKeyHash");
const GROUPS = 'comma list of group ids (decimal or 0x hex); "0" = every group';

defineTask({
  name: "usage-key:set",
  description:
    "Create or fully overwrite a usage API key with its permissions (setUsageApiKey). Without --key a random key is generated and printed once (usageApiKey).",
  signer: ACCOUNT_WRITER,
  params: {
    account: MASTER_ACCOUNT,
    key: optional("usage key text or 0x hash; default: generate one"),
    expiration: withDefault("expiry: unix seconds or ISO-8601 date-time; 0 = never", "0"),
    balance: withDefault("initial balance of the key", "0"),
    ...metadataParams("key"),
    createGroups: flag("may create groups"),
    deleteGroups: flag("may delete groups"),
    createPkps: flag("may register wallets (PKPs)"),
    manageIpfs: withDefault(`may add/remove actions in these groups: ${GROUPS}`, ""),
    addPkp: withDefault(`may add wallets to these groups: ${GROUPS}`, ""),
    removePkp: withDefault(`may remove wallets from these groups: ${GROUPS}`, ""),
    execute: withDefault(`may execute actions of these groups: ${GROUPS}`, ""),
  },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const generated = a.key === undefined ? generateApiKey() : undefined;
    const usageHash = apiKeyHash(generated ?? parseKeyOrHash(a.key ?? "", "--key"));
    const expiration = parseTimestamp(a.expiration, "--expiration");
    const balance = parseUint(a.balance, "--balance");
    const manage = parseUintList(a.manageIpfs, "--manage-ipfs");
    const addPkp = parseUintList(a.addPkp, "--add-pkp");
    const removePkp = parseUintList(a.removePkp, "--remove-pkp");
    const execute = parseUintList(a.execute, "--execute");
    const result = await send(ctx, (d) =>
      d.setUsageApiKey(
        account,
        usageHash,
        expiration,
        balance,
        a.name,
        a.description,
        a.createGroups,
        a.deleteGroups,
        a.createPkps,
        manage,
        addPkp,
        removePkp,
        execute,
      ),
    );
    const out: { [k: string]: Json } = {};
    if (generated !== undefined) out.usageApiKey = generated;
    return { ...out, usageApiKeyHash: usageHash, ...result };
  },
});

defineTask({
  name: "usage-key:remove",
  description: "Remove a usage API key (removeUsageApiKey); its hash stops resolving and its balance is zeroed.",
  signer: ACCOUNT_WRITER,
  params: { account: MASTER_ACCOUNT, key: KEY },
  run: async (ctx, a) => send(ctx, (d) => d.removeUsageApiKey(keyHashArg(a.account), keyHashArg(a.key, "--key"))),
});

defineTask({
  name: "usage-key:metadata",
  description: "Set the name and description of a usage API key (updateUsageApiKeyMetadata).",
  signer: ACCOUNT_WRITER,
  params: {
    account: MASTER_ACCOUNT,
    key: KEY,
    ...metadataParams("key"),
  },
  run: async (ctx, a) =>
    send(ctx, (d) => d.updateUsageApiKeyMetadata(keyHashArg(a.account), keyHashArg(a.key, "--key"), a.name, a.description)),
});

defineTask({
  name: "usage-key:list",
  description: "List the usage API keys of an account with their permissions (listApiKeys; the master is not listed).",
  params: { account: ANY_ACCOUNT, ...PAGE_PARAMS },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const items = await paged(a, (p, s) => ctx.diamond.listApiKeys(account, p, s));
    const list = readToJson(ctx, "listApiKeys", items);
    return Array.isArray(list) ? list.map(usageKeyToJson) : list;
  },
});

defineTask({
  name: "usage-key:get",
  description: "One usage API key of an account with its permissions (getUsageApiKey).",
  params: { account: ANY_ACCOUNT, key: KEY },
  run: async (ctx, a) =>
    usageKeyToJson(await read(ctx, "getUsageApiKey", (d) => d.getUsageApiKey(keyHashArg(a.account), keyHashArg(a.key, "--key")))),
});
